"""Red lines belong to the agent who said the words, also in a transferred chat."""
from datetime import datetime, timezone

from pipeline.cards import aggregate as agg
from pipeline.cards.model import ConvRecord
from pipeline.rubric import load_rubric
from pipeline.rubric.testing import make_conversation


def _record(cid, main_agent, flags):
    return ConvRecord(conversation_id=cid, agent_id=main_agent, started_at=datetime(2026, 10, 3, tzinfo=timezone.utc),
                      score=80.0, criteria={"forbidden_phrases": {"status": "fail", "evidence": []}}, flags=flags,
                      sentiment={})


def test_transferred_chat_red_line_counts_against_its_author_not_the_main_agent():
    transferred = _record("t1", "A05", [{"code": "forbidden_phrase", "reason": "禁用语", "seq": 8, "red_line": True,
                                         "agent_id": "A08"}])
    own = _record("o1", "A08", [{"code": "forbidden_phrase", "reason": "禁用语", "seq": 3, "red_line": True}])
    month = [transferred, own]
    criteria, codes = ["forbidden_phrases"], list(agg.KNOWN_FLAGS)
    a05 = agg.agent_month("A05", [transferred], criteria, codes, month)
    a08 = agg.agent_month("A08", [own], criteria, codes, month)
    assert a05.figures["red_lines"] == 0 and a05.red_lines == []
    assert a08.figures["red_lines"] == 2
    assert {r["conversation_id"] for r in a08.red_lines} == {"t1", "o1"}


def test_rubric_names_the_author_of_a_flagged_agent_message():
    conv = make_conversation([
        ("customer", "床单洗了一次就破了个洞", 0),
        ("agent", "在，方便拍一下破洞的位置吗", 30, "A08"),
        ("agent", "我也没办法，这是规定", 60, "A08"),
        ("agent", "您好，我是售后专员，很抱歉给您添麻烦了，我来帮您处理", 120, "A05"),
        ("agent", "给您补发一条新的，1-3个工作日内到，祝您生活愉快", 150, "A05"),
        ("agent", "还有其他可以帮您的吗", 160, "A05"),
    ])
    load_rubric().score(conv)
    red = [f for f in conv.flags if f.code == "forbidden_phrase"]
    assert red, "the taboo should raise the red-line flag"
    assert all(f.agent_id == "A08" for f in red)
    assert conv.agent_id == "A05"
    assert red[0].to_dict()["agent_id"] == "A08"
