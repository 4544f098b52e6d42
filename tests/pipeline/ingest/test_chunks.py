"""read_input_chunks: the same rows as read_inputs, in pieces whose counts add up, and a binary file still one row."""
from __future__ import annotations

import json

from pipeline.ingest import read_input_chunks, read_inputs
from tests.pipeline.ingest._helpers import MESSY, SAMPLE, check_counts


def _keys(messages):
    return [m.message_key for m in messages]


def test_chunks_hold_the_same_messages_as_one_read_in_the_same_order():
    files = sorted(SAMPLE.glob("chats-2026-10-0*.jsonl")) + [MESSY / "role_strings.jsonl"]
    whole = read_inputs(files)
    pieces = list(read_input_chunks(files, chunk_messages=50))
    assert len(pieces) > 5  # cut inside files too, not only between them
    for piece in pieces:
        check_counts(piece)
        assert len(piece.messages) <= 50
    assert [k for p in pieces for k in _keys(p.messages)] == _keys(whole.messages)
    assert sum(p.read for p in pieces) == whole.read
    assert sum(len(p.quarantined) for p in pieces) == len(whole.quarantined)
    assert sum(len(p.notes) for p in pieces) == len(whole.notes)


def test_a_duplicate_in_a_later_piece_is_kept_for_the_store_to_find(tmp_path):
    row = {"conversation_id": "c1", "timestamp": "2026-10-03T14:02:11+08:00", "role": "customer", "text": "在吗"}
    other = [{**row, "text": f"第{i}句"} for i in range(3)]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [row, *other, row]) + "\n", encoding="utf-8")
    assert read_inputs([path]).duplicates == 1
    pieces = list(read_input_chunks([path], chunk_messages=2))
    # the repeat lands in a later piece: kept there, the store counts it as a duplicate by its key
    assert sum(len(p.messages) for p in pieces) == 5 and sum(p.duplicates for p in pieces) == 0


def test_a_binary_file_is_still_one_quarantined_row_when_chunked():
    whole = read_inputs([MESSY / "garbage.bin"])
    pieces = list(read_input_chunks([MESSY / "garbage.bin"], chunk_messages=1))
    assert [len(p.quarantined) for p in pieces] == [len(whole.quarantined)] == [1]
