"""empathy.v1's trigger, emp14 (_calm_cue.embedded): an emotion cue that a request to find out asks about (帮我看一下怎么回事
/ 麻烦查下什么情况 / 想问问怎么回事) is the content of the question, not a feeling shown — on a turn the state layer reads
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
