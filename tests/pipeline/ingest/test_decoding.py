"""pipeline/ingest/decoding.py: encodings found without being told; a line with bad bytes is quarantined alone."""
from __future__ import annotations

import codecs
import io
import json
import tracemalloc
from dataclasses import asdict

import pytest

from pipeline.ingest import decoding, read_input_chunks, read_inputs, rows
from tests.pipeline.ingest._helpers import MESSY, check_counts, read


def test_gbk_and_bom_csv_read_without_being_told():
    gbk = read("gbk_export.csv")
    bom = read("utf8_bom_export.csv")
    for r in (gbk, bom):
        assert [m.role for m in r.messages] == ["customer", "agent", "customer"]
        assert r.messages[1].text == "亲，您好，支持七天无理由退货"
        assert not r.quarantined
    assert gbk.messages[0].conversation_id == "g1" and bom.messages[0].conversation_id == "u1"


def test_gb18030_file_with_one_bad_line(tmp_path):
    body = "conversation_id,timestamp,role,agent_id,text\n" + "".join(
        f"g,2026-10-03 10:00:{i:02d},买家,,第{i}条消息，质量问题\n" for i in range(10))
    data = body.encode("gb18030").replace("第3条".encode("gb18030"), b"\x81\x20bad")
    path = tmp_path / "gb.csv"
    path.write_bytes(data)
    r = read_inputs([path])
    check_counts(r)
    assert len(r.messages) == 9 and len(r.quarantined) == 1
    assert "GB18030" in r.quarantined[0].reason


def test_non_utf8_bytes_in_one_line():
    r = read("non_utf8_line.jsonl")
    assert len(r.messages) == 2 and len(r.quarantined) == 1
    assert "not valid UTF-8" in r.quarantined[0].reason and r.quarantined[0].line == 2


def test_utf16_tab_separated_export(tmp_path):
    body = "会话ID\t时间\t发送方\t客服\t内容\nw1\t2026-10-03 10:00:00\t买家\t\t在吗\nw1\t2026-10-03 10:00:09\t客服\tA1\t在的亲\n"
    path = tmp_path / "export.txt"
    path.write_bytes(body.encode("utf-16"))  # with BOM, as Excel's "Unicode text" writes it
    r = read_inputs([path])
    check_counts(r)
    assert [m.text for m in r.messages] == ["在吗", "在的亲"]


# ------------------------------------------------------------------ a file read a block at a time, never whole
def _exports() -> dict[str, bytes]:
    """The same day in the encodings shops export in, with the awkward parts: a quoted field over two lines,
    a GB18030 line among UTF-8 ones, a bad byte, no newline at the end."""
    header = "conversation_id,timestamp,role,agent_id,text\n"
    two_lines = "，换行\n接着说"
    rows = [f'c{i // 4},2026-10-03 10:{i // 60:02d}:{i % 60:02d},{"买家" if i % 2 else "客服"},{"" if i % 2 else "A1"},'
            f'"第{i}条，质量问题{two_lines if i % 7 == 3 else ""}"\n' for i in range(60)]
    body = header + "".join(rows)
    mixed = b"".join(line.encode("gb18030" if n % 5 == 2 else "utf-8") for n, line in enumerate(body.splitlines(True)))
    return {
        "gbk.csv": body.encode("gb18030"),
        "utf16-bom.txt": body.replace(",", "\t").encode("utf-16"),
        "utf16-le.txt": body.replace(",", "\t").encode("utf-16-le"),
        "utf8-bom.csv": codecs.BOM_UTF8 + body.encode(),
        "mixed.csv": mixed,
        "bad-byte.csv": body.encode().replace("第9条".encode(), b"\xff\xfe9"),
        "no-final-newline.jsonl": "".join(
            json.dumps({"conversation_id": f"j{i // 3}", "timestamp": f"2026-10-03T10:00:{i:02d}+08:00",
                        "role": "customer" if i % 2 else "agent", "agent_id": "" if i % 2 else "A1",
                        "text": f"第{i}条消息"}, ensure_ascii=False) + "\n" for i in range(40)).rstrip("\n").encode(),
    }


