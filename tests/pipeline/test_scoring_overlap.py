"""score_files with the model thread: the next batch's model work runs beside this batch's rubric and
store, and nothing a run leaves behind changes: the same results and stored rows, the same texts
given to the model together, the same failures, batches stored in order, the store used from one thread."""
from __future__ import annotations

import dataclasses
import json
import re
import threading

import numpy as np
import pytest
import sqlalchemy as sa

from pipeline.conversation import Conversation
from pipeline.scoring import score_files
from pipeline.stages import ConversationStage, sentiment_stage
from pipeline.store import Store
from tests.pipeline._scoring_fakes import FakeModel, FakeRubric, fake_read_inputs, fake_stages, write_jsonl

# a batch waits at most this long for the other thread before the test says it did not overlap
PATIENCE_SECONDS = 30


class RecordingModel(FakeModel):
    """FakeModel that remembers each call's texts and thread; raises on a text with 炸 (the whole call)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, ...]] = []
        self.threads: set[str] = set()

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.seen.append(tuple(texts))
        self.threads.add(threading.current_thread().name)
        if any("炸" in t for t in texts):
            raise RuntimeError("model blew up")
        return super().predict_proba(texts)


def rows(cid: str, day: int = 3, customer: str = "还是很差") -> list[dict]:
    """One conversation whose customer texts carry its id, so every batch gives the model other texts."""
    base = f"2026-10-{day:02d}T14:0"
    return [
        {"conversation_id": cid, "timestamp": base + "2:11+08:00", "role": "customer", "text": f"{cid} 怎么还没发货"},
        {"conversation_id": cid, "timestamp": base + "3:00+08:00", "role": "agent", "agent_id": "A07", "text": "您好"},
        {"conversation_id": cid, "timestamp": base + "4:00+08:00", "role": "customer", "text": f"{customer}{cid}"},
    ]  # fmt: skip


def night(tmp_path) -> list:
    ids = ["h1", "badnorm1", "h2", "h3", "boom1", "h4", "h5", "h6", "h7"]
    data = [r for cid in ids for r in rows(cid)] + rows("h8", customer="炸了谢谢")
    return [write_jsonl(tmp_path / "d.jsonl", data)]


def run(paths, where, model, *, ahead: bool = True, **kw):
    stage = sentiment_stage(model)
    kw.setdefault("rubric", FakeRubric())
    summary = score_files(
        paths, f"sqlite:///{where / 'qa.db'}", where / "out.jsonl", model=model, read_inputs=fake_read_inputs,
        stages=[*fake_stages(), dataclasses.replace(stage, ahead=ahead)], batch_size=3, **kw,
    )  # fmt: skip
    return summary


def stored(where) -> dict[str, list]:
    """The rows a run writes, without run ids and clock times."""
    out = {}
    with Store(f"sqlite:///{where / 'qa.db'}").engine.connect() as conn:
        for table, cols in (
            ("conversations", "conversation_id, message_count, agent_id"),
            ("results", "conversation_id, rubric_version, model_version, score, flagged, criteria, flags, sentiment"),
            ("scoring_errors", "conversation_id, stage, error"),
        ):
            out[table] = [tuple(r) for r in conn.execute(sa.text(f"SELECT {cols} FROM {table} ORDER BY rowid"))]
    return out


def test_same_results_rows_model_calls_and_failures_as_one_batch_after_another(tmp_path):
    paths = night(tmp_path)
    runs = {}
    for ahead in (False, True):
        where = tmp_path / f"ahead-{ahead}"
        where.mkdir()
        model = RecordingModel()
        summary = run(paths, where, model, ahead=ahead)
        runs[ahead] = (summary, model, (where / "out.jsonl").read_bytes(), stored(where))
    (one, model_one, results_one, rows_one), (two, model_two, results_two, rows_two) = runs[False], runs[True]
    assert model_one.threads == {threading.current_thread().name} and model_two.threads == {"zhijian-model_0"}
    # badnorm1 failed before the model: its batch's labels were dropped and the batch labelled again
    # (on the model thread: one model, one thread) without it, so the labels kept came from the same
    # texts together as in order (the calls of two batches may come in either order)
    dropped = [call for call in model_two.seen if any("badnorm1" in t for t in call)]
    assert len(dropped) == 1 and not any("badnorm1" in t for call in model_one.seen for t in call)
    assert sorted(call for call in model_two.seen if call not in dropped) == sorted(model_one.seen)
    assert results_two == results_one and rows_two == rows_one
    assert sorted((cid, stage) for cid, stage, _ in two.errors) == [
        ("badnorm1", "normalise"), ("boom1", "rubric"), ("h8", "sentiment")
    ]  # fmt: skip
    assert two.errors == one.errors and two.status == one.status == "partial" and two.conversations == 10


def test_next_batch_model_work_overlaps_and_batches_are_stored_in_order(tmp_path, monkeypatch):
    """The rubric of batch 1 waits until the model thread has started batch 2: one after another it
    would wait in vain. Every store call comes from the run's own thread, and a batch's results are
    stored before any later batch's rubric runs (a run killed half-way keeps whole batches)."""
    events: list[tuple[str, str]] = []
    batch_two_started = threading.Event()
    model = RecordingModel()
    sentiment = sentiment_stage(model)

    def label(convs):
        if convs and convs[0].conversation_id == "c3":
            batch_two_started.set()
        events.append(("sentiment", convs[0].conversation_id))
        sentiment.batch(convs)

    class WaitingRubric(FakeRubric):
        def score(self, conv: Conversation) -> None:
            if conv.conversation_id == "c0":
                assert batch_two_started.wait(PATIENCE_SECONDS), "batch 2's model work did not start beside batch 1"
            events.append(("rubric", conv.conversation_id))
            super().score(conv)

    store_threads: set[str] = set()
    for name in ("load_conversation_messages", "save_scored", "save_results", "upcoming_conversations"):
        original = getattr(Store, name, None)
        if original is None:
            continue

        def wrapper(self, *args, _original=original, _name=name, **kw):
            store_threads.add(threading.current_thread().name)
            if _name in ("save_scored", "save_results"):  # save_scored writes conversations and results at once
                events.append(("saved", args[0][0].conversation_id))
            return _original(self, *args, **kw)

        monkeypatch.setattr(Store, name, wrapper)
    data = [r for i in range(7) for r in rows(f"c{i}")]
    summary = score_files(
        [write_jsonl(tmp_path / "d.jsonl", data)], f"sqlite:///{tmp_path / 'qa.db'}", tmp_path / "out.jsonl",
        rubric=WaitingRubric(), model=model, read_inputs=fake_read_inputs, batch_size=3,
        stages=[*fake_stages(), ConversationStage("sentiment", sentiment.requires, sentiment.assigns, sentiment.func,
                                                  label, ahead=True)],
    )  # fmt: skip
    assert summary.scored == 7 and summary.status == "ok"
    assert store_threads == {threading.current_thread().name}
    assert model.threads == {"zhijian-model_0"}
    saved = [cid for kind, cid in events if kind == "saved"]
    assert saved == ["c0", "c3", "c6"]
    for first_of_next, first_of_this in (("c3", "c0"), ("c6", "c3")):
        # every rubric call of the next batch comes after this batch was saved
        assert events.index(("saved", first_of_this)) < events.index(("rubric", first_of_next))
    assert not [t for t in threading.enumerate() if t.name.startswith("zhijian-model")]


