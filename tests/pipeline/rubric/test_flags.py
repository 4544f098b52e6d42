"""Flags: red line, SLA breach, negative end, abusive customer (guarded), empathy missing, low score."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation


def flags_of(rubric, turns):
    conv = make_conversation(turns)
    rubric.score(conv)
    return {f.code: f for f in conv.flags}, conv


def test_red_line_flags_whatever_the_total(rubric):
    flags, conv = flags_of(
        rubric,
        [("customer", "在吗", 0), ("agent", "您好，很高兴为您服务", 10), ("customer", "能开发票吗", 20),
         ("agent", "这个不归我管", 30), ("agent", "请问还有其他可以帮您的吗", 40)],
    )
    assert flags["forbidden_phrase"].red_line and flags["forbidden_phrase"].seq == 4
    assert "不归我管" in flags["forbidden_phrase"].reason


def test_sla_breach_reason_in_chinese(rubric):
    flags, _ = flags_of(rubric, [("customer", "在吗", 0), ("agent", "您好", 412)])
    assert flags["sla_breach"].reason == "首次响应 412 秒，超过 300 秒"
    assert flags["sla_breach"].seq == 2


@pytest.mark.parametrize(
    "text, abusive",
    [
        ("垃圾客服", True),
        ("你是猪吗", True),
        ("滚", True),
        ("傻X", True),
        ("你们脑子有病吧", True),
        ("辣鸡客服又不回", True),
        ("我要买垃圾袋", False),
        ("小区在搞垃圾分类", False),
        ("滚筒洗衣机多少钱", False),
        ("滚动条拉不动", False),
        ("这个USB线多长", False),
        ("电话138****5678", False),
        # 垃圾 said of the goods criticises the product, not the agent (default@7)
        ("你们卖的什么垃圾质量，一洗就缩水", False),
        ("这是什么垃圾布料啊，扎得浑身痒", False),
        ("你个垃圾东西", True),
        ("什么垃圾客服，问三遍都不回", True),
    ],
)
def test_abusive_customer_guarded(rubric, text, abusive):
    flags, conv = flags_of(rubric, [("customer", text, 0), ("agent", "您好", 20)])
    assert ("abusive_customer" in flags) is abusive
    assert conv.criteria["forbidden_phrases"].status == "pass"  # protects the agent, costs them nothing


def test_agent_saying_abuse_is_not_an_abusive_customer(rubric):
    flags, _ = flags_of(rubric, [("customer", "你好", 0), ("agent", "滚", 20)])
    assert "abusive_customer" not in flags


def test_negative_end_sentiment_and_fallback(rubric):
    flags, _ = flags_of(rubric, [("customer", "在吗", 0), ("agent", "您好", 10), ("customer", "算了，太失望了", 20)])
    assert "negative_end" in flags and "词表兜底" in flags["negative_end"].reason
    flags, _ = flags_of(rubric, [("customer", "在吗", 0), ("agent", "您好", 10), ("customer", "这样啊", 20, "negative")])
    assert "negative_end" in flags and "情感模型" in flags["negative_end"].reason
    # a bare acknowledgement (嗯 / 没了 / 行吧) carries no emotion whatever the model says
    flags, _ = flags_of(rubric, [("customer", "在吗", 0), ("agent", "您好", 10), ("customer", "嗯", 20, "negative")])
    assert "negative_end" not in flags
    # the sentiment label wins over cue words when present
    flags, _ = flags_of(rubric, [("customer", "不生气了，谢谢", 0, "positive"), ("agent", "您好", 10)])
    assert "negative_end" not in flags
    # last customer message WITH TEXT
    flags, _ = flags_of(rubric, [("customer", "太失望了", 0), ("agent", "您好", 10), ("customer", "", 20)])
    assert "negative_end" in flags


def test_empathy_missing_and_low_score(rubric):
    flags, conv = flags_of(rubric, [("customer", "怎么还没发货，气死了", 0), ("agent", "等着", 400)])
    assert "empathy_missing" in flags
    assert conv.score < 60 and "low_score" in flags
    assert "低于 60 分" in flags["low_score"].reason
