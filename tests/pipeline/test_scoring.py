"""score_files: counts add up, re-runs store nothing twice, continued conversations are re-scored whole,
one failing conversation never stops the run. Uses local fakes for ingest, rubric and model."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.scoring import STAGES, RunError, score_files
from pipeline.store import Store
from tests.pipeline._scoring_fakes import FakeModel, FakeRubric, chat_rows, fake_read_inputs, fake_stages, postgres_schema_url, write_jsonl


def run(paths, tmp_path, **kw):
    kw.setdefault("store_url", f"sqlite:///{tmp_path / 'qa.db'}")
    kw.setdefault("results_path", tmp_path / "out.jsonl")
    kw.setdefault("rubric", FakeRubric())
    kw.setdefault("model", FakeModel())
    kw.setdefault("stages", fake_stages())
    kw.setdefault("read_inputs", fake_read_inputs)
    return score_files(paths, **kw)


def read_results(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def day1(tmp_path):
    rows = chat_rows("h001") + chat_rows("h002", bad_end=True) + [{"conversation_id": "h003", "role": "customer", "text": "?"}]
    return write_jsonl(tmp_path / "day1.jsonl", rows)


def test_first_run_counts_and_results(day1, tmp_path):
    s = run([day1], tmp_path)
    assert (s.read, s.stored, s.duplicates, s.quarantined) == (7, 6, 0, 1)
    assert (s.conversations, s.flagged, s.scored, s.reused) == (2, 1, 2, 0)
    assert s.summary_line() == "summary: read=7 stored=6 duplicates=0 quarantined=1 conversations=2 flagged=1"
    assert set(s.stage_seconds) == set(STAGES) and all(v >= 0 for v in s.stage_seconds.values())
    results = read_results(tmp_path / "out.jsonl")
    assert [r["conversation_id"] for r in results] == ["h001", "h002"]
    h2 = results[1]
    assert h2["flagged"] and [f["code"] for f in h2["flags"]] == ["negative_end"]
    assert h2["rubric"] == "fake@1" and h2["model"] == "fake-sentiment@1"
    assert h2["sentiment"]["customer_end"] == "negative"
    assert [t["seq"] for t in h2["sentiment"]["turns"]] == [1, 3]
    store = Store(f"sqlite:///{tmp_path / 'qa.db'}")
    run_row = store.get_run(s.run_id)
    assert run_row["status"] == "ok" and run_row["read"] == 7 and run_row["rubric_version"] == "fake@1"
    assert [q.line for q in store.list_quarantine(s.run_id)] == [7]


def test_rerun_stores_nothing_and_rewrites_same_results(day1, tmp_path):
    run([day1], tmp_path)
    first = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    model = FakeModel()
    s = run([day1], tmp_path, model=model)
    assert (s.read, s.stored, s.duplicates, s.quarantined) == (7, 0, 6, 1)
    assert (s.scored, s.reused, s.conversations) == (0, 2, 2)
    assert model.calls == 0  # read back from the store, not recomputed
    assert read_results(tmp_path / "out.jsonl") == [json.loads(x) for x in first.splitlines()]
    with Store(f"sqlite:///{tmp_path / 'qa.db'}").engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM quarantine")).scalar() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM results")).scalar() == 2


def test_rescore_forces_scoring(day1, tmp_path):
    run([day1], tmp_path)
    s = run([day1], tmp_path, rescore=True)
    assert (s.scored, s.reused, s.stored) == (2, 0, 0)


def test_conversation_continued_in_next_file_is_rescored_whole(day1, tmp_path):
    run([day1], tmp_path)
    later = [{"conversation_id": "h001", "timestamp": "2026-10-04T09:00:00+08:00", "role": "customer", "text": "还是很差"}]
    day2 = write_jsonl(tmp_path / "day2.jsonl", later)
    s = run([day2], tmp_path, results_path=tmp_path / "day2.out.jsonl")
    assert (s.read, s.stored, s.conversations) == (1, 1, 1)
    (h001,) = read_results(tmp_path / "day2.out.jsonl")
    assert [t["seq"] for t in h001["sentiment"]["turns"]] == [1, 3, 4]  # all four messages, from the store
    assert h001["ended_at"] == "2026-10-04T09:00:00+08:00"
    assert h001["flagged"] and h001["sentiment"]["customer_end"] == "negative"
    with Store(f"sqlite:///{tmp_path / 'qa.db'}").engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT message_count FROM results WHERE conversation_id='h001'")).all()
    assert rows == [(4,)]  # same versions: replaced, not duplicated


def test_new_rubric_version_rescores_and_keeps_old_rows(day1, tmp_path):
    run([day1], tmp_path)
    rubric = FakeRubric()
    rubric.id = "fake@2"
    s = run([day1], tmp_path, rubric=rubric)
    assert (s.scored, s.reused) == (2, 0)
    with Store(f"sqlite:///{tmp_path / 'qa.db'}").engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM results")).scalar() == 4


def test_one_failing_conversation_does_not_stop_the_run(tmp_path):
    rows = chat_rows("h001") + chat_rows("boom1") + chat_rows("badnorm1")
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    s = run([path], tmp_path)
    assert s.status == "partial" and s.scoring_errors == 2 and s.conversations == 3
    assert {(cid, stage) for cid, stage, _ in s.errors} == {("boom1", "rubric"), ("badnorm1", "normalise")}
    results = {r["conversation_id"]: r for r in read_results(tmp_path / "out.jsonl")}
    assert results["boom1"]["flags"][0]["code"] == "scoring_error" and results["boom1"]["score"] is None
    assert results["h001"]["score"] == 100.0
    store = Store(f"sqlite:///{tmp_path / 'qa.db'}")
    assert store.get_run(s.run_id)["status"] == "partial"
    assert {e["conversation_id"] for e in store.list_scoring_errors(s.run_id)} == {"boom1", "badnorm1"}
    # the failed ones are tried again next night (no result stored for them yet)
    s2 = run([path], tmp_path)
    assert s2.stored == 0 and s2.reused == 1 and s2.scoring_errors == 2


def test_batches(tmp_path):
    rows = [r for i in range(7) for r in chat_rows(f"c{i}")]
    s = run([write_jsonl(tmp_path / "d.jsonl", rows)], tmp_path, batch_size=3)
    assert s.conversations == 7 and s.scored == 7


def test_no_inputs_and_missing_file(tmp_path):
    with pytest.raises(RunError, match="no input files"):
        run([], tmp_path)
    with pytest.raises(RunError, match=r"input file not found: .*nope.jsonl — check the path"):
        run([tmp_path / "nope.jsonl"], tmp_path)
    with pytest.raises(RunError, match="input is a folder"):
        run([tmp_path], tmp_path)


def test_unreadable_store(day1, tmp_path):
    (tmp_path / "blocker").write_text("x")
    with pytest.raises(RunError, match="cannot open store .* — check --store or ZHIJIAN_STORE_URL"):
        run([day1], tmp_path, store_url=f"sqlite:///{tmp_path / 'blocker' / 'qa.db'}")


def test_missing_rubric_file(day1, tmp_path):
    with pytest.raises(RunError, match="rubric file not found: .*nope.yaml — pass --rubric"):
        run([day1], tmp_path, rubric=None, rubric_path=tmp_path / "nope.yaml")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=st.lists(st.tuples(st.integers(0, 4), st.booleans(), st.integers(0, 2)), min_size=1, max_size=6),
)
def test_counts_always_add_up(tmp_path_factory, plan):
    """Whatever mix of repeats, bad rows and re-reads: read = stored + duplicates + quarantined, and nothing is stored twice."""
    tmp = tmp_path_factory.mktemp("inv")
    total_stored = 0
    for night, (n_conv, bad, repeat) in enumerate(plan):
        rows = [r for i in range(n_conv) for r in chat_rows(f"c{i}")] * (repeat + 1)
        if bad:
            rows.append({"conversation_id": "x", "role": "agent", "text": "no time"})
        path = write_jsonl(tmp / f"n{night}.jsonl", rows)
        s = run([path], tmp)
        assert s.read == s.stored + s.duplicates + s.quarantined
        total_stored += s.stored
    with Store(f"sqlite:///{tmp / 'qa.db'}").engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM messages")).scalar() == total_stored


def test_score_files_on_postgres(day1, tmp_path):
    with postgres_schema_url() as url:
        s = run([day1], tmp_path, store_url=url)
        assert (s.read, s.stored, s.quarantined, s.conversations) == (7, 6, 1, 2)
        again = run([day1], tmp_path, store_url=url)
        assert (again.stored, again.duplicates, again.reused) == (0, 6, 2)
        later = write_jsonl(tmp_path / "day2.jsonl", [
            {"conversation_id": "h001", "timestamp": "2026-10-04T09:00:00+08:00", "role": "customer", "text": "还是很差"}])
        third = run([later], tmp_path, store_url=url, results_path=tmp_path / "o3.jsonl")
        (h001,) = read_results(tmp_path / "o3.jsonl")
        assert third.stored == 1 and len(h001["sentiment"]["turns"]) == 3
        Store(url).close()


def test_progress_bars_go_to_stderr(day1, tmp_path, capsys):
    s = run([day1], tmp_path, progress=True)
    assert s.conversations == 2
    assert capsys.readouterr().out == ""  # stdout stays free for the summary line


def test_each_run_keeps_the_rubric_text_it_scored_with(day1, tmp_path):
    """The cards of a month read the rubric its results were scored with: the run saves it."""
    rubric = FakeRubric()
    rubric.source_text, rubric.source = "id: fake\nversion: 1\n", "rubrics/fake.yaml"
    run([day1], tmp_path, rubric=rubric)
    assert Store(f"sqlite:///{tmp_path / 'qa.db'}").load_rubric_snapshot("fake@1") == rubric.source_text


def test_default_model_comes_from_settings(monkeypatch, tmp_path):
    """models' own default is the shipped directory; the pipeline's default is ZHIJIAN_SENTIMENT_MODEL."""
    from pipeline.errors import RunError
    from pipeline.scoring import load_model_or_fail
    from pipeline.settings import get_settings

    missing = tmp_path / "no-such-model"
    monkeypatch.setenv("ZHIJIAN_SENTIMENT_MODEL", str(missing))
    get_settings.cache_clear()
    try:
        with pytest.raises(RunError, match="no-such-model"):
            load_model_or_fail(None)
    finally:
        get_settings.cache_clear()


def test_a_run_turns_the_cyclic_garbage_collector_off_and_gives_it_back_as_it_found_it():
    import gc

    from pipeline import run_env

    assert gc.isenabled()
    with run_env.frozen_heap():
        assert not gc.isenabled() and gc.get_freeze_count() > 0
        with run_env.frozen_heap():  # zhijian score's window around the run's own
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        with run_env.frozen_heap():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
