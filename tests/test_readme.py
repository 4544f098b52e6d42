"""The README lists every CLI command and every setting, and keeps the two set-up commands."""
from pathlib import Path

from typer.main import get_command

from pipeline.settings import Settings
from zhijian.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _command_names(group, prefix=""):
    for name, cmd in group.commands.items():
        full = f"{prefix}{name}"
        sub = getattr(cmd, "commands", None)
        if sub:
            yield from _command_names(cmd, prefix=f"{full} ")
        else:
            yield full


def test_every_cli_command_is_in_the_readme():
    names = list(_command_names(get_command(app)))
    assert "score" in names and "sentiment" in names
    missing = [n for n in names if f"`zhijian {n}" not in README]
    assert not missing, f"README lacks these commands (add them to the Commands table): {missing}"


def test_every_setting_is_in_the_readme():
    missing = [f"ZHIJIAN_{k.upper()}" for k in Settings.model_fields if f"`ZHIJIAN_{k.upper()}`" not in README]
    assert not missing, f"README lacks these settings (add them to the Settings table): {missing}"


def test_readme_has_the_two_setup_commands_and_ci_runs_the_test_one():
    demo = "bash scripts/setup.sh && .venv/bin/zhijian demo"
    tests = "bash scripts/setup.sh && .venv/bin/python -m pytest"
    assert demo in README and tests in README
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci
