"""pipeline/spill.py: the run with the real reader in tiny pieces gives the same counts and results as one piece;
a conversation spread over pieces and files is scored whole; the results spool behaves like the dict it replaces."""
from __future__ import annotations

import json
import pickle
from functools import partial

from pipeline.ingest import read_input_chunks, read_inputs
from pipeline.scoring import score_files
from pipeline.spill import ResultSpool
from tests.pipeline._scoring_fakes import FakeModel, FakeRubric, chat_rows, fake_stages, write_jsonl


def _reader(chunk_messages: int):
    """The project's reader, cut into pieces of `chunk_messages` (ingest_step asks for `.chunks`)."""
    def whole(paths, mapping=None):
        return read_inputs(paths, mapping=mapping)

    whole.chunks = partial(read_input_chunks, chunk_messages=chunk_messages)
    return whole


def _run(paths, tmp_path, name, chunk_messages):
    return score_files(
        paths, f"sqlite:///{tmp_path / (name + '.db')}", tmp_path / f"{name}.jsonl", rubric=FakeRubric(),
        model=FakeModel(), stages=fake_stages(), read_inputs=_reader(chunk_messages),
    )  # fmt: skip


def _days(tmp_path):
    h1 = chat_rows("h001")
    day1 = chat_rows("h002", bad_end=True) + h1[:2] + chat_rows("h003") + [{"conversation_id": "h004", "role": "customer"}]
    day2 = h1[2:] + chat_rows("h002", bad_end=True)[:1]  # the rest of h001, and a repeat of a day-1 row
    return [write_jsonl(tmp_path / "day1.jsonl", day1), write_jsonl(tmp_path / "day2.jsonl", day2)]


