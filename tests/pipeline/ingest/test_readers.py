"""pipeline/ingest/readers.py: each format's "Bad input" cases of chatlog-format.md, and which format a file is."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from pipeline.ingest import TRUNCATION_MARK, assemble, read_inputs
from tests.pipeline.ingest._helpers import MESSY, SHANGHAI, check_counts, read


def test_truncated_last_line_is_quarantined_not_fatal():
    r = read("truncated_last_line.jsonl")
    assert (r.read, len(r.messages), len(r.quarantined)) == (3, 2, 1)
    q = r.quarantined[0]
    assert q.line == 3 and q.source_file.endswith("truncated_last_line.jsonl")
    assert "line 3" in q.reason and "truncated" in q.reason
    assert q.raw.startswith('{"conversation_id": "t1"')


def test_jsonl_of_conversations(tmp_path):
    path = tmp_path / "convs.jsonl"
    conv = {"conversation_id": "z1", "messages": [
        {"timestamp": "2026-10-03 10:00:00", "role": "customer", "text": "a"},
        {"timestamp": "2026-10-03 10:00:10", "role": "agent", "agent_id": "A", "text": "b"}]}
    path.write_text(json.dumps(conv) + "\n", encoding="utf-8")
    r = read_inputs([path])
    check_counts(r)
    assert [m.conversation_id for m in r.messages] == ["z1", "z1"]


@pytest.mark.parametrize("name,ids", [("nested.json", ("j1", "j2")), ("nested_wrapped.json", ("k1", "k2"))])
def test_nested_conversation_json(name, ids):
    r = read(name)
    assert len(r.messages) == 3 and len(r.quarantined) == 1
    assert "messages[2]" in r.quarantined[0].reason
    convs = {c.conversation_id: c for c in assemble(r.messages)}
    assert set(convs) == set(ids)
    first = convs[ids[0]]
    assert first.customer_id == "b100" and first.shop == "示例旗舰店" and first.channel == "淘宝"
    assert first.messages[1].agent_id == "A12"


def test_truncated_nested_json_keeps_complete_conversations(tmp_path):
    text = (MESSY / "nested.json").read_text(encoding="utf-8")
    cut = text[: text.index('"j2"') + 10]
    path = tmp_path / "cut.json"
    path.write_text(cut, encoding="utf-8")
    r = read_inputs([path])
    check_counts(r)
    assert {m.conversation_id for m in r.messages} == {"j1"}
    assert any("not valid JSON" in q.reason or "truncated" in q.reason for q in r.quarantined)


def test_stray_quote_in_csv_keeps_the_rest_of_the_file():
    r = read("stray_quote.csv")
    texts = [m.text for m in r.messages]
    assert texts[0] == '我想问下"大号的有货吗'  # the stray quote stays as written
    assert texts[1] == "亲，有的\n两个颜色都有"  # a real multi-line quoted field
    assert "感谢您的耐心等待，祝您生活愉快" in texts
    assert len(r.messages) == 5 and len(r.quarantined) == 1
    assert r.quarantined[0].line == 8 and "header has 6" in r.quarantined[0].reason


def test_csv_field_longer_than_the_csv_module_default(tmp_path):
    long_text = "很长" * 100_000  # 200,000 characters: beyond csv's 128 KiB default
    path = tmp_path / "long.csv"
    path.write_text(f'conversation_id,timestamp,role,text\nc,2026-10-03 10:00:00,customer,"{long_text}"\n'
                    "c,2026-10-03 10:00:01,customer,next\n", encoding="utf-8")
    r = read_inputs([path])
    check_counts(r)
    assert len(r.messages) == 2 and r.messages[0].text.endswith(TRUNCATION_MARK)


def test_chinese_headers_recognised_without_mapping():
    r = read("chinese_headers.csv")
    assert [(m.role, m.agent_id, m.customer_id) for m in r.messages] == [("customer", None, "b200"), ("agent", "A13", None)]


@pytest.mark.parametrize("mapping_file", ["qianniu_mapping.yaml", "qianniu_mapping.toml"])
def test_export_with_mapping_file(mapping_file):
    r = read("qianniu_export.csv", mapping=MESSY / mapping_file)
    assert [m.role for m in r.messages] == ["customer", "agent", "system"]
    assert r.messages[1].agent_id == "shop:小美"
    assert r.messages[0].timestamp == datetime(2026, 10, 3, 21, 0, tzinfo=SHANGHAI)
    assert r.messages[2].csat == 5
    assert r.messages[0].customer_id == "tb_buyer_1"


def test_export_without_its_mapping_says_what_to_declare():
    r = read("qianniu_export.csv")
    assert not r.messages and len(r.quarantined) == 3
    assert "column mapping" in r.quarantined[0].reason


def test_ambiguous_headers_are_not_guessed(tmp_path):
    path = tmp_path / "amb.csv"
    path.write_text("会话ID,时间,发送时间,发送方,内容\nc,2026-10-03 10:00:00,2026-10-03 10:00:00,买家,hi\n", encoding="utf-8")
    r = read_inputs([path])
    check_counts(r)
    assert len(r.quarantined) == 1
    assert "'时间', '发送时间' could each be timestamp" in r.quarantined[0].reason


def test_parquet():
    r = read("chats.parquet")
    assert [m.text for m in r.messages] == ["价保怎么申请", "亲，价保在订单详情页申请"]
    assert r.messages[0].shop == "示例旗舰店" and r.messages[0].channel == "天猫"
    assert r.quarantined[0].line == 3 and "row 3" in r.quarantined[0].reason
    [conv] = assemble(r.messages)
    assert conv.shop == "示例旗舰店" and conv.channel == "天猫"


def test_broken_parquet_is_a_file_level_quarantine(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1" + b"\x00garbage" * 20)
    r = read_inputs([path])
    check_counts(r)
    assert r.read == 1 and "Parquet" in r.quarantined[0].reason


def test_excel_export():
    r = read("excel_export.xlsx")
    assert [(m.conversation_id, m.role, m.agent_id) for m in r.messages] == [
        ("20261003001", "customer", None), ("20261003001", "agent", "A14")]
    assert r.messages[0].timestamp == datetime(2026, 10, 3, 22, 0, tzinfo=SHANGHAI)
    assert r.messages[0].text == "收件人[姓名]，电话138****5678"
    assert len(r.quarantined) == 1 and "row 5" in r.quarantined[0].reason


def test_workbook_saved_with_a_csv_name(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes((MESSY / "excel_export.xlsx").read_bytes())
    r = read_inputs([path])
    check_counts(r)
    assert len(r.messages) == 2


@pytest.mark.parametrize("line", [
    '{"conversation_id": "c1", "seq": 1, "csat": null, "text": "好的"}',
    '{"conversation_id": 123456789012345678901234, "text": "x"}',  # past 64 bits: orjson would give a float
    '{"seq": 2.0, "csat": NaN, "t": 1e400}',  # floats, and what orjson refuses
    '{"text": "\\ud800 lone"}',  # a lone surrogate escape (orjson refuses it)
    '{"text": {"card": [1, 2.5]}}',  # a nested value
    '[1, 2]',
])
def test_loads_line_is_the_json_modules_value(line):
    from pipeline.ingest.readers import _loads_line

    got, want = _loads_line(line), json.loads(line)
    assert repr(got) == repr(want) and type(got) is type(want)


@pytest.mark.parametrize("line", ['{"a": 1,}', '{"a": "b"', "{'a': 1}", "[1, 2"])
def test_loads_line_errors_are_the_json_modules(line):
    from pipeline.ingest.readers import _loads_line

    with pytest.raises(json.JSONDecodeError) as got:
        _loads_line(line)
    with pytest.raises(json.JSONDecodeError) as want:
        json.loads(line)
    assert (got.value.msg, got.value.colno) == (want.value.msg, want.value.colno)
