"""empathy.v1 in default@9 (issue 13, mechanism 5): politeness is not empathy. A reassurance formula (您放心 / 别生气)
acknowledges nothing unless the customer is only impatient and has not chased before; 不好意思 / 让您… before a
request is courtesy; the evidence says which acknowledgement was credited. The customer-state reading is set by
hand, so each test pins one rule."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import score_with_reading


def _score(empathy, customer: str, reply: str, kind: str | None):
    # the customer turn read upset with certainty (trigger settled), so the test pins the credit of `reply`
    return score_with_reading(empathy, customer, "negative", 0.97, 0.95, reply=reply, kind=kind)


WORRIED = "第一次给宝宝网上买米粉，怕买到临期的，心里不踏实"
ANGRY = "你们发的什么东西，杯子盖都是裂的，气死了"
IMPATIENT = "下午三点了怎么还没发货呀"
CHASED = "这是我第三次来问了，到底哪天发货"


@pytest.mark.parametrize(
    "reply",
    ["您放心哈，我们是品牌直供，保质期都在一年以上", "请放心，每罐都能扫码查生产日期", "别担心，仓库都是先进先出的"],
)
def test_reassurance_with_facts_does_not_acknowledge_worry(empathy, reply):
    res = _score(empathy, WORRIED, reply, "担心")
    assert res.status == "fail", reply
    assert any("套话安抚" in (e.note or "") for e in res.evidence), [e.note for e in res.evidence]


def test_acknowledging_the_worry_passes_and_says_so(empathy):
    res = _score(empathy, WORRIED, "理解您的顾虑，给宝宝吃的东西谁都会格外小心，我们保质期都在一年以上", "担心")
    assert res.status == "pass"
    assert "理解客户的感受" in res.evidence[-1].note


@pytest.mark.parametrize("reply", ["您先别生气，我马上帮您登记补发", "亲消消气，这边给您补发一个", "别上火哈，我看下怎么处理"])
def test_telling_an_angry_customer_not_to_feel_acknowledges_nothing(empathy, reply):
    assert _score(empathy, ANGRY, reply, "生气").status == "fail", reply


def test_an_apology_to_an_angry_customer_passes_as_an_apology(empathy):
    res = _score(empathy, ANGRY, "实在抱歉，收到裂的杯子确实糟心，马上给您补发", "生气")
    assert res.status == "pass"
    assert "人工客服表达同理" in res.evidence[-1].note


def test_a_formula_may_soothe_first_impatience(empathy):
    assert _score(empathy, IMPATIENT, "亲亲不要着急哦，今天下班前一定发出", "着急").status == "pass"


@pytest.mark.parametrize("customer", [CHASED, "天天催你们都没用 还没发", "问了两遍了 什么时候发啊"])
def test_a_formula_does_not_answer_a_customer_who_has_chased_before(empathy, customer):
    res = _score(empathy, customer, "亲亲不要着急哦，今天下班前一定发出", "着急")
    assert res.status == "fail", customer
    assert any("多次催问" in (e.note or "") for e in res.evidence), [e.note for e in res.evidence]


def test_owning_the_wait_of_a_customer_who_chased_passes(empathy):
    res = _score(empathy, CHASED, "让您跑了好几趟，真是不好意思，今天下班前一定发出", "着急")
    assert res.status == "pass"
    assert "承认给客户带来的等待或麻烦" in res.evidence[-1].note


@pytest.mark.parametrize(
    "reply",
    ["不好意思，让您提供一下订单号哦", "不好意思，给您查一下物流", "不好意思让您再等一下哈，马上好", "请稍等，马上为您查询", "不好意思，请稍等"],
)
def test_politeness_before_a_request_is_courtesy(empathy, reply):
    assert _score(empathy, IMPATIENT, reply, "着急").status == "fail", reply


@pytest.mark.parametrize("reply", ["不好意思让您久等了", "不好意思，给您添麻烦了", "不好意思，让您白跑一趟"])
def test_politeness_that_names_what_the_customer_went_through_counts(empathy, reply):
    assert _score(empathy, IMPATIENT, reply, "着急").status == "pass", reply


def test_the_evidence_names_an_apology(empathy):
    res = _score(empathy, ANGRY, "真的非常抱歉", "生气")
    assert res.status == "pass"
    assert res.evidence[-1].note.endswith("人工客服表达同理：致歉")


@pytest.mark.parametrize("reply", ["给老人买药最容易担心了，别担心，我给您盯着", "孩子的东西当爸妈的最揪心，您放心，今天就补发"])
def test_the_feeling_named_as_what_anyone_feels_most_counts_beside_a_formula(empathy, reply):
    assert _score(empathy, WORRIED, reply, "担心").status == "pass", reply


def test_the_shop_naming_its_own_worry_is_no_acknowledgement(empathy):
    assert _score(empathy, WORRIED, "您放心，我们最担心的是运输压坏，所以都加了泡沫", "担心").status == "fail"


@pytest.mark.parametrize(
    "reply",
    ["真的很抱歉让您等这么久。跟您核对一下：是插上电指示灯会亮，但就是不出热风，对吗？", "给您添麻烦了！我确认下，是能搜到信号但连不上，是吗"],
)
def test_a_contrast_inside_a_later_confirming_question_does_not_cancel_the_apology(empathy, reply):
    assert _score(empathy, ANGRY, reply, "生气").status == "pass", reply


@pytest.mark.parametrize("reply", ["我理解您的心情。但是规定就是规定，拆封了没法退", "非常抱歉，但这个确实是人为损坏"])
def test_a_contrast_against_the_apology_still_cancels_it(empathy, reply):
    assert _score(empathy, ANGRY, reply, "生气").status == "fail", reply


def test_perspective_taking_with_any_feeling_named_is_empathy(empathy):
    assert _score(empathy, ANGRY, "刚收到就是裂的，搁谁心里都不痛快，马上给您补发", "生气").status == "pass"
    assert _score(empathy, ANGRY, "换谁来处理都一样，只能走售后流程", "生气").status == "fail"


def test_thanks_for_effort_naming_the_customer_trouble_counts(empathy):
    assert _score(empathy, ANGRY, "辛苦您折腾了一下午，真的不好意思，马上补发", "生气").status == "pass"
    assert _score(empathy, ANGRY, "辛苦您拍一下破损的地方，马上补发", "生气").status == "fail"
