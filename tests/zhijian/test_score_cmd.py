"""`zhijian score` through the flow: the input's first pieces are read while the temporary server starts."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

import pipeline.ingest
import pipeline.scoring as scoring
import pipeline.stages
from tests.pipeline._scoring_fakes import FakeModel, FakeRubric, chat_rows, fake_stages, write_jsonl
from zhijian.cli import app
from zhijian.score_cmd import ReadAhead


class Pieces:
    """A reader in pieces (like pipeline.ingest.read_inputs) that notes each piece it reads into `events`."""

    def __init__(self, count: int, events: list[str], fail_at: int | None = None) -> None:
        self.count, self.events, self.fail_at = count, events, fail_at

    def __call__(self, paths, mapping=None):
        raise AssertionError("the run asks for pieces")

    def chunks(self, paths, mapping=None):
        for n in range(1, self.count + 1):
            if n == self.fail_at:
                raise OSError(f"piece {n} unreadable")
            self.events.append(f"read {n}")
            yield f"piece {n}"


def reader(count: int, events: list[str], fail_at: int | None = None) -> ReadAhead:
    return ReadAhead(Pieces(count, events, fail_at), ["day.jsonl"], None)


def answers(*replies: bool):
    """done() for fill: the given replies in turn, then True."""
    it = iter(replies)
    return lambda: next(it, True)


def test_pieces_read_ahead_come_first_and_the_rest_is_read_on_from_the_same_reader():
    events: list[str] = []
    ahead = reader(5, events)
    ahead.fill(answers(False, False))  # the server answers at the third question
    assert events == ["read 1", "read 2"]
    taken = []
    for piece in ahead.chunks(["day.jsonl"]):
        taken.append(piece)
        events.append(f"stored {piece}")
    assert taken == [f"piece {n}" for n in range(1, 6)]
    assert events == ["read 1", "read 2", "stored piece 1", "stored piece 2", "read 3", "stored piece 3",
                      "read 4", "stored piece 4", "read 5", "stored piece 5"]  # fmt: skip
    assert ahead.seconds_ahead > 0


def test_reading_ahead_stops_at_its_bound_and_at_the_end_of_the_input():
    events: list[str] = []
    ahead = reader(10, events)
    ahead.fill(lambda: False)  # a server that never answers: memory still holds only AHEAD pieces
    assert len(events) == ReadAhead.AHEAD
    short: list[str] = []
    one = reader(1, short)
    one.fill(lambda: False)
    assert short == ["read 1"] and list(one.chunks(["day.jsonl"])) == ["piece 1"]


def test_an_error_met_while_reading_ahead_is_raised_by_the_ingest_step_and_a_retry_reads_afresh():
    events: list[str] = []
    ahead = reader(4, events, fail_at=2)
    ahead.fill(lambda: False)  # nothing raised here: the run is not even recorded yet
    pieces = ahead.chunks(["day.jsonl"])
    assert next(pieces) == "piece 1"
    with pytest.raises(OSError, match="piece 2 unreadable"):
        next(pieces)
    ahead._read.fail_at = None  # the retried ingest task: the file is readable now
    assert list(ahead.chunks(["day.jsonl"])) == [f"piece {n}" for n in range(1, 5)]


def test_another_input_is_read_afresh():
    events: list[str] = []
    ahead = reader(2, events)
    ahead.fill(answers(False))
    assert list(ahead.chunks(["other.jsonl"])) == ["piece 1", "piece 2"]
    assert events == ["read 1", "read 1", "read 2"]


def test_prefect_records_the_reader_by_its_type_name_without_walking_its_pieces():
    from flows.nightly_qa import nightly_qa

    ahead = reader(3, [])
    ahead.fill(lambda: False)
    assert nightly_qa.serialize_parameters({"read_inputs": ahead}) == {"read_inputs": "<ReadAhead>"}


# ---------------------------------------------------------------------- through the CLI
@pytest.fixture
def fake_scoring(monkeypatch):
    """The project's reader; fake stages, rubric and model (tests/zhijian/test_cli.py's `fakes` without its reader)."""
    build = pipeline.stages.build_stages
    monkeypatch.setattr(scoring, "build_stages", lambda rubric, model, replace=(): build(rubric, model, replace=fake_stages()))
    monkeypatch.setattr(scoring, "load_rubric_or_fail", lambda path: FakeRubric())
    monkeypatch.setattr(scoring, "load_model_or_fail", lambda model: FakeModel())


class StartingServer:
    """start_temporary_server_early's answer: a server that answers /health after `questions` questions."""

    def __init__(self, questions: int, events: list[str]) -> None:
        self.questions, self.events = questions, events

    def answering(self) -> bool:
        self.questions -= 1
        return self.questions < 0

    def __call__(self) -> None:
        self.events.append("server answers")
        return None


