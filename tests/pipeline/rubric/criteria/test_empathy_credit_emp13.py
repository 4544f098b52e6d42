"""empathy credit (emp13, _empathy_credit): the agent owning its own slip in the first person (是我没说清楚 / 怪我看错了),
the blame taken in the trade's slang (我的锅), and apologies in a register the lexicon lacks (赔罪 / 失礼了 / 歹势 / 我们检讨)
count; negated, or a gift (赔个礼品), they do not."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import score_with_reading


def _score(empathy, reply):
    return score_with_reading(empathy, "你们怎么搞的，气死我了", "negative", 0.98, 0.95, reply=reply)


@pytest.mark.parametrize("reply, family", [
    ("是我没说清楚，这个券要先领取才能用", "owned"),
    ("怪我看错了订单，马上给您改", "owned"),
    ("这次是我的锅，马上给您补发", "owned"),
    ("给您赔个罪，马上给您补发", "apology_register"),
    ("失礼了，马上给您补发", "apology_register"),
    ("歹势歹势，马上给您补发", "apology_register"),
    ("这件事我们检讨，马上给您补发", "apology_register"),
])
def test_an_owned_slip_or_an_apology_in_another_register_counts(empathy, reply, family):
    r = _score(empathy, reply)
    assert r.status == "pass"
    assert f"empathy.credit.{family}" in {e.rule for e in r.evidence}


@pytest.mark.parametrize("reply", ["不是我没说清楚，是您没看详情", "送您一个赔礼品，马上给您补发", "这个马上给您补发"])
def test_a_denial_a_gift_or_no_apology_does_not(empathy, reply):
    assert _score(empathy, reply).status == "fail"


def test_an_empty_family_switches_it_off(empathy):
    from pipeline.rubric.criteria.empathy import Empathy

    params = empathy.params.model_copy(deep=True)
    params.credit.apology_register = []
    assert _score(Empathy(empathy.id, params=params), "失礼了，马上给您补发").status == "fail"
