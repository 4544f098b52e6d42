"""empathy.v1's trigger reads the agent's reply (emp13, _conversation_upset.answered_min_state): a moderately upset turn
that nothing else lifts counts when the human agent's reply to it acknowledges a feeling — the agent read the turn as
upset, so the trigger starts there (and a later, stronger turn does not move it past the acknowledgement). Not below
the threshold, not on an apology for the agent's own slow reply, not on an apology named only to decline it. Readings
set by hand; each rule stands beside the contrast that must not change."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import conversation_with_readings as _chat


MODERATE = ("negative", 0.7, 0.65)  # the sentiment label alone is under min_negative_score: the turn reader says no
LOW = ("negative", 0.7, 0.45)
CALM = ("neutral", 0.1, 0.05)
STRONG = ("negative", 0.9, 0.92)
TURN = "师傅约的两点，我在门口等了半小时了"


def _rules(r):
    return {e.rule for e in r.evidence}


@pytest.mark.parametrize("reply", [
    "让您在门口干等这么久，真过意不去，我马上联系师傅",
    "理解您的心情，我这就催师傅",
    "给您添麻烦了，换我也会着急，我马上联系师傅",
])
def test_a_moderate_turn_the_agent_acknowledges_is_upset(empathy, reply):
    r = empathy.score(_chat([("customer", TURN), ("agent", reply)], [MODERATE]))
    assert r.status == "pass"
    assert "empathy.trigger.answered_upset" in _rules(r)
    assert r.evidence[0].seq == 1


def test_the_same_turn_answered_with_facts_only_stays_calm(empathy):
    assert empathy.score(_chat([("customer", TURN), ("agent", "我马上联系师傅")], [MODERATE])).status == "na"


def test_a_turn_under_the_threshold_is_not_lifted_by_an_apology(empathy):
    conv = _chat([("customer", TURN), ("agent", "让您在门口干等这么久，真过意不去")], [LOW])
    assert empathy.score(conv).status == "na"


@pytest.mark.parametrize("reply", ["您好，抱歉久等。请问是哪个订单", "不好意思回复晚了，我帮您看一下"])
def test_an_apology_for_the_agents_own_slow_reply_lifts_nothing(empathy, reply):
    assert empathy.score(_chat([("customer", TURN), ("agent", reply)], [MODERATE])).status == "na"


def test_the_trigger_starts_at_the_acknowledged_turn_not_at_a_later_stronger_one(empathy):
    turns = [("customer", "线头也挺多的，剪了好几根"), ("agent", "真的很抱歉让您收到这样的衣服，换我心里也不舒服"),
             ("customer", "退了吧"), ("agent", "好的，退货已同意")]
    r = empathy.score(_chat(turns, [MODERATE, STRONG]))
    assert r.status == "pass" and r.evidence[0].seq == 1
    # the acknowledgement before the strong turn, with the moderate turn read calm: the strong turn is the first
    assert empathy.score(_chat(turns, [CALM, STRONG])).status == "fail"


def test_an_apology_named_to_decline_it_is_none(empathy):
    turns = [("customer", "冰箱说好周一到，今天周四才送到，我请了三天假"), ("agent", "我们店并没有做错什么，道歉就不必了吧"),
             ("customer", "什么态度")]
    r = empathy.score(_chat(turns, [MODERATE, STRONG]))
    assert r.status == "fail" and r.evidence[0].seq == 3  # the declined apology lifted nothing
    r = empathy.score(_chat(turns, [STRONG, STRONG]))
    assert r.status == "fail" and any("拒绝致歉" in e.note for e in r.evidence)
    # the apology made, not declined: it counts
    made = [turns[0], ("agent", "实在抱歉，配送延误了"), turns[2]]
    assert empathy.score(_chat(made, [STRONG, STRONG])).status == "pass"


def test_null_switches_the_rule_off(empathy):
    from pipeline.rubric.criteria.empathy import Empathy

    params = empathy.params.model_copy(deep=True)
    params.trigger.conversation.answered_min_state = None
    off = Empathy(empathy.id, params=params)
    conv = _chat([("customer", TURN), ("agent", "让您在门口干等这么久，真过意不去")], [MODERATE])
    assert off.score(conv).status == "na"
    params.trigger.conversation.answered_min_state = 0.6
    params.declined = None
    keeps = Empathy(empathy.id, params=params)
    conv = _chat([("customer", "什么态度"), ("agent", "道歉就不必了吧")], [STRONG])
    assert keeps.score(conv).status == "pass"


WORRIED = ("neutral", 0.4, 0.3)  # a worried question the state layer reads as mostly calm


def test_a_reply_naming_the_feeling_lifts_a_turn_from_the_lower_floor(empathy):
    turn = ("customer", "电脑里有孩子半年的照片，维修会不会把硬盘清掉")
    r = empathy.score(_chat([turn, ("agent", "理解您的担心，孩子的照片确实珍贵，我帮您备注保留数据")], [WORRIED]))
    assert r.status == "pass" and "empathy.trigger.answered_upset" in _rules(r)
    # an apology alone at the same reading: agents apologise for faults to calm customers too
    assert empathy.score(_chat([turn, ("agent", "实在抱歉，我帮您备注保留数据")], [WORRIED])).status == "na"
    # and a reading under the lower floor
    assert empathy.score(_chat([turn, ("agent", "理解您的担心，我帮您备注")], [("neutral", 0.2, 0.15)])).status == "na"


@pytest.mark.parametrize("reply", ["谢谢您的体谅，我帮您查一下", "感谢理解，我帮您查一下"])
def test_thanking_the_customer_for_understanding_is_no_empathy(empathy, reply):
    assert empathy.score(_chat([("customer", "什么态度"), ("agent", reply)], [STRONG])).status == "fail"
    assert empathy.score(_chat([("customer", "什么态度"), ("agent", "理解您的心情，我帮您查一下")], [STRONG])).status == "pass"