def test_a_failing_run_stops_the_model_thread(tmp_path, monkeypatch):
    original = Store.save_scored

    def broken(self, convs, run_id, *args):
        if convs[0].conversation_id == "c3":
            raise RuntimeError("disk full")
        return original(self, convs, run_id, *args)

    monkeypatch.setattr(Store, "save_scored", broken)
    data = [r for i in range(9) for r in rows(f"c{i}")]
    with pytest.raises(RuntimeError, match="disk full"):
        run([write_jsonl(tmp_path / "d.jsonl", data)], tmp_path, RecordingModel())
    assert not [t for t in threading.enumerate() if t.name.startswith("zhijian-model")]
    store = Store(f"sqlite:///{tmp_path / 'qa.db'}")
    assert store.list_runs()[0]["status"] == "failed"
    with store.engine.connect() as conn:  # batch 1 stored whole, nothing of batch 2 or 3
        assert conn.execute(sa.text("SELECT count(*) FROM results")).scalar() == 3


class PieceCounter:
    """The project's reader in pieces of one conversation (three rows), counting the pieces handed out.
    `hold`: after piece n is stored, the next piece is read only once `hold[n]` is set (or after
    PATIENCE_SECONDS), so a model call started during ingest comes before the pieces after n."""

    def __init__(self, hold: dict[int, threading.Event] | None = None) -> None:
        self.pieces = 0
        self.hold = hold or {}

    def __call__(self, paths, mapping=None):
        from pipeline.ingest import read_inputs

        return read_inputs(paths, mapping=mapping)

    def chunks(self, paths, mapping=None):
        from pipeline.ingest import read_input_chunks

        for piece in read_input_chunks(paths, mapping, chunk_messages=3):
            self.pieces += 1
            yield piece
            if self.pieces in self.hold:
                self.hold[self.pieces].wait(PATIENCE_SECONDS)


