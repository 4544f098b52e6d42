"""empathy.v1 in default@10 (issue 13; judge5): what counts as the acknowledgement once empathy is required. A let-down
named from the customer's place or as understood, and the customer's hurry understood, are empathy; an
acknowledgement followed by a condition (但…才能…) is cancelled like 但规定就是规定. The customer-state reading is set by
hand, so each test pins one credit rule, not the trigger."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import score_with_reading


def _score(empathy, customer: str, reply: str, kind: str | None = None):
    # the customer turn read upset with certainty (trigger settled), so the test pins the credit of `reply`
    return score_with_reading(empathy, customer, "negative", 0.97, 0.95, reply=reply, kind=kind)


LET_DOWN = "说实话有点失望，宣传图上那么亮，实物灰扑扑的"
IN_A_HURRY = "快点吧我等着出门，地址填错了"


@pytest.mark.parametrize(
    "reply",
    [
        "嗯嗯，满心期待收到却是这样，换我也会挺失落的。这款可以免费退换",
        "要是我也会不甘心的，这边给您申请退货",
        "理解您的落差感，实物在室内光线下确实会暗一些",
        "看得出您挺沮丧的，我帮您看看能怎么补救",
    ],
)
def test_default10_a_let_down_named_from_the_customers_place_or_understood_is_empathy(empathy, reply):
    res = _score(empathy, LET_DOWN, reply, "失望")
    assert res.status == "pass", reply


def test_default10_saying_the_product_is_a_let_down_acknowledges_no_one(empathy):
    # the word alone, about the goods and not the customer, is no acknowledgement
    assert _score(empathy, LET_DOWN, "这款颜色是偏灰的，有点遗憾没在详情页写清楚", "失望").status == "fail"


@pytest.mark.parametrize("reply", ["明白您赶时间，马上帮您改好", "知道您等着出门，地址这就改", "理解您要赶去上班，我这边先改地址"])
def test_default10_the_customers_hurry_understood_is_empathy(empathy, reply):
    assert _score(empathy, IN_A_HURRY, reply, "着急").status == "pass", reply


def test_default10_an_acknowledgement_then_a_condition_is_cancelled(empathy):
    angry = "等了十天才发现发错货，你们怎么搞的"
    assert _score(empathy, angry, "我理解您的心情，但是您得先把错的寄回来，我们才能给您补发", "生气").status == "fail"
    assert _score(empathy, angry, "我理解您的心情，但只有仓库签收了才可以退款", "生气").status == "fail"
    # an offer after the contrast still keeps it (…但是我可以先给您补发)
    assert _score(empathy, angry, "我理解您的心情，但是这边可以先给您补发，错的不用急着寄", "生气").status == "pass"


@pytest.mark.parametrize("reply", ["您担心是对的，先别用了，我帮您报修", "你生气有道理，这次确实是我们发错了"])
def test_default10_the_feeling_called_right_is_empathy(empathy, reply):
    assert _score(empathy, "锅盖一直漏气 家里有小孩 有点害怕", reply, "担心").status == "pass", reply


@pytest.mark.parametrize("reply", ["换位想一想，我也会很生气", "站在您的角度，我也会特别失落的"])
def test_default10_in_your_place_i_would_feel_it_too_is_empathy(empathy, reply):
    assert _score(empathy, "收到的东西坏了，真的很生气", reply, "生气").status == "pass", reply
    # a change of view that names no feeling acknowledges none
    assert _score(empathy, "收到的东西坏了，真的很生气", "换个角度说，这款本来就容易坏", "生气").status == "fail"
