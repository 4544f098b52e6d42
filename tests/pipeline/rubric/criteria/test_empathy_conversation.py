"""empathy.v1's trigger read at conversation level (default@13, emp12c; _conversation_upset): a stake and a setback told
by the customer count at a moderately upset turn; persistence said at a moderate turn counts; a hurry the customer
disclaims and an emotion word said laughing do not. Readings set by hand; the contrasts that must not change stand
beside each."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import conversation_with_readings as _chat


CALM = ("neutral", 0.05, 0.05)
MODERATE = ("negative", 0.7, 0.62)
PLAIN_ANSWER = ("agent", "您好，我帮您查一下物流")


def _rules(r):
    return {e.rule for e in r.evidence}


@pytest.mark.parametrize("first, second", [
    ("你好，我订的蛋糕是给女儿过生日的，晚上六点开始", "现在七点了，配送员还没来"),  # stake, then the setback later
    ("你好，宝宝的奶粉物流卡在转运中心两天了", "家里那罐今晚就喝完了，明天能到吗"),  # setback told, a question after it
    ("你好，参加婚礼要穿的西装", "婚礼已经办完了，今天才到"),
])
def test_a_stake_and_a_setback_at_a_moderate_turn_need_empathy(empathy, first, second):
    conv = _chat([("customer", first), ("customer", second), PLAIN_ANSWER], [CALM, MODERATE])
    r = empathy.score(conv)
    assert r.status == "fail"
    assert "empathy.trigger.stake_setback" in _rules(r)


@pytest.mark.parametrize("first, second, reading", [
    # the same stake and setback on a calm turn: nothing shown
    ("你好，我订的蛋糕是给女儿过生日的", "现在还没到", CALM),
    # a stake with no setback (a pre-sale question), at a moderate turn
    ("你好，这个给宝宝用的奶瓶", "万一摔碎了会不会扎到他？", MODERATE),
    # a setback only asked about, not told
    ("你好，下周婚礼要穿的", "明天人还没来的话能退吗？", MODERATE),
])
def test_no_stake_and_setback_told_or_no_moderate_turn_stays_calm(empathy, first, second, reading):
    conv = _chat([("customer", first), ("customer", second), PLAIN_ANSWER], [CALM, reading])
    assert empathy.score(conv).status == "na"


def test_the_stake_rule_passes_when_the_agent_acknowledges_after_it(empathy):
    conv = _chat([("customer", "追悼会十点开始的花圈"), ("customer", "现在九点半了还没看到人"),
                  ("agent", "这种场合耽误不得，实在对不起，我马上联系配送")], [CALM, MODERATE])
    assert empathy.score(conv).status == "pass"


@pytest.mark.parametrize("text", ["第三次问了，退款什么时候到账", "退货申请我点了三遍，每次都提示失败", "换回来的第二个水壶又是坏的，一插电就跳闸"])
def test_persistence_at_a_moderate_turn_needs_empathy(empathy, text):
    r = empathy.score(_chat([("customer", text), PLAIN_ANSWER], [MODERATE]))
    assert r.status == "fail", text
    assert "empathy.trigger.persistence" in _rules(r)


@pytest.mark.parametrize("text, reading", [
    ("第三次问了，退款什么时候到账", ("neutral", 0.2, 0.4)),  # the layer reads it calm: the words alone do not decide
    ("这款我买了三次了，再来两件", MODERATE),  # a repeat purchase is no persistence
])
def test_persistence_words_on_a_calm_turn_or_a_repeat_purchase_stay_calm(empathy, text, reading):
    assert empathy.score(_chat([("customer", text), PLAIN_ANSWER], [reading])).status == "na", text


def test_the_repeated_effort_named_by_the_agent_is_empathy(empathy):
    conv = _chat([("customer", "退货申请我点了三遍，每次都提示提交失败"), ("agent", "亲，辛苦您试了这么多次，真不好意思，我后台帮您提交")],
                 [MODERATE])
    assert empathy.score(conv).status == "pass"


def test_a_hurry_the_customer_disclaims_is_none(empathy):
    conv = _chat([("customer", "帮我查下快递"), ("agent", "包裹在中转站，我催一下"), ("customer", "好，不着急，月底前到就行，我不赶着用")],
                 [CALM, ("negative", 0.88, 0.63)])
    assert empathy.score(conv).status == "na"


def test_a_hurry_stated_still_counts(empathy):
    conv = _chat([("customer", "帮我查下快递"), ("agent", "包裹在中转站，我催一下"), ("customer", "好，我赶着用，周五前要到")],
                 [CALM, ("negative", 0.88, 0.63)])
    assert empathy.score(conv).status == "fail"


def test_an_emotion_word_said_laughing_on_a_calm_turn_is_none(empathy):
    conv = _chat([("customer", "这椅子坐着舒服，我老公天天跟我抢，烦死了哈哈哈"), ("agent", "哈哈谢谢认可")], [("positive", 0.15, 0.14)])
    assert empathy.score(conv).status == "na"


@pytest.mark.parametrize("text, reading", [
    ("烦死了 哈哈 等了一周还没到", ("negative", 0.9, 0.7)),  # the layer reads upset: laughter does not veto
    ("烦死了，等了一周还没到", ("negative", 0.9, 0.3)),  # no laughter
])
def test_the_emotion_word_without_laughter_or_on_an_upset_turn_counts(empathy, text, reading):
    assert empathy.score(_chat([("customer", text), PLAIN_ANSWER], [reading])).status == "fail", text
