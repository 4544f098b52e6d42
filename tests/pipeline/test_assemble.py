"""pipeline/assemble.py: messages grouped into conversations, ordered, `seq` 1..n; split nights put back together."""
from __future__ import annotations

import json

from pipeline.assemble import assemble
from pipeline.ingest import read_inputs
from tests.pipeline.ingest._helpers import MESSY, check_counts, read


def test_out_of_order_timestamps_and_seq():
    r = read("out_of_order.jsonl")
    convs = {c.conversation_id: c for c in assemble(r.messages)}
    assert [m.text for m in convs["o1"].messages] == ["第一句", "第二句", "第三句"]
    assert [m.seq for m in convs["o1"].messages] == [1, 2, 3]
    # seq from the file wins over time
    assert [m.text for m in convs["o2"].messages] == ["A", "B", "C"]


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


def test_a_conversation_never_starts_after_it_ends():
    """seq order that contradicts the clocks: start and end are the earliest and latest times."""
    from datetime import datetime, timedelta, timezone

    from pipeline.conversation import Message

    t0 = datetime(2026, 10, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    msgs = [Message(conversation_id="c", seq=1, role="customer", timestamp=t0 + timedelta(hours=2), text="在吗"),
            Message(conversation_id="c", seq=2, role="agent", timestamp=t0, text="您好", agent_id="A1")]
    (conv,) = assemble(msgs)
    assert conv.started_at == t0 and conv.ended_at == t0 + timedelta(hours=2)
    assert conv.started_at <= conv.ended_at


def test_shop_and_channel_are_the_most_common_and_a_tie_goes_to_the_first_met():
    from datetime import datetime, timezone

    from pipeline.conversation import Message

    def msg(seq: int, shop: str | None, channel: str | None) -> Message:
        ts = datetime(2026, 10, 3, 9, 0, seq, tzinfo=timezone.utc)
        return Message("c1", seq, "customer", ts, "在吗", customer_id="u1", shop=shop, channel=channel)

    [conv] = assemble([msg(1, None, "淘宝"), msg(2, "乙店", "京东"), msg(3, "甲店", "京东"), msg(4, "甲店", None)])
    assert (conv.shop, conv.channel) == ("甲店", "京东")  # most common; empty values never count
    [conv] = assemble([msg(1, "乙店", "淘宝"), msg(2, "甲店", "京东")])
    assert (conv.shop, conv.channel) == ("乙店", "淘宝")  # a tie: the first met
    [conv] = assemble([msg(1, None, ""), msg(2, None, None)])
    assert (conv.shop, conv.channel) == (None, None)


def test_messages_already_in_seq_order_keep_it_and_others_are_sorted():
    from datetime import datetime, timezone

    from pipeline.conversation import Message

    ts = datetime(2026, 10, 3, 9, 0, tzinfo=timezone.utc)
    texts = ["一", "二", "三"]
    [conv] = assemble([Message("c1", s, "customer", ts, t) for s, t in zip((1, 2, 3), texts)])
    assert [m.text for m in conv.messages] == texts
    [conv] = assemble([Message("c1", s, "customer", ts, t) for s, t in zip((3, 1, 2), texts)])
    assert [m.text for m in conv.messages] == ["二", "三", "一"]
    assert [m.seq for m in conv.messages] == [1, 2, 3]
