"""pipeline/rubric/evaluate_framing.py: the weak labels placed on messages, and the pooled figure.

The sentences are written for these tests, not taken from any training file or held-out set."""
from __future__ import annotations

from pipeline.rubric.evaluate_framing import ROW_VERDICT, pooled, rule_rows
from pipeline.rubric.testing import make_conversation


def _conv(cid, *turns):
    return make_conversation([(role, text, 30 * i) for i, (role, text) in enumerate(turns)], cid)


def test_rule_rows_place_a_conversations_label_on_the_refusal_the_rule_found():
    bare = _conv("f1", ("customer", "能开专票吗"), ("agent", "您好"), ("agent", "专票开不了哦"))
    offered = _conv("p1", ("customer", "还有白色吗"), ("agent", "白色卖完了，不过米色还有现货"))
    elsewhere = _conv("p2", ("customer", "能改价吗"), ("agent", "不能改价的亲"), ("agent", "可以给您一张五元券"))
    disagrees = _conv("f2", ("customer", "能改价吗"), ("agent", "可以的 已经改好了"))
    rows = rule_rows({"toy": [(bare, "fail"), (offered, "pass"), (elsewhere, "pass"), (disagrees, "fail")]})
    assert [(c, a, lab) for c, a, lab, _ in rows] == [
        ("能开专票吗", "专票开不了哦", "declines"),
        ("还有白色吗", "白色卖完了，不过米色还有现货", "declines_with_alternative"),
        ("能改价吗", "不能改价的亲", "declines"),  # its alternative came in another message
    ]
    assert [n.split(":")[0] for *_, n in rows] == ["toy/f1", "toy/p1", "toy/p2"]


def test_row_verdicts_and_pooling():
    assert ROW_VERDICT == {"declines": "fail", "declines_with_alternative": "pass", "not_declining": "na"}
    assert pooled({"a": (9, 10), "b": (1, 10)}) == 0.5
