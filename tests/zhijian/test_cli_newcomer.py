"""What a newcomer meets first (issue 17): a mistyped --store, --version, -h, readable help, `runs` at 80
columns, eval/train commands that list their options, cards and train-sentiment as Prefect flows."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from pipeline.errors import StoreError
from pipeline.store import Store
from zhijian import cli, common
from zhijian.cli import app

runner = CliRunner()


def invoke(*args, columns=250):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns)})


def _commands(group, prefix=""):
    for name, cmd in group.commands.items():
        if getattr(cmd, "commands", None):
            yield from _commands(cmd, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


COMMANDS = sorted(_commands(get_command(app)))


# ---------------------------------------------------------------------- a store that does not exist
def test_store_create_false_refuses_a_missing_sqlite_file_and_creates_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'typo' / 'qa.db'}"
    with pytest.raises(StoreError, match=r"no store at .*the file does not exist — check --store"):
        Store(url, create=False)
    assert not (tmp_path / "typo").exists()


def test_store_create_false_refuses_a_database_without_tables():
    with pytest.raises(StoreError, match="it has no zhijian tables"):
        Store("sqlite://", create=False)


def test_store_create_false_opens_an_existing_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    Store(url).close()
    with Store(url, create=False) as store:
        assert store.list_runs() == []


@pytest.mark.parametrize("given, meant", [
    ("out/qa.db", "sqlite:///out/qa.db"),
    ("/srv/qa.db", "sqlite:////srv/qa.db"),
    ("postgres://qa@db/zhijian", "postgresql://qa@db/zhijian"),
    ("sqlite://out/qa.db", "sqlite:///out/qa.db"),
    ("sqlite:out/qa.db", "sqlite:///out/qa.db"),
])  # fmt: skip
def test_a_plain_path_or_misspelt_scheme_gets_the_url_meant(given, meant, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as err:
        Store(given)  # even `score`, which may create a store, refuses to guess
    assert f"did you mean {meant}?" in str(err.value)
    assert not list(tmp_path.iterdir())  # nothing created in the working folder


@pytest.mark.parametrize("command", [["runs"], ["quarantine"], ["cards", "--month", "2026-10", "--no-pdf"],
                                     ["correct", "c1", "--reviewer", "王芳", "--score", "80"]])  # fmt: skip
def test_commands_that_read_refuse_a_mistyped_store(command, tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.dbb'}"
    result = invoke(*command, "--store", url, *(["--out", tmp_path / "cards"] if command[0] == "cards" else []))
    assert result.exit_code == 1
    assert f"error: no store at {url}: the file does not exist — check --store" in result.stderr
    assert "only `zhijian score` creates a store" in result.stderr
    assert list(tmp_path.iterdir()) == []  # neither an empty store nor empty cards


def test_runs_with_a_plain_path_suggests_the_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("runs", "--store", "out/qa.db")
    assert result.exit_code == 1 and "did you mean sqlite:///out/qa.db?" in result.stderr


# ---------------------------------------------------------------------- --version, -h, help text
def test_version_names_package_rubric_and_model():
    result = invoke("--version")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"zhijian \S+", lines[0])
    assert re.match(r"rubric default@\d+ ", lines[1]) and re.match(r"sentiment model zh-cs-sentiment@\d+ ", lines[2])


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_short_help_without_type_tags_on_flags(command):
    result = invoke(*command.split(), "-h", columns=80)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout and "--help" in result.stdout
    assert "<bool>" not in result.stdout
    usage = result.stdout.split("Usage:", 1)[1].splitlines()[0]
    assert "{" not in usage and "}" not in usage, usage


def test_correct_usage_names_the_argument_in_capitals():
    usage = invoke("correct", "--help").stdout
    assert "CONVERSATION_ID" in usage and "{conversation_id}" not in usage


@pytest.mark.parametrize("command, options", [
    ("eval-rubric", ["--rubric", "--no-similarity", "--compare", "--no-sentiment", "--json"]),
    ("train-sentiment", ["--out", "--seed", "--cpu-budget", "--max-examples", "--no-wide", "--no-flow"]),
    ("cards", ["--month", "--out", "--store", "--no-pdf", "--no-flow"]),
])  # fmt: skip
def test_eval_and_train_help_list_their_options(command, options):
    out = invoke(command, "--help").stdout
    missing = [o for o in options if o not in out]
    assert not missing, out


def test_eval_rubric_passes_its_options_on(monkeypatch, tmp_path):
    import pipeline.rubric.evaluate

    seen = []
    monkeypatch.setattr(pipeline.rubric.evaluate, "main", lambda argv: seen.append(argv) or 0)
    result = invoke("eval-rubric", tmp_path, "--no-similarity", "--json", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    assert seen == [[str(tmp_path), "--no-similarity", "--json", str(tmp_path / "r.json")]]


# ---------------------------------------------------------------------- runs at 80 columns
def test_runs_fits_80_columns_and_says_its_time_zone(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    with Store(url) as store:
        run_id = store.start_run([f"/data/exports/chats-2026-10-{d:02d}.jsonl" for d in range(1, 8)], run_id="r" * 36)
        store.finish_run(run_id, status="ok")
    result = invoke("runs", "--store", url, columns=80)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "runs, newest first (times in Asia/Shanghai)"
    assert all(len(line) <= 80 for line in lines), "\n".join(lines)
    assert lines[1].startswith("rrrrrrrr  20") and "chats-2026-10-01.jsonl" in result.stdout and "(7 files)" in result.stdout


# ---------------------------------------------------------------------- flows
class _Flow:
    """A Prefect-flow stand-in: calling it runs `behave`; `.fn` is the flow body Prefect would call."""

    def __init__(self, behave):
        self.behave, self.calls = behave, []

    def fn(self, **kwargs):  # pragma: no cover - the body; never reached when Prefect cannot start
        raise AssertionError

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return self.behave(self, **kwargs)


@pytest.fixture
def month_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    Store(url).close()
    return url


def test_cards_run_the_monthly_cards_flow_and_warn_on_stderr(monkeypatch, month_store, tmp_path):
    import flows.monthly_cards

    flow = _Flow(lambda self, **kw: {"month": kw["month"], "warnings": ["no conversations in 2026-10"],
                                     "summary_line": "cards: month=2026-10 agents=0"})  # fmt: skip
    monkeypatch.setattr(flows.monthly_cards, "monthly_cards", flow)
    result = invoke("cards", "--month", "2026-10", "--out", tmp_path / "cards", "--store", month_store, "--no-pdf")
    assert result.exit_code == 0, result.output
    assert flow.calls == [{"month": "2026-10", "store_url": month_store, "out_dir": str(tmp_path / "cards"), "pdf": False}]
    assert result.stderr.strip() == "warning: no conversations in 2026-10"
    assert result.stdout.strip() == "cards: month=2026-10 agents=0"


def test_cards_without_prefect_or_with_no_flow_build_the_same_cards(monkeypatch, month_store, tmp_path):
    import flows.monthly_cards
    import pipeline.cards

    def cannot_start(self, **kw):
        raise RuntimeError("Timed out while attempting to connect to ephemeral Prefect API server")

    built = []

    class Report:
        warnings = ["few conversations"]

        def summary_line(self):
            return "cards: month=2026-10"

    monkeypatch.setattr(flows.monthly_cards, "monthly_cards", _Flow(cannot_start))
    monkeypatch.setattr(pipeline.cards, "build_cards", lambda month, url, out, pdf, progress=None: built.append((month, url, out, pdf)) or Report())
    for extra in ([], ["--no-flow"]):
        result = invoke("cards", "--month", "2026-10", "--out", tmp_path / "c", "--store", month_store, *extra)
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == "cards: month=2026-10" and "warning: few conversations" in result.stderr
    assert "running without the flow" in invoke("cards", "--month", "2026-10", "--out", tmp_path / "c",
                                                "--store", month_store).stderr  # fmt: skip
    assert built[0] == built[1] == ("2026-10", month_store, tmp_path / "c" / "2026-10", True)


def test_a_flow_that_failed_inside_is_reported_not_rerun(capsys):
    def body():
        raise OSError("disk full")

    class Started:
        fn = staticmethod(body)

    began = common.body_ran(Started)
    with pytest.raises(OSError) as inside:
        body()
    assert began(inside.value)
    assert not began(RuntimeError("no server"))
    with pytest.raises(cli.typer.Exit):
        common.flow_or_plain("monthly_cards", body, lambda: pytest.fail("ran twice"), began)
    assert "error: the monthly_cards flow failed: OSError: disk full — " in capsys.readouterr().err


def test_train_sentiment_runs_the_flow_with_its_options_and_no_flow_runs_the_recipe(monkeypatch):
    import flows.train_sentiment
    import models.train

    flow = _Flow(lambda self, **kw: {"name": "zh-cs-sentiment"})
    monkeypatch.setattr(flows.train_sentiment, "train_sentiment", flow)
    recipe = []
    monkeypatch.setattr(models.train, "main", lambda argv: recipe.append(argv))
    result = invoke("train-sentiment", "--out", "/tmp/m", "--max-examples", "50", "--no-wide", "--cpu-budget", "60")
    assert result.exit_code == 0, result.output
    (kw,) = flow.calls
    assert (kw["out_dir"], kw["max_examples"], kw["wide"], kw["cpu_budget_seconds"]) == ("/tmp/m", 50, False, 60)
    assert recipe == []
    result = invoke("train-sentiment", "--out", "/tmp/m", "--max-examples", "50", "--no-wide", "--no-flow")
    assert result.exit_code == 0, result.output
    (argv,) = recipe
    assert argv[:2] == ["--out", "/tmp/m"] and "--no-wide" in argv and argv[argv.index("--max-examples") + 1] == "50"
    assert len(flow.calls) == 1


# ---------------------------------------------------------------------- the demo's hints
def test_hints_name_the_venv_command_when_zhijian_is_not_on_path(monkeypatch, tmp_path):
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "zhijian").write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / ".venv"))
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert common.how_to_call_me() == ".venv/bin/zhijian"
    monkeypatch.setattr("shutil.which", lambda name: str(tmp_path / ".venv" / "bin" / "zhijian"))
    assert common.how_to_call_me() == "zhijian"
    assert Path(".venv/bin/zhijian").exists()


def test_store_create_false_on_postgresql_needs_the_tables():
    """CI only (ZHIJIAN_TEST_POSTGRES_URL): an empty database or schema is refused, not filled with tables."""
    from tests.pipeline._scoring_fakes import postgres_schema_url

    with postgres_schema_url() as url:
        with pytest.raises(StoreError, match="it has no zhijian tables — check --store"):
            Store(url, create=False)
        Store(url).close()
        with Store(url, create=False) as store:
            assert store.list_runs() == []