class PieceModel(RecordingModel):
    """Remembers, for each call, how many ingest pieces had been read when it came, and sets
    `called[cid]` once a text of conversation cid was in a call."""

    def __init__(self) -> None:
        super().__init__()
        self.reader = PieceCounter()
        self.at_piece: list[int] = []
        self.called: dict[str, threading.Event] = {f"c{i}": threading.Event() for i in range(10)}

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.at_piece.append(self.reader.pieces)
        for cid in {c for t in texts for c in re.findall(r"c\d", t)}:
            self.called[cid].set()
        return super().predict_proba(texts)

    def piece_of(self, cid: str) -> int:
        """How many pieces had been read when the call with conversation cid's texts came."""
        return next(at for call, at in zip(self.seen, self.at_piece) if any(cid in t for t in call))


def _first_batch_runs(tmp_path, data_files, hold: dict[int, str] | None = None) -> dict:
    """The same night twice: with the first batches started during ingest, and with every batch started
    in turn (a dispatch that is not score_in_turn: what a Dask run does). `hold` (piece -> conversation
    id): in the first run, after that piece the next one waits for a model call with the conversation."""
    from pipeline.scoring import PLAIN_STEPS, score_in_turn

    out = {}
    for early in (True, False):
        where = tmp_path / f"early-{early}"
        where.mkdir()
        model = PieceModel()
        if early and hold:
            model.reader.hold = {n: model.called[cid] for n, cid in hold.items()}
        in_turn = dataclasses.replace(PLAIN_STEPS, dispatch=lambda c, b, s: score_in_turn(c, b, s))
        steps = PLAIN_STEPS if early else in_turn
        summary = score_files(
            data_files, f"sqlite:///{where / 'qa.db'}", where / "out.jsonl", model=model, rubric=FakeRubric(),
            read_inputs=model.reader, stages=[*fake_stages(), sentiment_stage(model)], batch_size=3, steps=steps,
        )  # fmt: skip
        out[early] = (summary, model, model.reader, (where / "out.jsonl").read_bytes(), stored(where))
    return out


