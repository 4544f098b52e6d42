"""negative_end in default@10 (issue 13; judge5): a threat to complain, writing the loss off, breaking off the talk and
daring the shop to keep failing end negative whatever the customer-state layer reads in context — also when the sentence
model's label is negative but the layer's P(negative) is low; giving up may take two words. The readings are set by
hand, so each test pins one rule. The sentences are mine, not a set's."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation, set_reading


def _flagged(rubric, text: str, label: str = "neutral", negative: float = 0.2) -> bool:
    flag = next(f for f in rubric.flags if f.code == "negative_end")
    conv = make_conversation([("agent", "这个情况我们这边处理不了哦", 0), ("customer", text, 20)], run_stages=False)
    set_reading(conv.messages[1], label, negative, 0.2, context="neutral")
    return bool(flag.detect(conv, rubric))


@pytest.mark.parametrize(
    "text",
    [
        "行 我找12315说理去",
        "好的 等着收差评吧",
        "嗯 我去市场监管那边反映",
        "算了 就当交学费了",
        "行吧 算我倒霉",
        "好 懒得跟你们说了",
        "我倒要看看你们能糊弄到什么时候",
        "这次就当长个教训",
        "懒得说了 就这样吧",
        "呵呵 随便你们吧",
        "不用了 我已经在别家买了",
    ],
)
def test_default10_taking_it_further_or_writing_it_off_ends_negative_in_any_context(rubric, text):
    assert _flagged(rubric, text), text
    # a negative sentence label with a low context-read P(negative) used to skip the check altogether
    assert _flagged(rubric, text, label="negative", negative=0.3), text


@pytest.mark.parametrize("text", ["好的 不会给差评的放心", "嗯嗯 谢谢啦 那我等快递", "没有投诉的意思哈 就是问问"])
def test_default10_a_denied_threat_or_a_calm_close_stays_calm(rubric, text):
    assert not _flagged(rubric, text), text


def _end_flags(rubric, agent_reply: str, last: str) -> set[str]:
    conv = make_conversation([("customer", "这个耳机能便宜点吗", 0), ("agent", "您好，这款已经是活动价了", 20),
                              ("customer", "那送个耳机套呢", 40), ("agent", agent_reply, 60), ("customer", last, 80)])
    rubric.score(conv)
    return {f.code for f in conv.flags}


def test_default10_giving_up_in_two_words_after_a_red_line_ends_negative(rubric):
    assert "negative_end" in _end_flags(rubric, "爱买不买，不买就算了", "行 算了 不要了")
    assert "negative_end" not in _end_flags(rubric, "耳机套这款没有配哦", "行 算了 不要了")
