"""One contract, checked for every registered criterion (built-ins and plugins alike)."""
from __future__ import annotations

import pytest

from pipeline.rubric import CRITERIA
from pipeline.rubric.testing import make_conversation

CONVERSATIONS = {
    "good": [
        ("customer", "在吗？我的快递怎么还没到，都三天了，好着急", 0),
        ("bot", "您好，我是智能助手", 2),
        ("agent", "亲，您好，让您久等了，非常理解您着急的心情", 60),
        ("agent", "跟您确认一下，是尾号1234的订单对吗？", 80),
        ("customer", "對，就是那個", 100),
        ("agent", "我帮您反馈给快递，24小时内给您回复。虽然今天发不了，不过可以给您补一张优惠券", 130),
        ("customer", "好的谢谢", 160),
        ("agent", "请问还有其他可以帮您的吗？祝您生活愉快", 170),
    ],
    "bad": [
        ("customer", "東西破損了，我要退貨，你們這什麼垃圾客服😡", 0),
        ("agent", "不知道", 500),
        ("agent", "我理解，但規定就是規定，這事兒不歸我們這邊管", 560),
        ("customer", "滚", 600),
    ],
    "empty_texts": [("customer", "", 0), ("agent", "", 30), ("customer", "[微笑]", 40)],
    "no_agent": [("customer", "在吗", 0), ("bot", "您好，欢迎光临", 1)],
    "nothing": [],
}


def _build(name: str):
    return make_conversation(CONVERSATIONS[name], conversation_id=name)


@pytest.mark.parametrize("name", sorted(CRITERIA))
@pytest.mark.parametrize("conv_name", sorted(CONVERSATIONS))
def test_criterion_contract(name, conv_name):
    criterion = CRITERIA[name]()  # builds with default params
    conv = _build(conv_name)
    result = criterion.score(conv)
    assert result.status in ("pass", "fail", "na")
    assert 0 <= result.points <= result.max_points
    if result.status == "na":
        assert result.points == 0 and result.max_points == 0
    elif result.status == "pass":
        assert result.points == result.max_points == criterion.max_points
    else:
        assert result.points == 0
    for ev in result.evidence:
        assert ev.rule and ev.rule.startswith(criterion.id + ".")
        if ev.seq is None:
            assert ev.span is None
            continue
        msg = conv.message(ev.seq)
        assert ev.text == msg.text  # the text as shown
        if ev.span is not None:
            start, end = ev.span
            assert 0 <= start <= end <= len(msg.text)
            # matched words are quoted in the note: text[span] is exactly them
            if ev.note.startswith("匹配“"):
                assert ev.note.startswith(f"匹配“{msg.text[start:end]}”")
                assert end > start
    # deterministic
    again = criterion.score(_build(conv_name))
    assert again.to_dict() == result.to_dict()


@pytest.mark.parametrize("name", sorted(CRITERIA))
def test_criterion_names_are_versioned(name):
    assert name.rsplit(".", 1)[1].startswith("v")
    assert CRITERIA[name].name == name


def test_rubric_scores_with_formula(rubric):
    conv = _build("good")
    rubric.score(conv)
    applicable = [r for r in conv.criteria.values() if r.status != "na"]
    expected = 100 * sum(r.points for r in applicable) / sum(r.max_points for r in applicable)
    assert conv.score == pytest.approx(expected, abs=0.01)
    assert conv.rubric_version == "default@15"
    assert set(conv.criteria) == {
        "greeting", "closing", "empathy", "forbidden_phrases", "first_response_sla",
        "active_listening", "time_commitment", "positive_framing", "response_pace",
    }


def test_rubric_without_applicable_criteria_has_no_score(rubric):
    conv = _build("nothing")
    rubric.score(conv)
    assert conv.score is None
