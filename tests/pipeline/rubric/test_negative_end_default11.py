"""negative_end in default@11 (issue 13; credit6): after the customer has complained, a last message that praises or
thanks in a sarcastic frame, or asks a question the state layer reads negative in context, ends negative; the same
words with no complaint before them, and plain thanks, do not. Readings are set by hand; the sentences are mine."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation, set_reading

COMPLAINT = "订的台灯三天了还没发，烦死了"
CALM_ASK = "订的台灯什么时候发呀"


def _flags(rubric, first: str, last: str, *, last_negative: float, complained: bool = True) -> list:
    conv = make_conversation(
        [("agent", "您好，请问有什么可以帮您", 0), ("customer", first, 20), ("agent", "仓库排单中，下周才能发出", 40), ("customer", last, 60)],
        run_stages=False,
    )
    if complained:
        set_reading(conv.messages[1], "negative", 0.97, 0.95)
    else:
        set_reading(conv.messages[1], "neutral", 0.05, 0.05)
    label = "negative" if last_negative >= 0.5 else "neutral"
    set_reading(conv.messages[3], label, last_negative, last_negative)
    conv.messages[3].state.scores = {"negative": last_negative, "neutral": 1 - last_negative, "positive": 0.0}
    rubric.score(conv)
    return [f for f in conv.flags if f.code == "negative_end"]


@pytest.mark.parametrize("last", ["那我可真谢谢你们了", "你们发货可真够快的哈", "这效率也是没谁了", "还能指望你们什么"])
def test_default11_sarcastic_praise_or_thanks_after_a_complaint_ends_negative(rubric, last):
    flags = _flags(rubric, COMPLAINT, last, last_negative=0.1)
    assert flags and "反话" in flags[0].reason, last


@pytest.mark.parametrize("last", ["那我可真谢谢你们了", "你们发货可真够快的哈"])
def test_default11_the_same_words_without_a_complaint_before_them_do_not(rubric, last):
    assert not _flags(rubric, CALM_ASK, last, last_negative=0.1, complained=False), last


def test_default11_plain_thanks_after_a_complaint_is_no_negative_end(rubric):
    assert not _flags(rubric, COMPLAINT, "好的，真是谢谢您了", last_negative=0.05)


def test_default11_a_question_read_negative_after_a_complaint_ends_negative(rubric):
    flags = _flags(rubric, COMPLAINT, "下周？这就是你们家的发货速度？", last_negative=0.9)
    assert flags and "反问" in flags[0].reason
    assert _flags(rubric, COMPLAINT, "那下周几能到呀？", last_negative=0.9)


def test_default11_a_question_read_calm_or_without_a_complaint_stays_calm(rubric):
    assert not _flags(rubric, COMPLAINT, "那下周几能到呀？", last_negative=0.6)
    assert not _flags(rubric, CALM_ASK, "那下周几能到呀？", last_negative=0.9, complained=False)


@pytest.mark.parametrize("last", ["好的，这就是我想要的服务", "这就是你们的售后电话吗"])
def test_default11_what_the_customer_wanted_or_a_number_asked_for_is_no_sarcasm(rubric, last):
    assert not _flags(rubric, COMPLAINT, last, last_negative=0.1), last


@pytest.mark.parametrize("last", ["你是不是二百五", "客服nt吧"])
def test_default11_an_insult_in_the_last_message_ends_negative_whatever_the_models_read(rubric, last):
    flags = _flags(rubric, COMPLAINT, last, last_negative=0.05)
    assert flags and "辱骂" in flags[0].reason, last
    assert _flags(rubric, CALM_ASK, last, last_negative=0.05, complained=False), last


def test_default11_an_insult_at_the_courier_in_the_last_message_is_no_insult_to_the_agent(rubric):
    assert not _flags(rubric, CALM_ASK, "那个快递员真是神经病 放错柜子了", last_negative=0.05, complained=False)
