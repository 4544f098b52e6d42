"""empathy.v1's trigger (emp13, _conversation_upset): a question the question guard held back counts when it bears the
mark of a rhetorical question (就这？ / 你以为我不敢？ / 难道…) at an upset reading; a turn in which the customer makes
peace (刚才说话太冲了 别往心里去 / 误会你们了 / 本来很担心 还好…) is not upset, unless a contrast follows. Readings set
by hand; each rule stands beside the contrast that must not change."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation, set_reading

UPSET = ("negative", 0.95, 0.93)


def _score(empathy, text, reading=UPSET, before="我们已经尽力了亲", reply="好的，这边帮您看一下"):
    conv = make_conversation([("agent", before, 0), ("customer", text, 30), ("agent", reply, 60)], run_stages=False)
    set_reading(conv.messages[1], *reading)
    return empathy.score(conv)


@pytest.mark.parametrize("text", ["尽力了就这？", "你以为我不敢？", "难道要等到过年吗？", "退了半个月 钱呢？", "就你们这服务还想要五星？"])
def test_a_rhetorical_question_at_an_upset_reading_needs_empathy(empathy, text):
    r = _score(empathy, text)
    assert r.status == "fail"
    assert "empathy.trigger.rhetorical_question" in {e.rule for e in r.evidence}


@pytest.mark.parametrize("text", ["那一天要用几次？", "8把也不行？", "这个能用在敏感肌上吗？", "辣哭了还想吃 能再来五包吗？"])
def test_a_plain_question_at_the_same_reading_stays_held_back(empathy, text):
    assert _score(empathy, text).status == "na"


def test_a_rhetorical_question_under_the_threshold_stays_held_back(empathy):
    assert _score(empathy, "尽力了就这？", ("negative", 0.8, 0.6)).status == "na"


@pytest.mark.parametrize("text", ["刚才说话太冲了 你别往心里去 谢谢你帮我", "抱歉啊 刚才心情不好", "我刚才语气不好 你们处理得挺快的",
                                  "差点以为被骗了 还好今天发货了 误会你们了"])
def test_a_customer_making_peace_is_not_upset(empathy, text):
    assert _score(empathy, text).status == "na"


@pytest.mark.parametrize("text", ["刚才说话太冲了 别往心里去 但是这事今天必须解决", "你误会了 我要的是退款不是换货", "你刚才态度很差"])
def test_a_contrast_after_it_or_no_peace_made_keeps_the_turn(empathy, text):
    assert _score(empathy, text).status == "fail"


def test_null_switches_them_off(empathy):
    from pipeline.rubric.criteria.empathy import Empathy

    params = empathy.params.model_copy(deep=True)
    params.trigger.conversation.rhetorical = None
    params.trigger.conversation.conciliation = None
    params.trigger.conversation.imposed_thanks = None
    off = Empathy(empathy.id, params=params)
    assert _score(off, "谢谢你们啊，让我体验了一把开盲盒", ("negative", 0.89, 0.54, "positive")).status == "na"
    assert _score(off, "尽力了就这？").status == "na"
    assert _score(off, "刚才说话太冲了 你别往心里去").status == "fail"


def test_a_stake_and_a_setback_count_from_p_0_4(empathy):
    conv = make_conversation([("customer", "你好，伴娘裙今天才到", 0), ("customer", "婚礼是昨天", 30),
                              ("agent", "亲，物流显示今天签收了", 60), ("customer", "现在用不上了，能退吗", 90),
                              ("agent", "可以的，在订单页申请就行", 120)], run_stages=False)
    for m, needs in zip([m for m in conv.messages if m.role == "customer"], (0.27, 0.3, 0.45)):
        set_reading(m, "neutral", 0.5, needs)
    r = empathy.score(conv)
    assert r.status == "fail" and "empathy.trigger.stake_setback" in {e.rule for e in r.evidence}
    set_reading(conv.messages[3], "neutral", 0.5, 0.35)  # under 0.4: calm
    assert empathy.score(conv).status == "na"


@pytest.mark.parametrize("text, status", [
    ("谢谢你们啊，让我体验了一把开盲盒", "fail"),  # thanks for an experience imposed: sarcasm
    ("多谢贵店让我体验了一回三天不发货", "fail"),
    ("谢谢你们，耐心给我讲解", "na"),  # thanks for help: none
])
def test_thanks_for_an_imposed_experience_is_sarcasm_whatever_the_polarity_read(empathy, text, status):
    # the state layer reads the thanks as positive in context: the rule does not ask for a negative label
    conv = make_conversation([("agent", "您好，请问有什么可以帮您", 0), ("customer", text, 30), ("agent", "好的，这边帮您看一下", 60)],
                             run_stages=False)
    set_reading(conv.messages[1], "negative", 0.89, 0.54, context="positive")
    r = empathy.score(conv)
    assert r.status == status
    if status == "fail":
        assert "empathy.trigger.imposed_thanks" in {e.rule for e in r.evidence}
    set_reading(conv.messages[1], "negative", 0.89, 0.2, context="positive")  # under imposed_thanks_min_state
    assert empathy.score(conv).status == "na"
