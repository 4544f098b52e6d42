"""Bounded memory for the nightly run: tonight's rows go to the store piece by piece, results to a temporary file.

The run's memory must not grow with the input (issue 16: at most 1.5 GB at 100,000
conversations). Two things used to grow with it: every masked `Message` of the night held at
once between ingest and store, and every conversation's results-contract object held until
the results file was written. So:

- `spill_inputs(ctx, pieces)` stores each piece of `pipeline.ingest.read_input_chunks` as it
  comes (notes filtered to new messages first, then the messages) and keeps only counts and
  conversation ids: `SpilledIngest`. A conversation spread over several pieces or files is
  whole once every piece is stored, and scoring reads conversations back from the store
  (pipeline/scoring.py score_batch), so nothing is scored half. Quarantined rows are kept (they
  are few, and the store step stores them as before).
- `ResultSpool` is the run's `conversation_id -> contract object` map on disk (each object as its
  results-file line, in a temporary file): the results file is written from it in input order, one
  line at a time, copied as it was encoded (a contract object is plain JSON, so reading one back
  gives the same object; the run does not need to, and each object is encoded once).

Invariant, per piece and in total: read = messages + duplicates in the piece + quarantined, and
the run reports read = stored + duplicates + quarantined (a repeat in a later piece is a store
duplicate, found by its message_key).
"""
from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.outputs import atomic_write
from pipeline.results import encoded_result, result_line

log = logging.getLogger("zhijian.scoring")


@dataclass
class SpilledIngest:
    """What ingest read and already stored: counts and ids only (the messages are in the store)."""

    read: int = 0
    kept: int = 0  # messages handed to the store (stored + store duplicates)
    duplicates_in_batch: int = 0  # repeats found within a piece
    quarantined: list = field(default_factory=list)  # stored by the store step
    stored: int = 0
    store_duplicates: int = 0  # already in the store (an earlier night, or an earlier piece of tonight)
    notes: int = 0  # ingest notes stored (only those of newly stored messages)
    touched: set[str] = field(default_factory=set)  # conversations that got new messages
    input_ids: dict[str, None] = field(default_factory=dict)  # conversations in the input, first-appearance order

    @property
    def duplicates(self) -> int:
        return self.duplicates_in_batch + self.store_duplicates


def _piece_duplicates(piece: Any) -> int:
    for name in ("duplicates_in_batch", "duplicates"):
        value = getattr(piece, name, None)
        if value is not None:
            return int(value)
    return 0


def spill_inputs(ctx: Any, pieces: Iterable[Any], on_rows: Any = None, out: SpilledIngest | None = None) -> SpilledIngest:
    """Store each ingest piece as it is read; `ctx` gives `store`, `run_id` and `timed(stage)`.

    Reading is timed as "ingest", writing as "store". `on_rows(read_so_far)` is called after each
    piece (a progress bar). `out`: the pieces before these, already stored (`zhijian score` stores the
    first ones while Prefect's server starts: pipeline.scoring.store_ahead); counted on from there.
    """
    out = out if out is not None else SpilledIngest()
    it: Iterator[Any] = iter(pieces)
    while True:
        with ctx.timed("ingest"):
            piece = next(it, None)
        if piece is None:
            break
        msgs = list(piece.messages)
        quarantined = list(piece.quarantined)
        read = int(piece.read)
        dups = _piece_duplicates(piece)
        if read != len(msgs) + len(quarantined) + dups:
            # Keep the contract's invariant honest: whatever ingest counted as read is accounted for.
            log.warning("ingest counts disagree: read=%d messages=%d quarantined=%d duplicates=%d",
                        read, len(msgs), len(quarantined), dups)  # fmt: skip
            dups = max(read - len(msgs) - len(quarantined), 0)
        with ctx.timed("store"):
            # A note belongs to its message: a re-run that stores no message stores none of its notes.
            notes = list(getattr(piece, "notes", None) or [])
            if notes:
                new_keys = ctx.store.new_message_keys(n.message_key for n in notes)
                notes = [n for n in notes if n.message_key in new_keys]
            stored, store_dups, touched = ctx.store.store_messages_detail(msgs, ctx.run_id)
            if notes:
                ctx.store.store_notes(notes, ctx.run_id)
        out.read += read
        out.kept += len(msgs)
        out.duplicates_in_batch += dups
        out.quarantined.extend(quarantined)
        out.stored += stored
        out.store_duplicates += store_dups
        out.notes += len(notes)
        out.touched |= touched
        for m in msgs:
            out.input_ids.setdefault(m.conversation_id, None)
        on_piece = getattr(ctx, "on_piece", None)
        if on_piece is not None:  # the run's first batches may start on the model thread (pipeline.partitions.EarlyBatches)
            on_piece(out.input_ids, out.touched, touched)
        if on_rows is not None:
            on_rows(out.read)
    return out


