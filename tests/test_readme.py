"""The README lists every CLI command and every setting, and keeps the two set-up commands."""
import re
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


# ---------------------------------------------------------------------- the README stands alone
REPO = Path(__file__).resolve().parent.parent
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")


def _docs():
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _relative_links(path):
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    for match in _LINK.finditer(text):
        target = (match.group(1) or match.group(2)).split("#", 1)[0]
        if target and not re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, mailto: … are not files
            yield target


def test_every_relative_link_in_the_readme_and_docs_resolves_inside_the_repository():
    broken = []
    for doc in _docs():
        for target in _relative_links(doc):
            resolved = (doc.parent / target).resolve()
            if not resolved.is_relative_to(REPO) or not resolved.exists():
                broken.append(f"{doc.relative_to(REPO)} → {target}")
    assert not broken, f"links that do not resolve inside the repository: {broken}"


def test_the_readme_and_docs_do_not_send_a_reader_outside_the_repository():
    outside = [str(d.relative_to(REPO)) for d in _docs() if "shared/spec" in d.read_text(encoding="utf-8")]
    assert not outside, f"these point at shared/spec/, which a clone does not have: {outside}"


def test_the_readme_command_table_is_exactly_the_cli():
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    listed = []
    for row in re.findall(r"^\| `zhijian ([^`]*)`", section, flags=re.M):
        words = []
        for word in row.split():
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            words.append(word)
        listed.append(" ".join(words))
    names = sorted(_command_names(get_command(app)))
    assert sorted(listed) == names, f"README Commands table {sorted(listed)} ≠ zhijian --help {names}"