def test_pieces_give_the_same_counts_and_results_as_one_piece(tmp_path):
    files = _days(tmp_path)
    whole = _run(files, tmp_path, "whole", 10_000)
    tiny = _run(files, tmp_path, "tiny", 1)
    counts = lambda s: (s.read, s.stored, s.duplicates, s.quarantined, s.conversations, s.flagged, s.scored)  # noqa: E731
    assert counts(tiny) == counts(whole)
    assert tiny.read == tiny.stored + tiny.duplicates + tiny.quarantined and tiny.duplicates == 1
    out = lambda name: [json.loads(x) for x in (tmp_path / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]  # noqa: E731
    strip = lambda rs: [{k: v for k, v in r.items() if k not in ("run_id", "scored_at")} for r in rs]  # noqa: E731
    assert strip(out("tiny")) == strip(out("whole"))
    h001 = next(r for r in out("tiny") if r["conversation_id"] == "h001")
    # spread over two files and several pieces, scored whole: both customer turns (day 1 and day 2)
    assert [t["seq"] for t in h001["sentiment"]["turns"]] == [1, 3]


def test_a_rerun_in_pieces_reads_every_result_back(tmp_path):
    files = _days(tmp_path)
    first = _run(files, tmp_path, "again", 2)
    again = _run(files, tmp_path, "again", 2)
    assert (again.stored, again.scored, again.reused) == (0, 0, first.conversations)
    assert again.duplicates == again.read - again.quarantined


def test_result_spool_is_a_dict_on_disk():
    spool = ResultSpool()
    spool["a"] = {"conversation_id": "a", "score": 1.0}
    spool["b"] = {"conversation_id": "b", "flags": [{"code": "x"}]}
    spool["a"] = {"conversation_id": "a", "score": 2.0}  # a re-scored conversation keeps its latest object
    assert list(spool) == ["a", "b"] and len(spool) == 2 and "b" in spool and "c" not in spool
    assert spool["a"]["score"] == 2.0 and spool.get("c") is None
    spool.update({"c": {"conversation_id": "c"}})
    assert spool["c"] == {"conversation_id": "c"} and len(spool) == 3
    copy = pickle.loads(pickle.dumps(spool))  # a task runner sending the context elsewhere carries the contents
    assert dict(copy.items()) == dict(spool.items())


def test_progress_is_told_the_rows_read_after_each_piece(tmp_path):
    from contextlib import nullcontext

    from pipeline.spill import spill_inputs
    from pipeline.store import Store

    class Ctx:  # what spill_inputs needs of a RunContext
        store = Store(f"sqlite:///{tmp_path / 'p.db'}")
        run_id = None

        def timed(self, stage):
            return nullcontext()

    files = _days(tmp_path)
    seen: list[int] = []
    out = spill_inputs(Ctx(), read_input_chunks(files, chunk_messages=3), on_rows=seen.append)
    assert seen == sorted(seen) and seen[-1] == out.read and len(seen) >= 3
    assert out.read == out.stored + out.duplicates + len(out.quarantined)
    Ctx.store.close()


def test_result_spool_keeps_each_object_as_its_results_file_line():
    from pipeline.results import dumps_result

    obj = {"conversation_id": "a", "score": 0.1 + 0.2, "flagged": True, "flags": [{"code": "sla_breach"}, {"code": "x"}],
           "criteria": {"greeting": {"evidence": [{"text": "亲，您好", "span": [0, 2]}]}}}  # fmt: skip
    spool = ResultSpool()
    spool["a"] = obj
    spool["b"] = {"conversation_id": "b", "flagged": False, "flags": []}
    assert spool.line("a") == dumps_result(obj) and spool["a"] == obj  # the same object back, floats exact
    assert spool.flag_codes("a") == ("sla_breach", "x") and spool.flag_codes("b") is None


def test_pieces_stored_ahead_of_the_run_are_counted_on_by_its_ingest_step(tmp_path):
    """zhijian score's store-ahead: prepare_ahead, store_ahead of the first pieces, then the run takes that
    context and its ingest step stores the rest into the same counts (spill_inputs(out=…))."""
    import itertools

    from pipeline import scoring

    files = _days(tmp_path)
    whole = _run(files, tmp_path, "whole", 10_000)

    class Continued:  # one reader for the whole run: the ingest step reads on where store_ahead stopped
        def __init__(self):
            self.pieces = read_input_chunks(files, chunk_messages=1)

        def __call__(self, paths, mapping=None):
            raise AssertionError("the run asks for pieces")

        def chunks(self, paths, mapping=None):
            return self.pieces

    reader = Continued()
    options = dict(rubric=FakeRubric(), model=FakeModel(), stages=fake_stages(), read_inputs=reader)
    store = f"sqlite:///{tmp_path / 'ahead.db'}"
    ctx = scoring.prepare_ahead(files, "run-ahead", store_url=store, **options)
    scoring.store_ahead(ctx, itertools.islice(reader.pieces, 3))
    assert 0 < ctx.ingested.read < whole.read  # some stored ahead, the rest left to the ingest step
    ahead = score_files(files, store, tmp_path / "ahead.jsonl", run_id="run-ahead", **options)
    assert scoring.take_ahead("run-ahead") is None  # taken by the run
    counts = lambda s: (s.read, s.stored, s.duplicates, s.quarantined, s.conversations, s.flagged, s.scored)  # noqa: E731
    assert (ahead.run_id, counts(ahead)) == ("run-ahead", counts(whole))
    out = lambda name: [json.loads(x) for x in (tmp_path / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]  # noqa: E731
    strip = lambda rs: [{k: v for k, v in r.items() if k not in ("run_id", "scored_at")} for r in rs]  # noqa: E731
    assert strip(out("ahead")) == strip(out("whole"))


def _line_by_line(spool: ResultSpool, ids: list[str], path) -> tuple[int, list]:
    """finish_run's other way: each held id's line read back, in `ids` order."""
    from pipeline.results import write_result_lines

    held = [cid for cid in ids if cid in spool]
    write_result_lines((spool.line(cid) for cid in held), path)
    return len(held), [(cid, list(spool.flag_codes(cid))) for cid in held if spool.flag_codes(cid) is not None]


def _objects(n: int) -> list[dict]:
    return [{"conversation_id": f"c{i}", "score": i / 7, "flagged": i % 3 == 0, "flags": [{"code": f"f{i}"}] if i % 3 == 0
             else [], "criteria": {"greeting": {"evidence": [{"text": "亲，您好" * i}]}}} for i in range(n)]  # fmt: skip


def test_write_in_order_copies_the_spool_as_the_results_file_line_by_line_would_write_it(tmp_path):
    spool = ResultSpool()
    objs = _objects(7)
    for obj in objs:
        spool[obj["conversation_id"]] = obj
    spool["c2"]  # a read in between: the next write goes to the end still
    spool["c7"] = {"conversation_id": "c7", "flagged": False, "flags": []}
    ids = ["c0", "gone", *[f"c{i}" for i in range(1, 8)]]  # an input id without a result is left out, as before
    copied = spool.write_in_order(ids, tmp_path / "copy.jsonl")
    assert copied == _line_by_line(spool, ids, tmp_path / "lines.jsonl")
    assert (tmp_path / "copy.jsonl").read_bytes() == (tmp_path / "lines.jsonl").read_bytes()
    assert copied[0] == 8 and [cid for cid, _ in copied[1]] == ["c0", "c3", "c6"]
    assert spool.write_in_order(ids, None) == copied  # no file: the counts alone
    spool["c8"] = {"conversation_id": "c8"}  # and the spool goes on after a copy
    assert spool["c8"] == {"conversation_id": "c8"} and spool["c6"] == objs[6]


def test_write_in_order_leaves_other_orders_to_the_line_by_line_writer(tmp_path):
    spool = ResultSpool()
    for obj in _objects(4):
        spool[obj["conversation_id"]] = obj
    target = tmp_path / "out.jsonl"
    assert spool.write_in_order(["c1", "c0", "c2", "c3"], target) is None  # input order is not the spool's
    assert spool.write_in_order(["c0", "c1", "c2"], target) is None  # a held result not in the input
    spool["c1"] = {"conversation_id": "c1", "score": 9}  # re-assigned: its newer line is at the file's end
    assert spool.write_in_order(["c0", "c1", "c2", "c3"], target) is None
    assert not target.exists()  # nothing written where it answered None


def test_a_run_that_reuses_results_writes_the_same_file_as_one_that_scores_them(tmp_path):
    """Reused results are spooled before the scored ones (store_step): the line-by-line writer keeps input order."""
    files = _days(tmp_path)
    _run(files[:1], tmp_path, "half", 10_000)
    half = _run(files, tmp_path, "half", 10_000)  # day 1's untouched conversations reused, the rest scored
    assert half.reused > 0 and half.scored > 0
    _run(files, tmp_path, "fresh", 10_000)
    strip = lambda name: [json.loads(x) for x in (tmp_path / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]  # noqa: E731
    assert [r["conversation_id"] for r in strip("half")] == [r["conversation_id"] for r in strip("fresh")]
    assert strip("half") == strip("fresh")
