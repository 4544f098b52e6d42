"""active_listening.v1 (default@13, lsn12b): a restatement read by the content it shares with the customer's words."""
from __future__ import annotations

import pytest

from pipeline.rubric.criteria._restatement import RestatementParams, shared_pieces
from pipeline.rubric.criteria.listening import ActiveListening, KindModelParams, ListeningParams
from pipeline.rubric.testing import make_conversation

COMPLAINT = "你好，手机收到了，屏幕左上角有一道细划痕"


def _score(agent: str, customer: str = COMPLAINT, **kw):
    crit = ActiveListening(params=ListeningParams(kinds=KindModelParams(enabled=False), restatement=RestatementParams(**kw)))
    return crit.score(make_conversation([("customer", customer, 0), ("agent", agent, 30)], run_stages=False))


def test_a_confirming_question_naming_the_customers_detail_passes_with_its_evidence():
    res = _score("你好，左上角靠近听筒那道吗？我拍照时确实没注意到")  # default@14: with 是 the lexicon reads it first
    assert res.status == "pass"
    ev = res.evidence[1]
    assert ev.rule == "active_listening.restatement" and ev.seq == 2 and ev.span == (0, 14) and "左上角" in ev.note


def test_switched_off_the_same_question_fails():
    assert _score("你好，左上角靠近听筒那道吗？", enabled=False).status == "fail"


@pytest.mark.parametrize(
    "agent",
    [
        "左上角吗？",  # a bare echo
        "左上角是哪一道呢？",  # asks for information
        "麻烦提供一下订单号，左上角划痕拍个照片",  # asks for the order number / a photo
        "您反馈的问题我们已经收到了",  # a receipt template
        "详情页写了左上角有细纹，您下单前没看吗？",  # a reproach, the detail in another clause
        "左上角的话属于正常使用痕迹",  # a statement (statements off)
    ],
)
def test_no_credit(agent):
    assert _score(agent).status == "fail"


def test_a_statement_naming_two_pieces_counts_only_when_statements_are_on():
    customer, agent = "我买的卫衣袖口开线了，白色M码的", "亲，白色M码卫衣袖口开线，这边给您换新"
    assert _score(agent, customer).status == "fail"
    assert _score(agent, customer, statements=True).status == "pass"
    assert _score("好的亲，可以给您退货的", "杯子坏了 我要退货", statements=True).status == "fail"  # one word shared


def test_pieces_break_where_the_bigram_is_not_the_customers():
    assert shared_pieces("白色m码卫衣袖口开线", "我买的卫衣袖口开线了,白色m码的") == ["卫衣袖口开线", "白色m码"]
    assert shared_pieces("您好,问题", "您好 问题") == []  # stop bigrams