class ResultSpool:
    """`conversation_id -> results-contract object`, kept in a temporary file instead of memory.

    The part of the dict interface the run uses: `spool[cid] = obj`, `spool[cid]`, `cid in spool`,
    `get`, `update`, `len`, iteration over ids (insertion order). A re-assigned id keeps its latest object.
    Pickling it (a task runner sending the run's context elsewhere) carries the contents, as a dict's would.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="zhijian-results-")
        # id -> (offset, length) of its line in the file, and its flag codes when it is flagged (the run's summary)
        self._index: dict[str, tuple[int, int, tuple[str, ...] | None]] = {}
        # The file's length, and whether its position is there: lines are appended without a seek
        # (a seek flushes the write buffer: one write call per conversation)
        self._end = 0
        self._at_end = True

    def __setitem__(self, conversation_id: str, result: dict) -> None:
        self.put_line(conversation_id, result_line(result), result)

    def put_line(self, conversation_id: str, data: bytes, result: dict) -> None:
        """Keep `data`, the object's results-file line made already (pipeline.results.result_json, UTF-8);
        `result`: the object, or the result_fields it was made from (its flags are read)."""
        flags = tuple(f["code"] for f in result["flags"] or ()) if result.get("flagged") else None
        if not self._at_end:
            self._file.seek(self._end)
            self._at_end = True
        self._index[conversation_id] = (self._end, len(data), flags)
        self._file.write(data)
        self._file.write(b"\n")  # each line with its newline, as the results file holds it (write_in_order)
        self._end += len(data) + 1

    def put_scored(self, convs: Iterable[Any], prepared: dict[str, tuple[dict, Any, bytes]]) -> tuple[dict, dict]:
        """Keep the results-file lines of scored conversations, each made as it comes (a batch's lines are not all
        held); returns their result_fields and JSON columns by id, for the store's rows (made once for both).
        `prepared`: those made already (the run's worker process made them, pipeline/local_worker.py), by id."""
        fields, columns = {}, {}
        for conv in convs:
            cid = conv.conversation_id
            fields[cid], columns[cid], line = prepared.get(cid) or encoded_result(conv)
            self.put_line(cid, line, fields[cid])
        return fields, columns

    def write_in_order(self, ids: Iterable[str], path: str | Path | None) -> tuple[int, list[tuple[str, list[str]]]] | None:
        """The results file of `ids` (input order) in one copy of the spool's file, where that is the same file: each
        id held, in the order its line was written, no line replaced (the common night: every conversation scored,
        in the batches' input order). Returns (lines, [(id, flag codes) of the flagged ones, in order]); None, and
        nothing written, where the orders differ (results reused from the store, a re-assigned id): the caller then
        writes line by line. Why: reading back and re-encoding each line cost ~0.1 CPU s at 10,000 conversations."""
        index = self._index
        order = [cid for cid in ids if cid in index]
        if len(order) != len(index) or order != list(index):
            return None
        at = 0
        for offset, length, _ in index.values():
            if offset != at:
                return None
            at += length + 1
        if at != self._end:
            return None
        if path is not None:
            self._file.flush()
            self._file.seek(0)
            self._at_end = False
            with atomic_write(Path(path)) as fh:  # text mode: nothing buffered there, the bytes go to its buffer
                fh.flush()
                shutil.copyfileobj(self._file, fh.buffer)
        return len(order), [(cid, list(codes)) for cid, (_, _, codes) in index.items() if codes is not None]

    def line(self, conversation_id: str) -> str:
        """The object's results-file line (without its newline), exactly as `dumps_result` wrote it."""
        offset, length, _ = self._index[conversation_id]
        self._at_end = False
        self._file.seek(offset)
        return self._file.read(length).decode("utf-8")

    def flag_codes(self, conversation_id: str) -> tuple[str, ...] | None:
        """The codes of the object's flags when it is flagged, else None (read without the file)."""
        return self._index[conversation_id][2]

    def __getitem__(self, conversation_id: str) -> dict:
        return json.loads(self.line(conversation_id))

    def update(self, results: dict[str, dict]) -> None:
        for cid, result in results.items():
            self[cid] = result

    def get(self, conversation_id: str, default: Any = None) -> Any:
        return self[conversation_id] if conversation_id in self._index else default

    def __contains__(self, conversation_id: object) -> bool:
        return conversation_id in self._index

    def __len__(self) -> int:
        return len(self._index)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._index))

    def items(self) -> Iterator[tuple[str, dict]]:
        for cid in list(self._index):
            yield cid, self[cid]

    def close(self) -> None:
        self._file.close()

    def __reduce__(self) -> tuple:
        return (_spool_from_items, (list(self.items()),))


def _spool_from_items(items: list[tuple[str, dict]]) -> ResultSpool:
    spool = ResultSpool()
    for cid, result in items:
        spool[cid] = result
    return spool
