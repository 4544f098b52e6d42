"""pipeline/ingest/rows.py: each row becomes a message, a quarantine row or a duplicate; no personal data kept."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone

from pipeline.ingest import MAX_TEXT_CHARS, TRUNCATION_MARK, message_key, read_inputs
from pipeline.mapping import ColumnMapping
from tests.pipeline.ingest._helpers import MESSY, SAMPLE, SHANGHAI, check_counts, read


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


def test_mapping_defaults_and_timezone(tmp_path):
    path = tmp_path / "utc.csv"
    path.write_text("conversation_id,timestamp,role,text\nc,2026-10-03 06:00:00,customer,hi\n", encoding="utf-8")
    mapping = ColumnMapping.from_dict({"timezone": "UTC", "defaults": {"shop": "示例旗舰店", "channel": "抖音"}})
    [m] = read_inputs([path], mapping=mapping).messages
    assert m.timestamp == datetime(2026, 10, 3, 6, 0, tzinfo=timezone.utc)
    assert (m.shop, m.channel) == ("示例旗舰店", "抖音")


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


def test_duplicates_within_file_and_across_offsets():
    r = read("duplicates.jsonl")
    assert r.duplicates == 2 and len(r.messages) == 2
    assert r.duplicates_in_batch == 2


def test_same_file_twice_stores_nothing_twice():
    r = read_inputs([MESSY / "role_strings.jsonl", MESSY / "role_strings.jsonl"])
    check_counts(r)
    assert r.duplicates == len(r.messages) == 6


def test_ingest_leaves_seq_none_until_assemble():
    r = read("role_strings.jsonl")
    assert all(m.seq is None for m in r.messages)
    assert all(m.norm == "" and m.tokens == [] for m in r.messages)  # later stages fill these


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


# ------------------------------------------------------------------ the message key


def test_message_key_is_stable_and_uses_raw_text():
    r1 = read("personal_data.jsonl")
    r2 = read("personal_data.jsonl")
    assert [m.message_key for m in r1.messages] == [m.message_key for m in r2.messages]
    m = r1.messages[0]
    raw = json.loads((MESSY / "personal_data.jsonl").read_text(encoding="utf-8").splitlines()[0])["text"]
    assert m.message_key == message_key("p1", m.timestamp, "customer", None, raw)
    assert len(m.message_key) == 64


def test_message_key_of_a_sample_message_is_pinned():
    """A change of the key rule changes every stored key (files read again would be stored twice): notice it."""
    r = read_inputs([SAMPLE / "chats-2026-10-01.jsonl"])
    m = r.messages[1]  # line 2: an agent message, sent 00:02:04 in Shanghai, i.e. the previous day in UTC
    assert (m.conversation_id, m.role, m.agent_id, m.source_line) == ("QM20260930-001", "agent", "A09", 2)
    payload = "QM20260930-001|2026-09-30T16:02:04+00:00|agent|A09|好的，这次换货的运费我们全部承担，我们会尽快处理。"
    assert m.message_key == hashlib.sha256(payload.encode("utf-8")).hexdigest()
    assert m.message_key == "1caf8ffb1072d937438f58e750e7794c65ee7c9c6041f39d7a99b2b0f1eaed07"


def test_masked_values_remembered_per_read_are_the_values_masked_each_time(monkeypatch):
    """Batch.once remembers ids, short fields and short texts masked; a memo cut to one entry (cleared at
    every new value) must give the very messages a read that remembers them all gives."""
    from pipeline.ingest import rows

    paths = [MESSY / "personal_data.jsonl", MESSY / "content_oddities.jsonl", SAMPLE / "chats-2026-10-01.jsonl"]

    def fields(result):
        return [(m.conversation_id, m.agent_id, m.customer_id, m.agent_name, m.shop, m.channel, m.text, m.message_key)
                for m in result.messages]

    remembered = read_inputs(paths)
    monkeypatch.setattr(rows, "MEMO_LIMIT", 1)
    monkeypatch.setattr(rows, "MEMO_TEXT_CHARS", 0)
    assert fields(read_inputs(paths)) == fields(remembered)
    assert len(remembered.messages) > 2 * len({m.conversation_id for m in remembered.messages})  # ids repeat


def test_remembered_people_fields_keep_numbers_and_booleans_apart(tmp_path):
    """A chat's agent, customer, channel and shop are remembered per distinct combination of texts; a JSON
    number or boolean is not remembered (True == 1 == 1.0 as a dict key), so each is stored as its own text."""
    path = tmp_path / "odd.jsonl"
    rows = [
        {"conversation_id": "c1", "timestamp": f"2026-10-03T10:00:0{i}+08:00", "role": "customer", "text": f"在吗{i}",
         "customer_id": "u1", "channel": channel, "shop": "店"}
        for i, channel in enumerate([True, 1, 1.0, "淘宝", "淘宝", None])
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert [m.channel for m in read_inputs([path]).messages] == ["true", "1", "1", "淘宝", "淘宝", None]


def test_a_repeated_timestamp_text_gives_each_message_its_own_key(tmp_path):
    """Batch keeps each timestamp text's parse and key time: the keys are message_key's, row by row."""
    rows = [{"conversation_id": f"c{i % 2}", "timestamp": "2026-10-03T14:02:11+08:00", "role": "customer",
             "text": f"第{i}条"} for i in range(4)]
    rows.append({"conversation_id": "c9", "timestamp": " 2026-10-03T14:02:11+08:00 ", "role": "customer", "text": "x"})
    path = tmp_path / "same-second.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    r = read_inputs([path])
    assert len(r.messages) == 5
    for m, row in zip(r.messages, rows):
        ts = datetime(2026, 10, 3, 6, 2, 11, tzinfo=timezone.utc)
        assert m.timestamp == ts and m.timestamp.isoformat() == "2026-10-03T14:02:11+08:00"
        assert m.message_key == message_key(row["conversation_id"], ts, "customer", None, row["text"])


def test_each_field_of_a_row_lands_in_its_message_field(tmp_path):
    """_build_message makes Message positionally: every field where it belongs."""
    row = {"conversation_id": "c-fields", "seq": 7, "timestamp": "2026-10-03T14:02:11+08:00", "role": "agent",
           "agent_id": "A01", "agent_name": "小美", "customer_id": "buyer_1", "text": "您好", "channel": "淘宝",
           "shop": "栖木女装", "csat": 4}
    path = tmp_path / "fields.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    (m,) = read_inputs([path]).messages
    assert (m.conversation_id, m.seq, m.role, m.text, m.agent_id, m.agent_name, m.customer_id, m.channel, m.shop,
            m.csat, m.source_file, m.source_line) == ("c-fields", 7, "agent", "您好", "A01", "小美", "buyer_1", "淘宝",
                                                      "栖木女装", 4, str(path), 1)
    assert m.timestamp.isoformat() == "2026-10-03T14:02:11+08:00"
    assert m.message_key == message_key("c-fields", m.timestamp, "agent", "A01", "您好")