def _as_rows(result) -> tuple:
    return ([asdict(m) for m in result.messages], [q.to_dict() for q in result.quarantined], result.read)


@pytest.mark.parametrize("block", [7, 64, 1000])
def test_blocks_cut_anywhere_read_like_the_whole_file(tmp_path, monkeypatch, block):
    """Detection (BOM, UTF-16 without BOM, GB18030 among UTF-8 lines) and every line as when a file was read whole,
    with blocks cut inside quoted fields, between the bytes of a UTF-16 newline, before the last line."""
    paths = [MESSY / "gbk_export.csv", MESSY / "utf8_bom_export.csv", MESSY / "non_utf8_line.jsonl"]
    for name, data in _exports().items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    whole = {p.name: _as_rows(read_inputs([p])) for p in paths}
    monkeypatch.setattr(decoding, "BLOCK_BYTES", block)
    for p in paths:
        assert _as_rows(read_inputs([p])) == whole[p.name], p.name
        lines = decoding.FileLines(io.BytesIO(p.read_bytes()), p.read_bytes()[: decoding.HEAD_BYTES])
        assert (list(lines), lines.encoding) == decoding.decode_lines(p.read_bytes()), p.name
    assert len(whole["gbk.csv"][0]) == 60 and whole["gbk.csv"][0][3]["text"] == "第3条，质量问题，换行\n接着说"
    texts = {name: [(m["conversation_id"], m["role"], m["text"]) for m in whole[name][0]] for name in whole}
    assert texts["mixed.csv"] == texts["utf8-bom.csv"] == texts["gbk.csv"] == texts["utf16-bom.txt"] == texts["utf16-le.txt"]
    assert len(whole["bad-byte.csv"][1]) == 1 and len(whole["no-final-newline.jsonl"][0]) == 40


def test_a_big_export_is_read_a_block_at_a_time_not_whole(tmp_path, monkeypatch):
    """Memory holds a few blocks of lines and one piece of messages, not the file (a night's export can be 1 GB)."""
    monkeypatch.setattr(decoding, "BLOCK_BYTES", 8 << 10)  # small blocks and pieces: what stays is what grows with the file
    # the masking memo is bounded (MEMO_LIMIT distinct values), not tied to the file: at its real bound it would
    # hold every text of this small file, so it is bounded small here like the blocks
    monkeypatch.setattr(rows, "MEMO_LIMIT", 100)
    path = tmp_path / "big.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(6_000):
            fh.write(json.dumps({"conversation_id": f"c{i // 10}", "timestamp": f"2026-10-03T10:{i // 600 % 60:02d}:{i % 60:02d}+08:00",
                                 "role": "customer" if i % 2 else "agent", "agent_id": "" if i % 2 else "A1",
                                 "text": f"第{i}条消息，亲，您好，请问有什么可以帮您？商品质量问题可以申请七天无理由退货"},
                                ensure_ascii=False) + "\n")  # fmt: skip
    size = path.stat().st_size
    assert size > 1 << 20
    read_inputs([MESSY / "night_2026-10-03.jsonl"])  # what ingest loads once per process (regexes, lexicons) is not the file
    tracemalloc.start()
    try:
        read = sum(piece.read for piece in read_input_chunks([path], chunk_messages=20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert read == 6_000
    assert peak < size / 2, f"peak {peak / 2**20:.2f} MiB while reading a {size / 2**20:.1f} MiB file"


def test_a_read_file_is_freed_with_its_last_reference_not_by_a_full_collection():
    """FileLines and its `raw` view form no cycle: its decoded blocks (megabytes) go when the reader is done
    with the file, not at the garbage collector's next full pass (rare during a run)."""
    import gc
    import weakref

    data = "".join(json.dumps({"text": f"第{i}行"}, ensure_ascii=False) + "\n" for i in range(50)).encode("utf-8")
    lines = decoding.FileLines(io.BytesIO(data), data[:64])
    assert lines.raw[3] == data.split(b"\n")[3] and lines[3] == data.decode("utf-8").split("\n")[3]
    gone = weakref.ref(lines)
    gc.disable()
    try:
        del lines
        assert gone() is None
    finally:
        gc.enable()