@pytest.mark.parametrize("questions, expected", [
    (1, ["piece read", "server answers", "flow starts"]),  # read while the server starts
    (0, ["server answers", "flow starts", "piece read"]),  # the server answered first: nothing read ahead
])  # fmt: skip
def test_score_reads_while_the_server_starts_and_scores_as_without_the_flow(fake_scoring, tmp_path, monkeypatch,
                                                                            questions, expected):  # fmt: skip
    import flows.nightly_qa
    import zhijian.prefect_server

    day = write_jsonl(tmp_path / "day.jsonl", chat_rows("k001") + chat_rows("k002", bad_end=True))
    events: list[str] = []
    real = pipeline.ingest.read_inputs

    def read_inputs(paths, mapping=None):
        return real(paths, mapping=mapping)

    def chunks(paths, mapping=None, **kwargs):
        for piece in real.chunks(paths, mapping=mapping, **kwargs):
            events.append("piece read")
            yield piece

    read_inputs.chunks = chunks
    monkeypatch.setattr(pipeline.ingest, "read_inputs", read_inputs)

    def flow(paths, **kwargs):
        events.append("flow starts")
        return scoring.run(paths, **kwargs)

    monkeypatch.setattr(zhijian.prefect_server, "start_temporary_server_early", lambda: StartingServer(questions, events))
    monkeypatch.setattr(flows.nightly_qa, "nightly_qa", flow)
    runner = CliRunner()
    out = {}
    for how in ("--flow", "--no-flow"):
        store, results = f"sqlite:///{tmp_path / how}.db", tmp_path / f"{how}.jsonl"
        result = runner.invoke(app, ["score", str(day), "--store", store, "--results", str(results), how])
        assert result.exit_code == 0, result.output
        out[how] = (result.stdout.splitlines()[-1], results.read_text(encoding="utf-8"))
    assert events[: len(expected)] == expected
    assert out["--flow"] == out["--no-flow"]
    assert out["--flow"][0].startswith("summary: read=6 stored=6 duplicates=0 quarantined=0 conversations=2 ")


# ---------------------------------------------------------------------- the run begun while the server starts
def _score_with_flow_faked(tmp_path, monkeypatch, server, flow):
    """score_with_flow on two chats with `server` as the starting temporary server and `flow` as the nightly flow."""
    import flows.nightly_qa
    import zhijian.prefect_server
    from zhijian.score_cmd import score_with_flow

    day = write_jsonl(tmp_path / "day.jsonl", chat_rows("k001") + chat_rows("k002", bad_end=True))
    monkeypatch.setattr(zhijian.prefect_server, "start_temporary_server_early", lambda: server)
    monkeypatch.setattr(flows.nightly_qa, "nightly_qa", flow)
    store = f"sqlite:///{tmp_path / 'qa.db'}"
    options = dict(store_url=store, results_path=str(tmp_path / "out.jsonl"), rubric_path=None, model=None,
                   mapping=None, rescore=False, command="zhijian score")  # fmt: skip
    return store, lambda: score_with_flow([str(day)], options)


