"""empathy.v1 mechanisms of issue 13 (default@5): politeness before a request is not empathy, and a word used in
another sense is not an emotion."""
from __future__ import annotations

import pytest

from pipeline.rubric.matching import view
from pipeline.rubric.testing import make_conversation


COMPLAINT = "等了一个礼拜了还没发货，烦死了"


@pytest.mark.parametrize(
    "reply",
    [
        "辛苦您提供一下订单号，这边帮您催",
        "辛苦亲点一下右下角的评价哦",
        "辛苦您爱的再耐心等两天哈",
        "辛苦您把快递单拍照发我下",
    ],
)
def test_thanks_for_effort_before_a_request_is_courtesy(empathy, reply):
    res = empathy.score(make_conversation([("customer", COMPLAINT, 0, "negative"), ("agent", reply, 30)]))
    assert res.status == "fail", reply
    assert any("辛苦您" in (e.note or "") or "礼貌用语" in (e.note or "") for e in res.evidence), [e.note for e in res.evidence]


@pytest.mark.parametrize("reply", ["辛苦您了，马上帮您催仓库", "辛苦您久等了，今天一定发出", "真是辛苦你啦，我这就去加急"])
def test_thanks_for_effort_that_stands_alone_or_names_the_wait_counts(empathy, reply):
    res = empathy.score(make_conversation([("customer", COMPLAINT, 0, "negative"), ("agent", reply, 30)]))
    assert res.status == "pass", reply


@pytest.mark.parametrize("text", ["买的不满100元要运费吗", "不满一周可以退吗", "订单不满足包邮条件是吗"])
def test_buman_before_an_amount_is_not_dissatisfaction(empathy, text):
    conv = make_conversation([("customer", text, 0), ("agent", "是的呢", 30)], run_stages=False)
    assert empathy.score(conv).status == "na", text


def test_buman_as_a_feeling_still_triggers(empathy):
    conv = make_conversation([("customer", "对你们的处理很不满", 0), ("agent", "好的", 30)], run_stages=False)
    assert empathy.score(conv).status == "fail"


def test_buman_before_a_masked_amount_is_not_dissatisfaction(empathy):
    # the analysis form drops platform placeholders: 不满[数字]元 reads 不满元
    conv = make_conversation([("customer", "我这单因为不满[数字]元要付运费吗", 0), ("agent", "是的呢", 30)])
    res = empathy.score(conv)
    assert not any(e.rule == "empathy.trigger.lexicon" for e in res.evidence), [e.note for e in res.evidence]


def _shape(empathy, text):
    emotion = empathy.compiled[0]
    conv = make_conversation([("customer", text, 0), ("agent", "好的", 30)], run_stages=False)
    return emotion.shape.find(view(conv.messages[0]))


@pytest.mark.parametrize("text", ["不是说好包邮的吗", "你们不是答应今天发货吗？", "详情页不是写了送赠品嘛"])
def test_rhetorical_question_holding_the_shop_to_its_word_is_a_shape_of_feeling(empathy, text):
    assert _shape(empathy, text), text


@pytest.mark.parametrize("text", ["这个是不是正品", "不是我拍的那个颜色", "请问这个包邮吗"])
def test_plain_questions_and_corrections_are_not(empathy, text):
    assert not _shape(empathy, text), text
