"""greeting.v1 with the default rubric: equivalent openers get the same verdict (issue 13, mechanism 6)."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


@pytest.fixture(scope="module")
def greeting(rubric):
    return next(c for c in rubric.criteria if c.id == "greeting")


def _first(criterion, text):
    return criterion.score(make_conversation([("customer", "在吗", 0), ("agent", text, 20)]))


@pytest.mark.parametrize(
    "opener",
    [
        "请问有什么可以帮您",
        "有什么问题我可以帮您处理或解决呢?",  # a platform's standard opener
        "有什么需要我帮忙的吗",
        "请问您需要咨询什么呢",
        "我能为您做些什么？",
        "有什么能为您效劳的",
        "需要什么帮助吗",
        "很乐意为您解答",
    ],
)
def test_offers_of_help_are_greetings(greeting, opener):
    res = _first(greeting, opener)
    assert res.status == "pass", opener
    assert res.evidence[0].span is not None


@pytest.mark.parametrize("text", ["帮您查一下物流", "订单号发一下", "稍等", "已经发货了"])
def test_non_greetings_still_fail(greeting, text):
    assert _first(greeting, text).status == "fail", text


@pytest.fixture(scope="module")
def closing(rubric):
    return next(c for c in rubric.criteria if c.id == "closing")


def _last(criterion, text):
    return criterion.score(make_conversation([("customer", "好的 知道了", 0), ("agent", text, 20)]))


# Word order must not decide the verdict: 还有其他什么 and 还有什么其他 are the same closing question.
@pytest.mark.parametrize(
    "closer",
    ["请问还有什么可以帮您的吗", "请问还有其他什么可以帮您的吗", "还有什么其他问题吗", "您还需要其他什么帮助吗", "还需要什么别的服务吗"],
)
def test_closing_questions_pass_in_either_word_order(closing, closer):
    assert _last(closing, closer).status == "pass", closer


@pytest.mark.parametrize("text", ["已经帮您改好地址了", "这个颜色还有货"])
def test_statements_are_no_closing(closing, text):
    assert _last(closing, text).status == "fail", text
