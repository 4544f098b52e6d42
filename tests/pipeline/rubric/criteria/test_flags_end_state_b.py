"""negative_end in default@14 (end13b, pipeline/rubric/criteria/_end_state.py): an accepting opener followed in the
same message by a clause that leaves, laments waste, escalates or reproaches; a reproach in question form; a bare "no"
answering the agent's "is it solved?". The model readings are set by hand (the last turn reads calm in context, so only
the new rules can raise the flag); the sentences are mine."""
from __future__ import annotations

import pytest

from pipeline.rubric.criteria._end_state import EndReader, EndStateParams, default_end_state
from pipeline.rubric.testing import make_conversation

from .test_flags_end_state import COMPLAINT, FIX, PRESALE, PUT_OFF, _end, _score


@pytest.mark.parametrize("last", [
    "行吧，以后不会在你家买了", "好吧 下回不来了", "嗯，再也不信你们了", "ok fine, never again",
    "行吧 白跑一趟", "好吧，浪费我一下午", "嗯 等了半天还是一场空", "行吧，时间都浪费了",
    "好的，我找你们领导说", "行，那我让平台介入处理",
    "行吧，什么态度", "嗯 每次都这样", "好吧，又是这样", "行，说了也白说",
])
def test_an_accepting_opener_then_a_negative_clause_ends_negative(rubric, last):
    flags = _end(rubric, COMPLAINT, PUT_OFF, last)
    assert flags, last  # by this rule or an earlier one (departure, calm_threat)


def test_the_rule_is_named_in_the_evidence(rubric):
    flags = _end(rubric, COMPLAINT, PUT_OFF, "好吧，白跑一趟")
    assert flags and "negative_end.accepted_then_complained" in flags[0].reason


@pytest.mark.parametrize("last", [
    "行，这回别又没人管了", "行吧，希望这次靠谱", "好吧，那我明天再问问", "嗯，那运费谁出呢", "也行吧 那换蓝色的",
    "好的，服务真好，下次还来", "行吧，那我等你们消息", "哦 那算了",
])
def test_a_hope_instruction_plan_or_question_after_the_opener_stays_calm(rubric, last):
    assert not _end(rubric, PRESALE, "蓝色的卖完了哦，白色的可以吗", last, complained=False), last


@pytest.mark.parametrize("last", ["所以呢？", "有这个必要吗", "你们只会复制粘贴吗？", "下次先查清楚再怪别人好吗", "能不能用点心"])
def test_a_reproach_in_question_form_ends_negative(rubric, last):
    flags = _end(rubric, COMPLAINT, PUT_OFF, last)
    assert flags and "negative_end.reproach_question" in flags[0].reason, last


@pytest.mark.parametrize("last", ["那什么时候能到呢", "运费谁出呀", "要得", "买了买了", "😭好"])
def test_a_practical_question_or_a_happy_close_is_no_reproach(rubric, last):
    assert not _end(rubric, COMPLAINT, FIX, last), last


@pytest.mark.parametrize("last", ["没有", "还没", "没呢"])
def test_no_answering_is_it_solved_ends_negative(rubric, last):
    flags = _score(rubric, [("customer", "耳机左边没声音"), ("agent", "您重新配对试试，问题解决了吗？"), ("customer", last)], {})
    assert flags and "negative_end.unresolved_no" in flags[0].reason, last


def test_no_answering_anything_else_stays_calm(rubric):
    assert not _score(rubric, [("customer", "耳机左边没声音"), ("agent", "好的，还有其他问题吗？"), ("customer", "没有")], {})
    assert not _score(rubric, [("customer", "耳机左边没声音"), ("agent", "问题解决了吗？"), ("customer", "解决了，谢谢")], {})


def test_the_new_rules_switch_off(rubric):
    det = next(f for f in rubric.flags if f.code == "negative_end").compiled
    conv = make_conversation([("customer", COMPLAINT, 0), ("agent", PUT_OFF, 20), ("customer", "行吧 白跑一趟", 40)], run_stages=False)
    off = default_end_state().model_copy(update={"accepted_tail": None, "reproach_question": None, "bare_no": None})
    assert EndReader(off, det).accepted_then_complained(conv, conv.messages[-1]) is None
    assert EndReader(EndStateParams(), det).read(conv, conv.messages[-1], 1) is None
    on = EndReader(default_end_state(), det).accepted_then_complained(conv, conv.messages[-1])
    assert on is not None and on.rule == "negative_end.accepted_then_complained"


@pytest.mark.parametrize("last", ["行吧 白跑一趟", "嗯 等了半天还是一场空", "行吧 钱算是白花了"])
def test_the_opener_is_found_when_the_analysis_form_drops_the_space(rubric, last):
    det = next(f for f in rubric.flags if f.code == "negative_end").compiled
    conv = make_conversation([("customer", COMPLAINT, 0), ("agent", PUT_OFF, 20), ("customer", last, 40)])
    found = EndReader(default_end_state(), det).accepted_then_complained(conv, conv.messages[-1])
    assert found is not None and found.rule == "negative_end.accepted_then_complained", last
