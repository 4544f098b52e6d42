"""abusive_customer in default@10 (issue 13; judge5): calling the agent or the shop's staff stupid or liars in a question
is abuse, in Mandarin or Cantonese (你哋 = 你们, 係咪 = 是不是); the same words about oneself or a third party are not.
The sentences are mine, not a set's."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


def _abusive(rubric, text: str) -> bool:
    flag = next(f for f in rubric.flags if f.code == "abusive_customer")
    conv = make_conversation([("agent", "您好，请问有什么可以帮您", 0), ("customer", text, 20)])
    return bool(flag.detect(conv, rubric))


@pytest.mark.parametrize(
    "text",
    ["你们客服是不是傻啊 说三遍了还不懂", "你哋係咪傻㗎 我講咗好多次", "你哋啲店員係咪呃人㗎", "你地真係痴線 收錢唔發貨", "你们是不是骗子"],
)
def test_default10_calling_the_staff_stupid_or_liars_in_a_question_is_abuse(rubric, text):
    assert _abusive(rubric, text), text


@pytest.mark.parametrize("text", ["我是不是傻 下单选错了颜色", "快递员是不是傻 放错柜子了", "係咪我傻咗 揀錯咗尺碼"])
def test_default10_the_same_words_about_oneself_or_the_courier_are_not_abuse(rubric, text):
    assert not _abusive(rubric, text), text


@pytest.mark.parametrize("text", ["本来是买给我妈的生日礼物 结果碎了", "给老妈的那件退了吧"])
def test_default10_ones_own_mothers_is_no_curse(rubric, text):
    assert not _abusive(rubric, text), text
    assert _abusive(rubric, "妈的 什么破东西 你是猪吗")