def test_the_first_batches_model_work_starts_while_ingest_still_reads(tmp_path):
    """Ten conversations, one per ingest piece, batches of 3: once a batch and a bit more (c0–c3) are
    stored, c0–c2's model work starts; once two batches and a bit more (c0–c6), c3–c5's; not a third
    (EarlyBatches.AHEAD). The run stores and writes what it would have with every batch started in
    turn, and the model sees the same texts together."""
    data = [r for i in range(10) for r in rows(f"c{i}")]
    runs = _first_batch_runs(tmp_path, [write_jsonl(tmp_path / "d.jsonl", data)], hold={4: "c0", 7: "c3"})
    summary, model, reader, results, rows_early = runs[True]
    summary2, model2, reader2, results2, rows_late = runs[False]
    assert summary.status == summary2.status == "ok" and summary.scored == 10
    assert (model.piece_of("c0"), model.piece_of("c3"), model.piece_of("c6")) == (4, 7, reader.pieces)
    assert model2.piece_of("c0") == reader2.pieces
    assert sorted(model.seen) == sorted(model2.seen)
    assert results == results2 and rows_early == rows_late


def test_a_later_message_of_the_first_batch_drops_the_early_model_work(tmp_path):
    """c1 gets one more customer turn in the next day's file, read after the first two batches' model
    work started: both are dropped (the second with the first: the model thread never holds a later
    batch before an earlier one), and c1 is scored with all its messages, as without them."""
    data = [r for i in range(10) for r in rows(f"c{i}")]
    late = "c1 第二天还是很差"
    next_day = [dict(rows("c1", day=4)[0], text=late)]
    files = [write_jsonl(tmp_path / "d1.jsonl", data), write_jsonl(tmp_path / "d2.jsonl", next_day)]
    runs = _first_batch_runs(tmp_path, files, hold={4: "c0", 7: "c3"})
    (summary, model, _, results, rows_early), (_, model2, _, results2, rows_late) = runs[True], runs[False]
    assert summary.scored == 10
    assert results == results2 and rows_early == rows_late
    c1 = next(json.loads(x) for x in results.decode().splitlines() if json.loads(x)["conversation_id"] == "c1")
    assert len(c1["sentiment"]["turns"]) == 3  # the late turn is in
    # the early run's model saw c1 once without its late turn (the dropped guess); the other run never did
    assert [call for call in model.seen if any(t.startswith("c1 ") for t in call) and late not in call]
    assert all(late in call for call in model2.seen if any(t.startswith("c1 ") for t in call))
    with_c3 = lambda m: sum(any("c3" in t for t in call) for call in m.seen)  # noqa: E731
    assert (with_c3(model), with_c3(model2)) == (2, 1)  # the dropped second guess, then its batch


def test_the_next_batch_is_loaded_for_the_model_before_this_batch_is_normalised(tmp_path, monkeypatch):
    """When the first batch's model work started during ingest it may be done when scoring begins: the
    second batch goes to the model thread first, then the first batch is normalised and segmented."""
    from pipeline.stages import normalise_stage
    from tests.pipeline._scoring_fakes import fake_normalise

    events: list[tuple[str, str]] = []
    original = Store.load_conversation_messages

    def load(self, ids):
        ids = list(ids)
        events.append(("load", ids[0]))
        return original(self, ids)

    def normalise(conv):
        events.append(("normalise", conv.conversation_id))
        fake_normalise(conv)

    monkeypatch.setattr(Store, "load_conversation_messages", load)
    model = RecordingModel()
    assemble, _, segment = fake_stages()
    data = [r for i in range(7) for r in rows(f"c{i}")]
    summary = score_files(
        [write_jsonl(tmp_path / "d.jsonl", data)], f"sqlite:///{tmp_path / 'qa.db'}", tmp_path / "out.jsonl",
        rubric=FakeRubric(), model=model, read_inputs=fake_read_inputs, batch_size=3,
        stages=[assemble, normalise_stage(normalise), segment, sentiment_stage(model)],
    )  # fmt: skip
    assert summary.scored == 7
    assert events.index(("load", "c3")) < events.index(("normalise", "c0"))
