"""The `zhijian` CLI: the contract's `score` summary line and exit codes, listings, sentiment, corrections.

Most tests swap in local fakes (ingest, rubric, model) so they run on their own; the
integration test at the end uses the real modules and the real Prefect flow in a subprocess.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pipeline.ingest
import pipeline.scoring as scoring
import pipeline.stages
from tests.pipeline._scoring_fakes import FakeModel, FakeRubric, chat_rows, fake_read_inputs, fake_stages, write_jsonl
from zhijian.cli import app

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def fakes(monkeypatch):
    build = pipeline.stages.build_stages
    monkeypatch.setattr(scoring, "build_stages", lambda rubric, model, replace=(): build(rubric, model, replace=fake_stages()))
    monkeypatch.setattr(pipeline.ingest, "read_inputs", fake_read_inputs)
    monkeypatch.setattr(scoring, "load_rubric_or_fail", lambda path: FakeRubric())
    monkeypatch.setattr(scoring, "load_model_or_fail", lambda model: FakeModel())


@pytest.fixture
def day1(tmp_path):
    rows = chat_rows("h001") + chat_rows("h002", bad_end=True) + [{"conversation_id": "h3", "role": "agent", "text": "x"}]
    return write_jsonl(tmp_path / "day1.jsonl", rows)


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def test_help_lists_every_command():
    result = invoke("--help")
    assert result.exit_code == 0
    for name in ("score", "quarantine", "runs", "sentiment", "correct", "rubric", "eval-rubric", "train-sentiment",
                 "eval-sentiment", "cards", "demo"):  # fmt: skip
        assert name in result.stdout


def test_score_summary_is_last_line_and_rerun_stores_nothing(fakes, day1, tmp_path):
    store = f"sqlite:///{tmp_path / 'qa.db'}"
    out = tmp_path / "out.jsonl"
    result = invoke("score", day1, "--results", out, "--store", store, "--no-flow")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "summary: read=7 stored=6 duplicates=0 quarantined=1 conversations=2 flagged=1"
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    again = invoke("score", day1, "--results", out, "--store", store, "--no-flow")
    assert again.exit_code == 0
    assert again.stdout.splitlines()[-1] == "summary: read=7 stored=0 duplicates=6 quarantined=1 conversations=2 flagged=1"
    assert "zhijian quarantine --run" in again.stdout


def test_score_without_inputs_says_what_to_fix(fakes, tmp_path):
    result = invoke("score", "--results", tmp_path / "o.jsonl", "--no-flow")
    assert result.exit_code != 0
    assert "no input files" in result.stderr


def test_score_missing_file(fakes, tmp_path):
    result = invoke("score", tmp_path / "nope.jsonl", "--results", tmp_path / "o.jsonl")
    assert result.exit_code != 0 and "input file not found" in result.stderr and "nope.jsonl" in result.stderr


def test_score_unreadable_store(fakes, day1, tmp_path):
    (tmp_path / "blocker").write_text("x")
    url = f"sqlite:///{tmp_path / 'blocker' / 'qa.db'}"
    result = invoke("score", day1, "--results", tmp_path / "o.jsonl", "--store", url)
    assert result.exit_code != 0
    assert f"cannot open store {url}" in result.stderr and "check --store or ZHIJIAN_STORE_URL" in result.stderr


def test_score_invalid_rubric(day1, tmp_path):
    pytest.importorskip("pipeline.rubric.engine", reason="the rubric engine (pipeline/rubric) is not there yet")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ncriteria: 3\n", encoding="utf-8")
    result = invoke("score", day1, "--results", tmp_path / "o.jsonl", "--rubric", bad, "--no-flow")
    assert result.exit_code != 0
    assert f"invalid rubric {bad}" in result.stderr and "zhijian rubric check" in result.stderr


def test_score_missing_rubric(day1, tmp_path):
    result = invoke("score", day1, "--results", tmp_path / "o.jsonl", "--rubric", tmp_path / "none.yaml")
    assert result.exit_code != 0 and "rubric file not found" in result.stderr


def test_quarantine_and_runs_listings(fakes, day1, tmp_path):
    store = f"sqlite:///{tmp_path / 'qa.db'}"
    assert "no store at" in invoke("quarantine", "--store", store).stderr  # only score creates a store
    invoke("score", day1, "--results", tmp_path / "o.jsonl", "--store", store, "--no-flow")
    assert "no quarantined rows for run" in invoke("quarantine", "--store", store, "--run", "nope").stdout
    result = invoke("quarantine", "--store", store, "--run", "last")
    assert result.exit_code == 0
    assert "day1.jsonl" in result.stdout and "missing timestamp" in result.stdout and "timestamp" in result.stdout
    runs = invoke("runs", "--store", store)
    assert runs.exit_code == 0 and "ok" in runs.stdout and "fake@1" in runs.stdout


def test_quarantine_lists_scoring_errors(fakes, tmp_path):
    store = f"sqlite:///{tmp_path / 'qa.db'}"
    path = write_jsonl(tmp_path / "d.jsonl", chat_rows("boom7"))
    result = invoke("score", path, "--store", store, "--no-flow")
    assert result.exit_code == 0 and "could not be scored" in result.stdout
    listing = invoke("quarantine", "--store", store)
    assert "boom7" in listing.stdout and "criterion blew up" in listing.stdout


def test_sentiment_command(fakes, tmp_path):
    texts = tmp_path / "texts.txt"
    texts.write_text("怎么还没发货啊，都三天了\n好的谢谢\n\n在吗\n", encoding="utf-8")
    out = tmp_path / "o" / "s.jsonl"
    result = invoke("sentiment", "--input", texts, "--output", out)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in rows] == ["怎么还没发货啊，都三天了", "好的谢谢", "", "在吗"]
    assert [r["label"] for r in rows] == ["negative", "positive", "neutral", "neutral"]
    assert list(rows[0]) == ["text", "label", "scores"] and set(rows[0]["scores"]) == {"negative", "neutral", "positive"}


def test_sentiment_missing_input(fakes, tmp_path):
    result = invoke("sentiment", "--input", tmp_path / "none.txt", "--output", tmp_path / "o.jsonl")
    assert result.exit_code != 0 and "input file not found" in result.stderr


def test_sentiment_missing_model(tmp_path):
    texts = tmp_path / "t.txt"
    texts.write_text("好\n", encoding="utf-8")
    result = invoke("sentiment", "--input", texts, "--output", tmp_path / "o.jsonl", "--model", tmp_path / "nomodel")
    assert result.exit_code != 0 and "cannot load sentiment model" in result.stderr and "--model" in result.stderr


def test_correct_command(fakes, day1, tmp_path):
    store = f"sqlite:///{tmp_path / 'qa.db'}"
    invoke("score", day1, "--store", store, "--no-flow")
    ok = invoke("correct", "h001", "--criterion", "greeting", "--status", "fail", "--reviewer", "王芳",
                "--comment", "问候语不规范", "--store", store)  # fmt: skip
    assert ok.exit_code == 0 and "correction #1 recorded for h001" in ok.stdout
    total = invoke("correct", "h002", "--score", "80", "--reviewer", "王芳", "--store", store)
    assert total.exit_code == 0
    bad = invoke("correct", "h404", "--score", "80", "--reviewer", "王芳", "--store", store)
    assert bad.exit_code != 0 and "no result for conversation 'h404'" in bad.stderr
    bad = invoke("correct", "h001", "--status", "fail", "--reviewer", "王芳", "--store", store)
    assert bad.exit_code != 0 and "--criterion" in bad.stderr
    from pipeline.corrections import effective_results
    from pipeline.store import Store

    rows, _ = effective_results(Store(store), "2026-10-01", "2026-11-01")
    assert {r["conversation_id"]: r["score"] for r in rows}["h001"] == 50.0


def test_cards_month_is_checked(tmp_path):
    result = invoke("cards", "--month", "2026-13", "--out", tmp_path)
    assert result.exit_code != 0 and "--month must look like 2026-10" in result.stderr


# ---------------------------------------------------------------------- integration: real modules
def _real_modules_or_skip():
    for mod in ("pipeline.ingest", "pipeline.normalise", "pipeline.segment", "pipeline.rubric.engine", "models.baseline"):
        pytest.importorskip(mod, reason=f"{mod} is not there yet: the integration test needs the real stage")
    if not (REPO / "rubrics" / "default.yaml").exists():
        pytest.skip("rubrics/default.yaml is not there yet")


@pytest.fixture
def lexicon_model(tmp_path):
    _real_modules_or_skip()
    from models.baseline import LexiconSentiment

    texts = ["太差了", "好的谢谢", "在吗", "垃圾", "非常满意", "请问发货了吗"]
    labels = ["negative", "positive", "neutral", "negative", "positive", "neutral"]
    return LexiconSentiment().fit(texts, labels).save(tmp_path / "lexicon-model")


@pytest.mark.slow
def test_score_end_to_end_real_modules_through_the_flow(lexicon_model, tmp_path):
    """`zhijian score` as a user runs it: real ingest, rubric and Prefect flow; stdout ends with the summary."""
    rows = chat_rows("r001") + chat_rows("r002", bad_end=True)
    rows.append({"conversation_id": "r003", "role": "客服", "text": "没有时间戳"})
    day = write_jsonl(tmp_path / "day.jsonl", rows)
    store = f"sqlite:///{tmp_path / 'qa.db'}"
    out = tmp_path / "out.jsonl"
    env = dict(os.environ, PREFECT_LOGGING_LEVEL="INFO")
    cmd = [sys.executable, "-m", "zhijian", "score", str(day), "--results", str(out), "--store", store,
           "--model", str(lexicon_model)]  # fmt: skip
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env, timeout=240)
    assert first.returncode == 0, first.stderr[-3000:]
    # the CLI started the temporary server itself, before importing Prefect (zhijian/prefect_server.py)
    assert "Starting temporary server" not in first.stderr
    last = first.stdout.strip().splitlines()[-1]
    assert last == "summary: read=7 stored=6 duplicates=0 quarantined=1 conversations=2 flagged=" + last.rsplit("=", 1)[1]
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["conversation_id"] for r in results] == ["r001", "r002"]
    for r in results:
        assert r["rubric"] == "default@15" and r["model"] == "lexicon@1"
        assert {"greeting", "closing", "empathy", "forbidden_phrases", "first_response_sla"} <= set(r["criteria"])
        assert [t["seq"] for t in r["sentiment"]["turns"]] == [1, 3]
    second = subprocess.run(cmd + ["--no-flow"], capture_output=True, text=True, cwd=REPO, env=env, timeout=240)
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.stdout.strip().splitlines()[-1].startswith("summary: read=7 stored=0 duplicates=6 quarantined=1 ")
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == results


def test_score_falls_back_when_prefect_cannot_start(fakes, day1, tmp_path, monkeypatch):
    import flows.nightly_qa

    def no_server(*args, **kwargs):
        raise RuntimeError("Timed out while attempting to connect to ephemeral Prefect API server")

    monkeypatch.setattr(flows.nightly_qa, "nightly_qa", no_server)
    result = invoke("score", day1, "--store", f"sqlite:///{tmp_path / 'qa.db'}")
    assert result.exit_code == 0
    assert "running without the flow" in result.stderr
    assert result.stdout.splitlines()[-1].startswith("summary: read=7 stored=6 ")


@pytest.mark.parametrize("api, heartbeat", [("http://127.0.0.1:9/api", None), (None, 180)])
def test_a_flow_on_the_temporary_server_sends_no_heartbeats(fakes, day1, tmp_path, monkeypatch, api, heartbeat):
    """The temporary server dies with the run and watches no heartbeat; a real server keeps Prefect's default."""
    import flows.nightly_qa
    import zhijian.prefect_server

    seen = []

    def flow(paths, **kwargs):
        from prefect.settings import PREFECT_API_URL, get_current_settings

        seen.append((PREFECT_API_URL.value() or None, get_current_settings().flows.heartbeat_frequency))
        return scoring.run(paths, **kwargs)

    monkeypatch.setattr(zhijian.prefect_server, "start_temporary_server_early", lambda: lambda: api)
    monkeypatch.setattr(flows.nightly_qa, "nightly_qa", flow)
    result = invoke("score", day1, "--store", f"sqlite:///{tmp_path / 'qa.db'}")
    assert result.exit_code == 0, result.output
    assert seen == [(api, heartbeat)]


