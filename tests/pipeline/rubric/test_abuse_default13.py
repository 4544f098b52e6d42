"""abusive_customer in default@13 (issue 13; tab12): the target decides — insults in a Cantonese copula, with a modifier
between the person and the noun, homophones, 有毛病 / 蠢 said of the person are abuse; the same words said of the
customer's own family, of themself, of the goods, or reported from a friend are not. The sentences are mine."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


def _abusive(rubric, text: str) -> bool:
    flag = next(f for f in rubric.flags if f.code == "abusive_customer")
    conv = make_conversation([("agent", "您好，请问有什么可以帮您", 0), ("customer", text, 20)])
    return bool(flag.detect(conv, rubric))


@pytest.mark.parametrize(
    "text",
    [
        "你哋個客服真係垃圾，三日都唔覆",
        "客服是不是有大病 我说的是退款",
        "你们怎么这么蠢 地址写得清清楚楚",
        "傻币客服 别装死",
        "你们家就是专坑老人的骗子",
        "客服是头猪吧",
        "你脑子让狗啃了吧",
        "你tmd到底会不会",
        "半天不回 死哪儿去了",
    ],
)
def test_default13_insults_at_the_agent_are_abuse(rubric, text):
    assert _abusive(rubric, text), text


@pytest.mark.parametrize(
    "text",
    [
        "我媳妇真是个白痴，把尺码拍错了，能换吗",
        "我就是个傻子，没看清是预售",
        "我同事说你们是骗子，我不太信，想问问",
        "你们家垃圾袋有加厚的吗",
        "这台灯是不是有毛病啊 一闪一闪的",
        "这箱子好笨重 有轻一点的吗",
        "快递员跟个傻逼一样 扔楼下就走",
    ],
)
def test_default13_the_same_words_at_others_are_not(rubric, text):
    assert not _abusive(rubric, text), text
