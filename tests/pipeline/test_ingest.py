"""Ingest: every "Bad input" case of chatlog-format.md, counts that add up, no personal data kept."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest import (
    MAX_TEXT_CHARS,
    TRUNCATION_MARK,
    IngestResult,
    assemble,
    message_key,
    parse_timestamp,
    read_inputs,
)
from pipeline.mapping import ColumnMapping

MESSY = Path(__file__).resolve().parent.parent / "fixtures" / "messy"
SHANGHAI = timezone(timedelta(hours=8))


def check_counts(result: IngestResult) -> None:
    assert result.read == len(result.messages) + result.duplicates + len(result.quarantined)
    assert result.counts_add_up()


def read(name: str, **kw) -> IngestResult:
    result = read_inputs([MESSY / name], **kw)
    check_counts(result)
    return result


# ------------------------------------------------------------------ each bad-input case


def test_truncated_last_line_is_quarantined_not_fatal():
    r = read("truncated_last_line.jsonl")
    assert (r.read, len(r.messages), len(r.quarantined)) == (3, 2, 1)
    q = r.quarantined[0]
    assert q.line == 3 and q.source_file.endswith("truncated_last_line.jsonl")
    assert "line 3" in q.reason and "truncated" in q.reason
    assert q.raw.startswith('{"conversation_id": "t1"')


def test_stray_quote_in_csv_keeps_the_rest_of_the_file():
    r = read("stray_quote.csv")
    texts = [m.text for m in r.messages]
    assert texts[0] == '我想问下"大号的有货吗'  # the stray quote stays as written
    assert texts[1] == "亲，有的\n两个颜色都有"  # a real multi-line quoted field
    assert "感谢您的耐心等待，祝您生活愉快" in texts
    assert len(r.messages) == 5 and len(r.quarantined) == 1
    assert r.quarantined[0].line == 8 and "header has 6" in r.quarantined[0].reason


def test_role_synonyms_and_unknown_role():
    r = read("role_strings.jsonl")
    assert [m.role for m in r.messages] == ["customer", "bot", "agent", "customer", "agent", "system"]
    reasons = {q.field: q.reason for q in r.quarantined}
    assert "'快递员' is not a known role" in reasons["role"] and "roles:" in reasons["role"]
    assert "agent_id" in reasons and "agent" in reasons["agent_id"]


def test_extra_role_synonym_from_mapping():
    mapping = ColumnMapping.from_dict({"roles": {"快递员": "system", "坐席": "agent"}})
    r = read("role_strings.jsonl", mapping=mapping)
    assert "system" in [m.role for m in r.messages if m.text == "我是快递"]


def test_bad_fields_are_quarantined_with_actionable_reasons():
    r = read("bad_fields.jsonl")
    by_line = {q.line: q for q in r.quarantined}
    assert by_line[1].field == "timestamp" and "timestamp" in by_line[1].reason
    assert "is missing" in by_line[2].reason
    assert "line 3: field 'timestamp': '2026-13-45' is not an ISO-8601 time or epoch seconds" in by_line[3].reason
    assert "'昨天下午' is not an ISO-8601 time or epoch seconds" in by_line[4].reason
    assert by_line[5].field == "conversation_id"
    assert "not valid JSON" in by_line[12].reason
    assert "not an object" in by_line[13].reason
    kept = {m.text: m for m in r.messages}
    assert kept["epoch 秒"].timestamp == datetime(2026, 10, 3, 13, 0, tzinfo=SHANGHAI)
    assert kept["epoch 毫秒"].timestamp == datetime(2026, 10, 3, 13, 1, tzinfo=SHANGHAI)
    assert kept["斜杠日期"].timestamp == datetime(2026, 10, 3, 11, 2, tzinfo=SHANGHAI)
    assert kept["中文日期"].timestamp == datetime(2026, 10, 3, 11, 3, tzinfo=SHANGHAI)
    # csat out of range / not a number: message kept, rating dropped, and a note says so
    assert all(m.csat is None for m in r.messages if m.text == "评价")
    assert len([n for n in r.notes if n.field == "csat"]) == 2
    assert any("'9' is not an integer 1–5" in n.reason for n in r.notes)


def test_timestamps_are_aware_and_naive_means_shanghai():
    r = read("role_strings.jsonl")
    for m in r.messages:
        assert m.timestamp.tzinfo is not None
        assert m.timestamp.utcoffset() == timedelta(hours=8)
    assert r.messages[0].timestamp == datetime(2026, 10, 3, 2, 0, tzinfo=timezone.utc)


def test_out_of_order_timestamps_and_seq():
    r = read("out_of_order.jsonl")
    convs = {c.conversation_id: c for c in assemble(r.messages)}
    assert [m.text for m in convs["o1"].messages] == ["第一句", "第二句", "第三句"]
    assert [m.seq for m in convs["o1"].messages] == [1, 2, 3]
    # seq from the file wins over time
    assert [m.text for m in convs["o2"].messages] == ["A", "B", "C"]


def test_duplicates_within_file_and_across_offsets():
    r = read("duplicates.jsonl")
    assert r.duplicates == 2 and len(r.messages) == 2
    assert r.duplicates_in_batch == 2


def test_same_file_twice_stores_nothing_twice():
    r = read_inputs([MESSY / "role_strings.jsonl", MESSY / "role_strings.jsonl"])
    check_counts(r)
    assert r.duplicates == len(r.messages) == 6


def test_conversation_split_across_two_nightly_files():
    r = read_inputs([MESSY / "night_2026-10-04.jsonl", MESSY / "night_2026-10-03.jsonl"])
    check_counts(r)
    [conv] = assemble(r.messages)
    assert [m.text for m in conv.messages] == ["还没发货吗", "帮您查询一下", "明天发出", "好的谢谢"]
    assert [m.seq for m in conv.messages] == [1, 2, 3, 4]
    assert {m.source_file for m in conv.messages} == {str(MESSY / "night_2026-10-03.jsonl"), str(MESSY / "night_2026-10-04.jsonl")}


def test_stored_messages_plus_new_night_reassemble():
    first = assemble(read_inputs([MESSY / "night_2026-10-03.jsonl"]).messages)[0].messages
    second = read_inputs([MESSY / "night_2026-10-04.jsonl"]).messages
    [conv] = assemble(first + second)
    assert [m.seq for m in conv.messages] == [1, 2, 3, 4]


def test_content_oddities_are_kept():
    r = read("content_oddities.jsonl")
    texts = [m.text for m in r.messages]
    assert texts[0] == "" and texts[1] == ""  # picture/card messages
    assert len(texts[2]) == 12000  # a 10,000+ paste is kept whole
    assert "<br/>" in texts[3] and "[微笑]" in texts[3]  # text as shown; normalise cleans the analysis form
    assert texts[4] == "這個產品質量問題，請幫我退貨"
    assert texts[5] == "型号ＡＢＣ－１２３，买了２件，ＯＫ？"


def test_text_over_the_cap_is_cut_with_a_note(tmp_path):
    huge = "好" * (MAX_TEXT_CHARS + 500)
    path = tmp_path / "huge.jsonl"
    path.write_text(json.dumps({"conversation_id": "c", "timestamp": "2026-10-03 10:00:00", "role": "customer", "text": huge}),
                    encoding="utf-8")
    r = read_inputs([path])
    [m] = r.messages
    assert m.text.endswith(TRUNCATION_MARK) and len(m.text) == MAX_TEXT_CHARS + len(TRUNCATION_MARK)
    assert r.notes and "kept the first" in r.notes[0].reason
    assert m.message_key == message_key("c", m.timestamp, "customer", None, huge)


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


def test_parquet():
    r = read("chats.parquet")
    assert [m.text for m in r.messages] == ["价保怎么申请", "亲，价保在订单详情页申请"]
    assert r.messages[0].shop == "示例旗舰店" and r.messages[0].channel == "天猫"
    assert r.quarantined[0].line == 3 and "row 3" in r.quarantined[0].reason
    [conv] = assemble(r.messages)
    assert conv.shop == "示例旗舰店" and conv.channel == "天猫"


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


def test_jsonl_of_conversations(tmp_path):
    path = tmp_path / "convs.jsonl"
    conv = {"conversation_id": "z1", "messages": [
        {"timestamp": "2026-10-03 10:00:00", "role": "customer", "text": "a"},
        {"timestamp": "2026-10-03 10:00:10", "role": "agent", "agent_id": "A", "text": "b"}]}
    path.write_text(json.dumps(conv) + "\n", encoding="utf-8")
    r = read_inputs([path])
    check_counts(r)
    assert [m.conversation_id for m in r.messages] == ["z1", "z1"]


def test_truncated_nested_json_keeps_complete_conversations(tmp_path):
    text = (MESSY / "nested.json").read_text(encoding="utf-8")
    cut = text[: text.index('"j2"') + 10]
    path = tmp_path / "cut.json"
    path.write_text(cut, encoding="utf-8")
    r = read_inputs([path])
    check_counts(r)
    assert {m.conversation_id for m in r.messages} == {"j1"}
    assert any("not valid JSON" in q.reason or "truncated" in q.reason for q in r.quarantined)


def test_excel_export():
    r = read("excel_export.xlsx")
    assert [(m.conversation_id, m.role, m.agent_id) for m in r.messages] == [
        ("20261003001", "customer", None), ("20261003001", "agent", "A14")]
    assert r.messages[0].timestamp == datetime(2026, 10, 3, 22, 0, tzinfo=SHANGHAI)
    assert r.messages[0].text == "收件人[姓名]，电话138****5678"
    assert len(r.quarantined) == 1 and "row 5" in r.quarantined[0].reason


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


def test_unreadable_files_are_one_quarantine_row_each(tmp_path):
    empty_dir_file = tmp_path / "binary.csv"
    empty_dir_file.write_bytes(bytes(range(1, 32)) * 300)
    r = read_inputs([MESSY / "garbage.bin", tmp_path / "missing.jsonl", empty_dir_file, MESSY / "role_strings.jsonl"])
    check_counts(r)
    file_rows = [q for q in r.quarantined if q.line is None]
    assert len(file_rows) == 3
    assert any("file not found" in q.reason for q in file_rows)
    assert any("binary" in q.reason or "not text" in q.reason for q in file_rows)
    assert len(r.messages) == 6  # the good file is still read


def test_broken_parquet_is_a_file_level_quarantine(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1" + b"\x00garbage" * 20)
    r = read_inputs([path])
    check_counts(r)
    assert r.read == 1 and "Parquet" in r.quarantined[0].reason


def test_directory_is_expanded():
    r = read_inputs([MESSY])
    check_counts(r)
    assert r.read > 50


# ------------------------------------------------------------------ personal data


PII_RE = re.compile(r"13812345678|1390000|1501234|62345678|110101199003071234|44030419851231002X|"
                    r"zhang\.san@example\.com|6222021234567890128|文三路|建国路|张伟|李秀英")


def test_no_personal_data_survives_in_message_text():
    r = read("personal_data.jsonl")
    for m in r.messages:
        assert not PII_RE.search(m.text), m.text
        assert m.customer_id is None or not PII_RE.search(m.customer_id)
    # order number, price, date and quantity survive
    assert "订单号：123456789012345678" in r.messages[-1].text
    assert "199.00元" in r.messages[-1].text and "10月3号" in r.messages[-1].text and "2件" in r.messages[-1].text
    assert r.messages[0].text.startswith("我的手机是138****5678")


def test_quarantined_raw_is_masked_too(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"conversation_id": "c", "role": "customer", "text": "电话13812345678"}\n', encoding="utf-8")
    r = read_inputs([path])
    assert "13812345678" not in r.quarantined[0].raw and "138****5678" in r.quarantined[0].raw


def test_message_key_is_stable_and_uses_raw_text():
    r1 = read("personal_data.jsonl")
    r2 = read("personal_data.jsonl")
    assert [m.message_key for m in r1.messages] == [m.message_key for m in r2.messages]
    m = r1.messages[0]
    raw = json.loads((MESSY / "personal_data.jsonl").read_text(encoding="utf-8").splitlines()[0])["text"]
    assert m.message_key == message_key("p1", m.timestamp, "customer", None, raw)
    assert len(m.message_key) == 64


def test_parse_timestamp_forms():
    tz = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")
    expected = datetime(2026, 10, 3, 14, 2, 11, tzinfo=SHANGHAI)
    for value in ("2026-10-03T14:02:11+08:00", "2026-10-03 14:02:11", "2026-10-03T06:02:11Z",
                  1791007331, "1791007331", 1791007331000, "2026/10/03 14:02:11", "2026年10月3日 14时02分11秒"):
        assert parse_timestamp(value, tz) == expected, value
    for bad in ("", None, "2026-13-45", "tomorrow", 0, float("nan"), True):
        with pytest.raises(ValueError):
            parse_timestamp(bad, tz)


# ------------------------------------------------------------------ fuzz: never crash, counts add up


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".jsonl", ".csv", ".json", ".parquet", ".tsv", ".txt"]))
def test_fuzz_arbitrary_bytes(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    r = read_inputs([path])
    check_counts(r)


_values = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15), st.floats(allow_nan=True),
                    st.text(max_size=40), st.sampled_from(["customer", "客服", "买家", "机器人", "agent", "bot", "系统",
                                                           "2026-10-03T14:02:11+08:00", "2026-10-03 14:02:11", "1791000131"]))
_rows = st.lists(st.dictionaries(st.sampled_from(["conversation_id", "timestamp", "role", "agent_id", "text", "csat",
                                                   "seq", "customer_id", "shop", "会话ID", "内容", "junk"]),
                                 _values, max_size=9), max_size=12)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows, cut=st.integers(0, 40))
def test_fuzz_jsonl_rows(tmp_path, rows, cut):
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    body = body[: len(body) - cut] if cut < len(body) else body
    path = tmp_path / "rows.jsonl"
    path.write_text(body, encoding="utf-8")
    r = read_inputs([path])
    check_counts(r)
    for conv in assemble(r.messages):
        assert [m.seq for m in conv.messages] == list(range(1, len(conv.messages) + 1))


_cells = st.one_of(st.text(max_size=30), st.sampled_from(["customer", "客服", "买家", "2026-10-03 14:02:11", '"', '""', "a,b", "\n"]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_cells, min_size=0, max_size=7), max_size=12), quote=st.booleans(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_fuzz_csv_rows(tmp_path, rows, quote, encoding):
    buf = io.StringIO()
    buf.write("conversation_id,timestamp,role,agent_id,text\n")
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE, escapechar="\\")
    for row in rows:
        try:
            writer.writerow(row)
        except csv.Error:
            buf.write(",".join(row) + "\n")
    path = tmp_path / "rows.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    r = read_inputs([path])
    check_counts(r)


def test_seq_restarting_in_each_nightly_file_falls_back_to_time(tmp_path):
    day1 = tmp_path / "d1.jsonl"
    day2 = tmp_path / "d2.jsonl"
    day1.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"conversation_id": "s", "seq": 1, "timestamp": "2026-10-03T23:58:00+08:00", "role": "customer", "text": "一"},
        {"conversation_id": "s", "seq": 2, "timestamp": "2026-10-03T23:59:00+08:00", "role": "agent", "agent_id": "A", "text": "二"},
    ]), encoding="utf-8")
    day2.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"conversation_id": "s", "seq": 1, "timestamp": "2026-10-04T00:01:00+08:00", "role": "customer", "text": "三"},
        {"conversation_id": "s", "seq": 2, "timestamp": "2026-10-04T00:02:00+08:00", "role": "agent", "agent_id": "A", "text": "四"},
    ]), encoding="utf-8")
    [conv] = assemble(read_inputs([day2, day1]).messages)
    assert [m.text for m in conv.messages] == ["一", "二", "三", "四"]
    assert [m.seq for m in conv.messages] == [1, 2, 3, 4]


def test_ingest_leaves_seq_none_until_assemble():
    r = read("role_strings.jsonl")
    assert all(m.seq is None for m in r.messages)
    assert all(m.norm == "" and m.tokens == [] for m in r.messages)  # later stages fill these


@pytest.mark.slow
def test_front_throughput(tmp_path):
    """20k messages through ingest+mask+assemble+normalise+segment well inside a CI budget."""
    import time

    from pipeline.normalise import normalise_conversation
    from pipeline.segment import segment_conversation, tokenize

    tokenize("预热")  # jieba load is a one-off per process, not per message
    lines = []
    samples = ["在吗", "亲，您好，很高兴为您服务", "我的手机是13812345678，收货地址：浙江省杭州市西湖区文三路100号",
               "<p>亲&nbsp;在的</p>[微笑]", "這個產品質量問題，請幫我退貨", "订单号：123456789012345678 麻烦查一下"]
    for i in range(20_000):
        row = {"conversation_id": f"c{i // 10}", "timestamp": 1791000000 + i, "role": "agent" if i % 2 else "customer",
               "agent_id": "A1", "text": f"{samples[i % len(samples)]} 第{i}条"}
        lines.append(json.dumps(row, ensure_ascii=False))
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    start = time.perf_counter()
    convs = assemble(read_inputs([path]).messages)
    for c in convs:
        normalise_conversation(c)
        segment_conversation(c)
    elapsed = time.perf_counter() - start
    assert sum(len(c.messages) for c in convs) == 20_000
    assert elapsed < 30, f"{elapsed:.1f}s for 20k messages"


def test_utf16_tab_separated_export(tmp_path):
    body = "会话ID\t时间\t发送方\t客服\t内容\nw1\t2026-10-03 10:00:00\t买家\t\t在吗\nw1\t2026-10-03 10:00:09\t客服\tA1\t在的亲\n"
    path = tmp_path / "export.txt"
    path.write_bytes(body.encode("utf-16"))  # with BOM, as Excel's "Unicode text" writes it
    r = read_inputs([path])
    check_counts(r)
    assert [m.text for m in r.messages] == ["在吗", "在的亲"]


def test_mapping_defaults_and_timezone(tmp_path):
    path = tmp_path / "utc.csv"
    path.write_text("conversation_id,timestamp,role,text\nc,2026-10-03 06:00:00,customer,hi\n", encoding="utf-8")
    mapping = ColumnMapping.from_dict({"timezone": "UTC", "defaults": {"shop": "示例旗舰店", "channel": "抖音"}})
    [m] = read_inputs([path], mapping=mapping).messages
    assert m.timestamp == datetime(2026, 10, 3, 6, 0, tzinfo=timezone.utc)
    assert (m.shop, m.channel) == ("示例旗舰店", "抖音")


def test_unexpanded_glob_patterns():
    r = read_inputs([str(MESSY / "night_*.jsonl"), str(MESSY / "nothing_*.jsonl")])
    check_counts(r)
    assert len(r.messages) == 4
    assert len(r.quarantined) == 1 and "file not found" in r.quarantined[0].reason


def test_workbook_saved_with_a_csv_name(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes((MESSY / "excel_export.xlsx").read_bytes())
    r = read_inputs([path])
    check_counts(r)
    assert len(r.messages) == 2