def test_score_reports_a_flow_that_failed_mid_run(fakes, day1, tmp_path, monkeypatch):
    import flows.nightly_qa
    from pipeline.store import Store

    store = f"sqlite:///{tmp_path / 'qa.db'}"

    def fails_after_start(paths, store_url=None, run_id=None, **kwargs):
        Store(store_url).start_run(paths, run_id=run_id)
        raise OSError("disk full")

    monkeypatch.setattr(flows.nightly_qa, "nightly_qa", fails_after_start)
    result = invoke("score", day1, "--store", store)
    assert result.exit_code != 0
    assert "the nightly flow failed: OSError: disk full" in result.stderr and "--no-flow" in result.stderr
    assert len(Store(store).list_runs()) == 1  # not run a second time behind the user's back


def test_score_invalid_mapping(fakes, day1, tmp_path):
    pytest.importorskip("pipeline.mapping", reason="pipeline/mapping.py is not there yet")
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns: [1, 2\n", encoding="utf-8")
    result = invoke("score", day1, "--mapping", bad, "--store", f"sqlite:///{tmp_path / 'qa.db'}")
    assert result.exit_code != 0
    assert f"invalid column mapping {bad}" in result.stderr and "Fix the mapping file" in result.stderr
    assert result.stderr.count("invalid column mapping") == 1


def test_help_does_not_import_the_heavy_modules():
    # pydantic-settings too (~0.15 s): `zhijian score` starts its Prefect server only once the CLI is imported
    code = ("import sys, zhijian.cli; heavy = [m for m in ('prefect', 'sqlalchemy', 'pandas', 'torch', 'jieba', "
            "'pydantic_settings') if m in sys.modules]; print(heavy)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_main_keeps_what_a_command_leaves_out_of_the_collections_at_exit():
    """zhijian.cli.main freezes the heap once the command is done (zhijian.common.freeze_heap_for_exit)."""
    code = ("import gc, sys\nfrom zhijian.cli import main\nsys.argv = ['zhijian', '--version']\n"
            "try:\n    main()\nexcept SystemExit:\n    print(gc.get_freeze_count() > 0)\n")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "True", out.stderr
