"""pipeline/timeline.py: the run's opt-in trace (ZHIJIAN_TRACE) records both threads' stages and the run's
thread's waits, and changes nothing a run leaves behind; off, it records nothing and writes no file."""
from __future__ import annotations

import threading

from benchmarks.timeline import analyse
from pipeline import timeline
from tests.pipeline.test_scoring_overlap import RecordingModel, night, run, stored


def test_off_by_default_records_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(timeline.ENV, raising=False)
    assert timeline.start() is False
    assert not timeline.active()
    with timeline.span("rubric"):
        pass
    timeline.stop()  # a no-op
    assert list(tmp_path.iterdir()) == []


def test_a_traced_run_leaves_the_same_results_and_rows_and_a_timeline_of_both_threads(tmp_path, monkeypatch):
    paths = night(tmp_path)
    plain, traced = tmp_path / "plain", tmp_path / "traced"
    plain.mkdir(), traced.mkdir()
    monkeypatch.delenv(timeline.ENV, raising=False)
    run(paths, plain, RecordingModel())
    monkeypatch.setenv(timeline.ENV, str(tmp_path / "t.tsv"))
    run(paths, traced, RecordingModel())
    assert not timeline.active()  # stopped with the run
    assert (traced / "out.jsonl").read_bytes() == (plain / "out.jsonl").read_bytes()
    assert stored(traced) == stored(plain)

    lines = (tmp_path / "t.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "thread\tstage\tstart\tend\tcpu"
    spans = [line.split("\t") for line in lines[1:]]
    model = {stage for thread, stage, *_ in spans if thread.startswith("zhijian-model")}
    run_side = {stage for thread, stage, *_ in spans if not thread.startswith("zhijian-model")}
    assert model == {"sentiment"}  # the model thread does the model's stage only
    assert {"ingest", "store", "normalise", "rubric", "results"} <= run_side and "sentiment" not in run_side
    assert all(float(s) <= float(e) for _, _, s, e, _ in spans)
    report = analyse(str(tmp_path / "t.tsv"))
    assert report["model_busy"] > 0 and report["drain"] >= 0 and report["both"] >= 0


def test_spans_from_two_threads_land_in_one_trace(tmp_path, monkeypatch):
    monkeypatch.setenv(timeline.ENV, str(tmp_path / "t.tsv"))
    assert timeline.start() is True
    assert timeline.start() is False  # a trace in progress keeps going

    def model_side() -> None:
        with timeline.span("sentiment"):
            pass

    worker = threading.Thread(target=model_side, name="zhijian-model_0")
    worker.start(), worker.join()
    with timeline.span("rubric"):
        pass
    timeline.stop()
    rows = [line.split("\t")[:2] for line in (tmp_path / "t.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    assert sorted(rows) == [["MainThread", "rubric"], ["zhijian-model_0", "sentiment"]]


def test_onnx_runtime_calls_are_watched_only_while_tracing(tmp_path, monkeypatch):
    from onnxruntime.capi.onnxruntime_inference_collection import Session

    original = Session.run
    monkeypatch.setenv(timeline.ENV, str(tmp_path / "t.tsv"))
    timeline.start()
    try:
        assert Session.run is not original  # an "onnx" span around each call
    finally:
        timeline.stop()
    assert Session.run is original
