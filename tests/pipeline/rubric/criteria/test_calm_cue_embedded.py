"""empathy.v1's trigger, emp14 (_calm_cue.embedded; .others below): an emotion cue that a request to find out asks
about (帮我看一下怎么回事 / 麻烦查下什么情况 / 想问问怎么回事) is the content of the question, not a feeling shown — on a turn the state layer reads
calm (under embedded_max_state) and with no other emotion word. Readings set by hand; invented sentences in several
registers, each beside the look-alike that must stay upset."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import score_with_reading


@pytest.mark.parametrize("text", [
    "东西收到了，但是少了一个遥控器，帮我看一下怎么回事",
    "想问问怎么回事 退款显示关闭了",
    "亲 麻烦帮忙查下怎么回事哈 物流一直显示揽收",
    "幫我睇下…帮我看看怎么回事 订单变成已取消了",
])
def test_a_word_only_asked_about_is_no_feeling(empathy, text):
    r = score_with_reading(empathy, text, "neutral", 0.3, 0.3)
    assert r.status == "na", text
    assert r.evidence and r.evidence[0].rule == "empathy.trigger.calm.embedded"


@pytest.mark.parametrize("text, needs", [
    ("到底怎么回事 三天了还没发货", 0.3),  # asked outright, not a request to find out
    ("帮我看一下怎么回事 真的无语", 0.3),  # another emotion word beside it
    ("帮我看一下怎么回事", 0.6),  # the state layer reads it upset
])
def test_the_look_alikes_stay_upset(empathy, text, needs):
    assert score_with_reading(empathy, text, "neutral", 0.3, needs).status == "fail", text


def test_null_switches_it_off(empathy):
    from pipeline.rubric.criteria.empathy import Empathy

    params = empathy.params.model_copy(deep=True)
    params.trigger.conversation.calm.embedded = None
    text = "东西收到了，但是少了一个遥控器，帮我看一下怎么回事"
    assert score_with_reading(Empathy(empathy.id, params=params), text, "neutral", 0.3, 0.3).status == "fail"


# emp14 (_calm_cue.others): a worry for the shop's other buyers is no feeling of the customer's own
@pytest.mark.parametrize("text, rule", [
    ("就是担心别的买家也收到漏液的", "empathy.trigger.calm.others"),
    ("我不是要投诉哈 就是怕你们下次给别人发也这样", "empathy.trigger.calm.disclaimed"),
    ("唔係要投訴 只係驚你哋下次寄畀其他人都係咁", "empathy.trigger.calm.disclaimed"),
])
def test_a_worry_for_other_buyers_is_no_feeling_of_the_customers(empathy, text, rule):
    r = score_with_reading(empathy, text, "neutral", 0.3, 0.4)
    assert r.status == "na", text
    assert r.evidence[0].rule == rule


@pytest.mark.parametrize("text, needs", [
    ("怕你们下次给别人也这样 气死我了", 0.4),  # the customer's own anger beside it
    ("我不是要投诉 但是很失望 怕你们给别人也这样", 0.4),
    ("有点担心 别人都收到了就我没收到", 0.4),  # others compared with, not worried for
    ("担心别的买家也收到坏的", 0.9),  # read upset (the state bar, 0.85)
])
def test_a_worry_for_others_beside_the_customers_own_stands(empathy, text, needs):
    assert score_with_reading(empathy, text, "neutral", 0.3, needs).status == "fail", text


def test_others_null_switches_it_off(empathy):
    from pipeline.rubric.criteria.empathy import Empathy

    params = empathy.params.model_copy(deep=True)
    params.trigger.conversation.calm.others = None
    assert score_with_reading(Empathy(empathy.id, params=params), "就是担心别的买家也收到漏液的", "neutral", 0.3, 0.4).status == "fail"
