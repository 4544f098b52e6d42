"""forbidden_phrases in default@13 (issue 13; tab12): who repeated, what not-knowing leads to, take-it-or-leave-it on the
customer's own complaint, urging declared useless, not-knowing as the whole reply — each with contrast cases that must
not change. The sentences are mine, not a set's."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


@pytest.fixture(scope="module")
def forbidden(rubric):
    return next(c for c in rubric.criteria if c.id == "forbidden_phrases")


def _status(criterion, text: str) -> str:
    return criterion.score(make_conversation([("customer", "这个怎么弄啊", 0), ("agent", text, 30)])).status


@pytest.mark.parametrize(
    "text",
    [
        # the repeated telling done by sending
        "大姐 上面都给您发了三遍安装图了 跟着装就行",
        "链接之前已经发过两次了呀，往上翻翻",
        # urging declared useless in other words
        "知道您急，可催也白搭，仓库就这个节奏",
        "投诉也改变不了啥，物流就是慢",
        # take it or leave it on the customer's complaint
        "嫌运费高的话您可以不下单的哈",
        "觉得发货慢可以换别家，我们就这速度",
        # do it if you like, with an indifferent tail
        "想给差评就给差评呗，无所谓",
        "您要取消就取消好了",
        # not-knowing as the whole reply
        "这边也不太清楚呢",
        "俺不晓得",
        "唔知喔",
    ],
)
def test_default13_taboos_fail(forbidden, text):
    assert _status(forbidden, text) == "fail", text


@pytest.mark.parametrize(
    "text",
    [
        # the customer made to repeat, and the agent apologises for it
        "真对不住，害您解释了三遍，是我刚才没看清图片",
        "抱歉抱歉，让您说了好几次，我这就给您改地址",
        # not-knowing followed by the agent's own step
        "这个型号我也不知道兼不兼容，我去问一下技术同事，十分钟内回您",
        # the agent doubting its own understanding before a restatement
        "不知道是不是我看错了，您收到的是灰色不是蓝色，对吗",
        # sending again kindly, a grant, a free choice, an alternative on a price complaint
        "之前发过两次链接了，我再给您发一遍，点进去就能领",
        "要换就换吧，我这边马上给您登记换货",
        "两款都挺好，您随意挑，都随您",
        "觉得贵的话可以等周五的店铺券，能便宜二十",
        # a picture or a line that is unclear is no not-knowing
        "照片有点不清楚，麻烦您再拍一张近一点的",
    ],
)
def test_default13_contrasts_pass(forbidden, text):
    assert _status(forbidden, text) == "pass", text


@pytest.mark.parametrize(
    "text",
    [
        "我也不知道，你自己找快递问吧",  # not-knowing, then the customer sent away: no step of the agent's
        "不知道，这边也没法帮您查",  # the offer is negated
        "您都说了好几遍了，我也说了不行",  # the customer repeated, but no apology: arguing
    ],
)
def test_default13_guards_leave_real_taboos(forbidden, text):
    assert _status(forbidden, text) == "fail", text


def test_default13_switches_off():
    from pipeline.rubric import CRITERIA

    cls = CRITERIA["forbidden_phrases.v2"]
    on = cls(params=cls.Params(acts={"enabled": False}))
    off = cls(params=cls.Params(apologised_burden=False, not_knowing_action=None, acts={"enabled": False}))
    for text in ("真对不住，让您说了好几遍，是我没看清", "这个我也不知道，我去问一下技术同事"):
        assert _status(on, text) == "pass" and _status(off, text) == "fail", text
