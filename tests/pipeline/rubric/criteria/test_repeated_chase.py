"""empathy's trigger and negative_end in default@9 (issue 13): a customer who says again, flatly, that the order has
not come (没收到 … the agent answers … 还是没收到) is chasing: the agent's answer did not settle it. Once is a status
(a calm answer to 请确认收货 stays calm). Readings set by hand (calm in context), so the rule is what decides."""
from __future__ import annotations

import pytest

from pipeline.rubric.testing import make_conversation, set_reading


def _conv(*customer_turns: str, agent: str = "亲，系统显示已经处理了，请您再查看一下"):
    turns = [("agent", "您好，请问有什么可以帮您", 0)]
    for i, text in enumerate(customer_turns):
        turns += [("customer", text, 20 + 40 * i), ("agent", agent, 40 + 40 * i)]
    conv = make_conversation(turns[:-1], run_stages=False)  # the conversation ends on the customer's last turn
    for m in conv.messages:
        if m.role == "customer":
            set_reading(m, "neutral", 0.3, 0.15, context="neutral")
    return conv


def _negative_end(rubric, conv) -> bool:
    flag = next(f for f in rubric.flags if f.code == "negative_end")
    return bool(flag.detect(conv, rubric))


@pytest.mark.parametrize(
    "turns",
    [("没收到退款 用的支付宝", "没有退 我查了两遍了"), ("还没到货呢", "还是没到，物流也不动"), ("没有收到", "我这边没有到账")],
)
def test_saying_again_that_it_has_not_come_is_a_chase(empathy, rubric, turns):
    conv = _conv(*turns)
    res = empathy.score(conv)
    assert res.status == "fail" and res.evidence[0].rule == "empathy.trigger.repeated_status", [e.rule for e in res.evidence]
    assert _negative_end(rubric, conv)


@pytest.mark.parametrize("turns", [("还没收到",), ("没收到退款 用的支付宝", "好的 那我再等等"), ("没有收到", "没有了 谢谢")])
def test_once_is_a_status(empathy, rubric, turns):
    conv = _conv(*turns)
    assert empathy.score(conv).status == "na", turns
    assert not _negative_end(rubric, conv), turns
