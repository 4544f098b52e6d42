"""empathy.v1's trigger in default@13 (issue 13): a ping sent while the customer's turn waits unanswered is chasing; the
ambivalent words (怕, ？？, ！！！) alone inside a question are no distress; wanting a thing for long is no persistence;
妈的 inside 妈妈的 is no curse. Readings set by hand; the contrasts that must not change stand beside each."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import conversation_with_readings as _chat, status_with_reading as _status


CALM = ("neutral", 0.05, 0.05)


@pytest.mark.parametrize("ping", ["有人吗", "在吗？？", "人呢", "客服呢", "有没有人"])
def test_a_ping_while_the_question_waits_is_chasing(empathy, ping):
    conv = _chat([("customer", "我前天拍的被子啥时候发货"), ("bot", "亲，客服小二正在赶来哦"), ("customer", ping),
                  ("agent", "您好，今天下午发出")], [("neutral", 0.3, 0.3), CALM])
    r = empathy.score(conv)
    assert r.status == "fail", ping
    assert any(e.rule == "empathy.trigger.unanswered_ping" for e in r.evidence)


def test_the_chased_reply_that_owns_the_wait_passes(empathy):
    conv = _chat([("customer", "電飯煲蓋唔埋 明朝要煮飯"), ("customer", "有人嗎"), ("agent", "您好，让您久等了，我帮您登记售后")],
                 [("neutral", 0.3, 0.3), CALM])
    assert empathy.score(conv).status == "pass"


@pytest.mark.parametrize("turns", [
    # a ping that opens the chat greets; a ping after the agent answered is a new question; a ping after a greeting
    [("customer", "在吗"), ("agent", "在的亲"), ("customer", "这个有蓝色吗")],
    [("customer", "这个杯子能装开水吗"), ("agent", "可以的亲，耐热120度"), ("customer", "在吗")],
    [("customer", "你好"), ("customer", "在吗"), ("agent", "在的，您说")],
])
def test_a_ping_with_nothing_waiting_is_no_chase(empathy, turns):
    conv = _chat(turns, [CALM] * sum(r == "customer" for r, _ in turns))
    assert empathy.score(conv).status == "na"


@pytest.mark.parametrize("text", ["墨绿色的还有货吗？？", "裤脚长不长 我腿短 怕拖地", "就是怕太硬 软不软啊", "这个能今天发吗！！！"])
def test_ambivalent_words_alone_inside_a_question_are_no_distress(empathy, text):
    # the layer reads it negative at a moderate P(needs empathy): the word alone does not decide
    assert _status(empathy, text, "negative", 0.83, 0.7) == "na", text


@pytest.mark.parametrize("text", ["好怕 这个充电宝会不会又鼓包", "怕死了 到底能不能退？？ 气死", "快递三天没动了？？ 怎么还不到"])
def test_a_real_emotion_word_or_shape_beside_them_still_counts(empathy, text):
    assert _status(empathy, text, "negative", 0.9, 0.7) == "fail", text


def test_fear_told_outside_a_question_still_counts(empathy):
    assert _status(empathy, "宝宝吃了起疹子 我真的好怕", "negative", 0.9, 0.5) == "fail"


def test_wanting_a_thing_for_long_is_no_persistence(empathy):
    assert _status(empathy, "一直想买你家这个枕头 有软一点的款式吗", "negative", 0.9, 0.5) == "na"
    assert _status(empathy, "一直没人回 枕头到底什么时候发", "negative", 0.9, 0.5) == "fail"


def test_ma_de_inside_mama_de_is_no_curse(empathy):
    assert _status(empathy, "送我妈妈的生日礼物 能刻几个字", "neutral", 0.1, 0.2) == "na"
    assert _status(empathy, "妈的 又坏了", "negative", 0.9, 0.5) == "fail"
