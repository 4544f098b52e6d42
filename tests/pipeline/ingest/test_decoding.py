"""pipeline/ingest/decoding.py: encodings found without being told; a line with bad bytes is quarantined alone."""
from __future__ import annotations

from pipeline.ingest import read_inputs
from tests.pipeline.ingest._helpers import check_counts, read


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
