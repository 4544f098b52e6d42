"""positive_framing.v1, default@14 (frm13): who acts in an alternative, passing the word on, and declines that answer
nobody's request.

- a referral (the customer sent to a third party or a complaint channel, nothing done by the shop) is no alternative,
  for the word lists and for the decline model's alternative reading; said in answer to a request it declines;
- passing the word on (我们会反馈给上级) is a next step only with something concrete after it;
- a message that answers no customer turn (none before it, or only an acknowledgement) declines nothing.

The sentences are written for these tests, not taken from any training file or held-out set."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.rubric.testing import framing_words_only as _rule, make_conversation, score_turns as _score


@pytest.mark.parametrize(
    "reply",
    ["运费这边退不了，您可以去投诉", "超过保修期就修不了了，您可以申请平台介入看看", "价格是统一定的，改不了，您可以再看看别家",
     "装不上的话我们也处理不了，建议您咨询4S店", "这个退不了，您可以拿去当地维修点看看"],
)
def test_a_referral_is_no_alternative(reply):
    res = _score(_rule(), "能退吗", reply)
    assert res.status == "fail", reply
    assert any(e.rule == "positive_framing.referral" for e in res.evidence)
    # off, the referral's 您可以 / 建议 counts as before
    assert _score(_rule(referral=None), "能退吗", reply).status in ("pass", "na")


@pytest.mark.parametrize("reply", ["物流我们管不到，不过我这边联系快递网点催一下", "物流我们控制不了，我们来联系快递查一下",
                                   "物流我们控制不了，我帮您联系快递查一下", "派送我们左右不了，我这边马上联系快递站点"])
def test_the_shop_contacting_a_third_party_itself_is_an_alternative(reply):
    assert _score(_rule(), "快递不动了能催吗", reply).status == "pass", reply


def test_the_shop_as_subject_with_adverbs_between_is_no_referral():
    crit = _rule()
    assert crit._referral_clauses("我这边现在就打给快递站点") == []
    assert crit._referral_clauses("这边建议您打给快递站点") != []


def test_a_request_answered_by_sending_the_customer_elsewhere_declines():
    res = _score(_rule(), "这个灯坏了能换吗", "这个您可以联系厂家售后，他们会处理的")
    assert res.status == "fail"
    assert res.evidence[0].rule == "positive_framing.referral"
    assert _score(_rule(referral=None), "这个灯坏了能换吗", "这个您可以联系厂家售后，他们会处理的").status == "na"
    # the same referral after a grant is how the grant is carried out, and no request: nothing declined
    assert _score(_rule(), "这个灯坏了能换吗", "可以换的，您联系快递上门取件就行").status != "fail"
    assert _score(_rule(), "你们店在哪", "您可以去当地门店看看").status == "na"


def test_passing_the_word_on_is_an_alternative_only_with_something_concrete():
    vague = "这个没办法直接退，我们会反馈给上级的"
    assert _score(_rule(), "能直接给我退款吗", vague).status == "fail"
    assert _score(_rule(vague_step=None), "能直接给我退款吗", vague).status == "pass"
    for concrete in ("这个没办法直接退，我帮您反馈一下，24小时内给您回复", "这个没办法直接退，我帮您转给售后同事跟进"):
        assert _score(_rule(), "能直接给我退款吗", concrete).status == "pass", concrete


def test_a_message_that_answers_no_customer_turn_declines_nothing():
    notice = "亲，您拍的这款黑色暂时缺货了，可以换成灰色或者给您退款"
    crit = _rule()
    res = crit.score(make_conversation([("agent", notice, 0), ("customer", "好的", 30)]))
    assert res.status == "na" and res.evidence[0].rule == "positive_framing.unasked"
    assert _score(crit, "好的谢谢", "另外提醒一下，这款不支持七天无理由").status == "na"
    # the same words answering a request decline
    assert _score(crit, "能退吗", "这款不支持七天无理由").status == "fail"
    off = _rule(unasked=None)
    assert _score(off, "好的谢谢", "另外提醒一下，这款不支持七天无理由").status == "fail"


class _Fixed:
    """A decline model whose reading of each agent text is given: (P(declines), P(declines_with_alternative))."""

    model_id = "fixed@0"

    def __init__(self, readings):
        self.readings = readings

    def predict_proba(self, rows):
        return np.array([[1.0 - sum(self.readings.get(t, (0, 0))), *self.readings.get(t, (0, 0))] for _, t in rows],
                        dtype=np.float32)


def test_the_model_s_alternative_reading_does_not_credit_a_referral():
    sent = "这个我们这边处理不了，您直接找快递公司申请理赔吧"

    def crit(**params):
        c = _rule(**params)
        compiled = c.compiled
        c.params.declines = c.params.declines.model_copy(update={"enabled": True, "veto": None})
        c._compiled = compiled._replace(decline_model=_Fixed({sent: (0.1, 0.8)}))
        return c

    res = _score(crit(), "东西摔坏了能赔吗", sent)
    assert res.status == "fail"
    assert {"positive_framing.missing", "positive_framing.referral"} <= {e.rule for e in res.evidence}
    assert _score(crit(referral=None), "东西摔坏了能赔吗", sent).status == "pass"


def test_a_referral_answering_a_complaint_declines():
    turns = [("customer", "东西到手就是坏的 根本没法用", 0, "negative"), ("agent", "亲，您可以去当地维修点检测一下", 30)]
    res = _rule().score(make_conversation(turns))
    assert res.status == "fail" and res.evidence[0].rule == "positive_framing.referral"
    crit = _rule(referral_complaints=False)
    assert crit.score(make_conversation(turns)).status == "na"
    # a calm question answered with where to go is information
    calm = [("customer", "坏了一般去哪修", 0, "neutral"), ("agent", "您可以去当地维修点检测一下", 30)]
    assert _rule().score(make_conversation(calm)).status == "na"
