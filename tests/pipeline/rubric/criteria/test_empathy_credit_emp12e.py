"""empathy credit (emp12e; pipeline/rubric/criteria/_empathy_credit.py): acknowledgement forms the lexicon misses — the
trouble named as what the shop cost the customer, responsibility taken, thanks for a long wait, Cantonese ownership, an
apology split over two short messages — each with the politeness that is not empathy beside it. The customer turn is
read upset by hand, so each test pins the credit, not the trigger."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation, score_with_reading, set_reading

ANGRY = "都等了一个礼拜了，东西还是坏的，气死我了"


def _score(empathy, reply: str):
    return score_with_reading(empathy, ANGRY, "negative", 0.97, 0.95, reply=reply, kind="生气")


def _conv(empathy, turns):
    """agent / customer turns; the first customer turn is read upset."""
    conv = make_conversation([(r, t, 20 * i) for i, (r, t) in enumerate(turns)], run_stages=False)
    first = next(m for m in conv.messages if m.role == "customer")
    set_reading(first, "negative", 0.97, 0.95, None)
    first.state.kind = "生气"
    return empathy.score(conv)


@pytest.mark.parametrize("reply", ["耽误您用了，这边加急给您补发", "耽误你上班了，新的今天发出", "害您又跑了一趟驿站，这次上门取件",
                                   "让您来回寄了两次，这回直接换新"])
def test_the_trouble_named_as_what_the_shop_cost_is_an_apology(empathy, reply):
    res = _score(empathy, reply)
    assert res.status == "pass", reply
    assert res.evidence[-1].span is not None


@pytest.mark.parametrize("reply", ["是我们发错了，给您补发正确的", "这次是仓库发错了，给您补发", "这次是我们这边的责任，马上给您换",
                                   "这个锅我们背，马上处理", "真不好意思是我们发错了，马上补发"])
def test_responsibility_taken_is_an_apology(empathy, reply):
    res = _score(empathy, reply)
    assert res.status == "pass", reply
    assert res.evidence[-1].rule == "empathy.credit.owned" or "致歉" in res.evidence[-1].note


@pytest.mark.parametrize("reply", ["不是我们发错了，是您下单选错了", "这不是我们的责任，是快递的问题", "请您理解，这不是我们的问题",
                                   "我们的责任是帮您联系快递，其他的要您自己处理"])
def test_responsibility_denied_or_defined_is_none(empathy, reply):
    assert _score(empathy, reply).status == "fail", reply


@pytest.mark.parametrize("reply", ["谢谢您耐心等了这么久，新的已经发出了", "感谢您这几天的耐心等待，是我们这边处理慢了，已经给您退款",
                                   "感谢您一直耐心等着，货已经到站了"])
def test_thanks_for_a_long_or_owned_wait_is_empathy(empathy, reply):
    res = _score(empathy, reply)
    assert res.status == "pass", reply
    assert res.evidence[-1].rule.startswith("empathy.credit.")


@pytest.mark.parametrize("reply", ["感谢您的耐心等待，订单号是多少", "好的，已经给您登记了，感谢您的支持", "亲，已登记，感谢您对我们的支持"])
def test_thanks_as_a_sign_off_is_none(empathy, reply):
    assert _score(empathy, reply).status == "fail", reply


def test_cantonese_ownership_counts(empathy):
    assert _score(empathy, "真係唔好意思，係我哋搞错咗，即刻同你换").status == "pass"
    assert _score(empathy, "唔好意思，唔係我哋搞错咗，係你落单揀错").status == "fail"


@pytest.mark.parametrize("reply", ["不好意思，麻烦提供一下订单号", "亲，您好，请问订单号是多少", "请您理解我们的政策，退货需要先寄回",
                                   "还请您理解，规定就是这样"])
def test_politeness_that_is_no_empathy(empathy, reply):
    assert _score(empathy, reply).status == "fail", reply


def test_an_apology_split_over_two_short_messages(empathy):
    res = _conv(empathy, [("agent", "您好"), ("customer", ANGRY), ("agent", "真的抱歉"), ("agent", "因为我们这边的疏忽漏发了，马上补寄")])
    assert res.status == "pass"
    res = _conv(empathy, [("agent", "您好"), ("customer", ANGRY), ("agent", "真的不好意思亲"), ("agent", "给您带来这样的体验，新的已经寄出")])
    assert res.status == "pass"
    assert res.evidence[-1].rule in ("empathy.credit.split", "empathy.lexicon", "empathy.similarity")


def test_a_lone_apology_word_before_a_request_is_none(empathy):
    res = _conv(empathy, [("agent", "您好"), ("customer", ANGRY), ("agent", "不好意思"), ("agent", "麻烦发一下订单号")])
    assert res.status == "fail"


def test_a_template_pasted_before_the_upset_earns_nothing(empathy):
    tpl = "耽误您时间啦，客服小美正在为您查询"
    assert _conv(empathy, [("agent", tpl), ("customer", ANGRY), ("agent", tpl)]).status == "fail"
    # the same words said first after the upset count
    assert _conv(empathy, [("agent", "您好"), ("customer", ANGRY), ("agent", "耽误您用了，这边加急处理")]).status == "pass"


def test_the_switch_turns_the_families_off(rubric):
    from pipeline.rubric.criteria._empathy_credit import EmpathyCreditParams, compile_credit

    assert compile_credit(EmpathyCreditParams(enabled=False)) is None