def test_the_run_is_prepared_and_its_first_pieces_stored_before_the_server_answers(fake_scoring, tmp_path, monkeypatch):
    from pipeline.store import Store

    seen: dict[str, object] = {}

    def flow(paths, run_id=None, **kwargs):
        with Store(store) as started:  # before the flow's first step: the run is recorded, its messages stored
            seen["run"] = started.get_run(run_id)["status"]
            seen["messages"] = sum(started.message_counts(["k001", "k002"]).values())
        return scoring.run(paths, run_id=run_id, **kwargs)

    store, go = _score_with_flow_faked(tmp_path, monkeypatch, StartingServer(1, []), flow)
    summary = go()
    assert seen == {"run": "running", "messages": 6}
    assert (summary.read, summary.stored, summary.duplicates, summary.conversations) == (6, 6, 0, 2)
    with Store(store) as done:  # the flow's prepare step took that run: one run, finished
        assert [(r["run_id"], r["status"]) for r in done.list_runs()] == [(summary.run_id, "ok")]


def test_the_collector_stays_off_from_the_first_piece_to_the_flow_s_end(fake_scoring, tmp_path, monkeypatch):
    """Prefect imported and the flow run started between the run's own frozen steps: no collection walks the model
    and the segmenter's dictionary there; the collector is on again once the flow is done."""
    import gc

    seen = {}

    def flow(paths, run_id=None, **kwargs):
        seen["collecting"] = gc.isenabled()  # before the run's own steps begin
        return scoring.run(paths, run_id=run_id, **kwargs)

    assert gc.isenabled()
    _, go = _score_with_flow_faked(tmp_path, monkeypatch, StartingServer(1, []), flow)
    go()
    assert seen["collecting"] is False
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_collector_is_off_already_while_the_run_is_checked_and_loaded(fake_scoring, tmp_path, monkeypatch):
    """The imports, checks and loads before the run's first piece make collector passes with nothing to free."""
    import gc

    seen = {}
    preflight, preload_run = scoring.preflight, scoring.preload_run

    def checked(*args, **kwargs):
        seen["preflight"] = gc.isenabled()
        return preflight(*args, **kwargs)

    def loaded(*args, **kwargs):
        seen["preload"] = gc.isenabled()
        return preload_run(*args, **kwargs)

    monkeypatch.setattr(scoring, "preflight", checked)
    monkeypatch.setattr(scoring, "preload_run", loaded)
    _, go = _score_with_flow_faked(tmp_path, monkeypatch, StartingServer(1, []), lambda paths, **kw: scoring.run(paths, **kw))
    go()
    assert seen == {"preflight": False, "preload": False}
    assert gc.isenabled() and gc.get_freeze_count() == 0
    monkeypatch.setattr(scoring, "preflight", lambda *a, **k: (_ for _ in ()).throw(scoring.RunError("no such file")))
    with pytest.raises(scoring.RunError):
        go()
    assert gc.isenabled() and gc.get_freeze_count() == 0  # given back when the checks fail too


def test_when_prefect_cannot_start_the_plain_steps_take_the_run_begun_ahead(fake_scoring, tmp_path, monkeypatch):
    from pipeline.store import Store

    def flow(paths, **kwargs):  # Prefect fails before the flow's first step
        raise RuntimeError("no Prefect today")

    store, go = _score_with_flow_faked(tmp_path, monkeypatch, StartingServer(1, []), flow)
    summary = go()
    assert (summary.read, summary.stored, summary.duplicates, summary.status) == (6, 6, 0, "ok")
    with Store(store) as done:
        assert [r["status"] for r in done.list_runs()] == ["ok"]


def test_a_run_begun_ahead_that_never_starts_is_recorded_failed_and_its_lock_given_back(fake_scoring, tmp_path, monkeypatch):
    from pipeline.store import Store

    class Interrupted(StartingServer):
        def __call__(self):
            raise KeyboardInterrupt  # Ctrl-C while waiting for the server

    store, go = _score_with_flow_faked(tmp_path, monkeypatch, Interrupted(1, []), lambda paths, **kw: None)
    with pytest.raises(KeyboardInterrupt):
        go()
    assert scoring._PREPARED == {}
    with Store(store) as done:
        assert [r["status"] for r in done.list_runs()] == ["failed"]
    again = scoring.run([str(tmp_path / "day.jsonl")], store_url=store)  # the lock was given back: the next run goes
    assert again.status == "ok" and again.duplicates == 6
