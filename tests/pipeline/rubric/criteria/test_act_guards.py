"""pipeline/rubric/criteria/_act_guards.py: the act layer's word lists and clause patterns (moved out of forbidden.py,
default@15) and act14's three guard lists, read as patterns. The sentences are written for these tests."""
from __future__ import annotations

import pytest

from pipeline.rubric.criteria import _act_guards as G
from pipeline.rubric.criteria import forbidden
from pipeline.rubric.matching import compile_entries


def test_forbidden_re_exports_every_moved_name():
    for name in ("PLAIN_REFUSAL", "HELPLESS", "DISMISSAL", "AGENT_OFFER", "NOT_KNOWING", "FINDS_OUT", "RULE_GRANT",
                 "_RESTATEMENT", "_POLITE_QUESTION", "_OWNS_FAULT", "_INFO_QUESTION", "_CUSTOMER_ONLY", "_CHECK_IN", "_PROMISE"):
        assert getattr(forbidden, name) is getattr(G, name)


@pytest.mark.parametrize(
    "text, has_cue",
    [
        ("这个真的弄不了呢亲", True),
        ("這邊沒辦法喔", True),  # traditional
        ("唔好意思 呢個冇得退", True),  # Cantonese
        ("只能等厂家通知了", True),
        ("随您吧～", True),
        ("no way亲", True),
        ("超出售后范围了哈", True),
        ("亲亲你好呀～我们家的芒果都是产地直发的哦😋", False),  # praise: no cue
        ("这款是今年的新色，上身超显白", False),
    ],
)
def test_refusal_cue(text, has_cue):
    assert bool(compile_entries(G.REFUSAL_CUE).search(text)) is has_cue


@pytest.mark.parametrize(
    "text, owned",
    [
        ("快递把件放错柜子了，是我们没跟进好", True),
        ("这次是物流磕的，锅我们背", True),
        ("運費我們來承擔，您放心", True),  # traditional
        ("这次我们认了，给您补发", True),
        ("这个锅我们不背", False),
        ("运费我们不承担的哦", False),
        ("这个我们认为是人为的", False),
        ("这个锅是快递的", False),
    ],
)
def test_owned(text, owned):
    pats = [compile_entries([e]) for e in G.OWNED]
    assert any(p.search(text) for p in pats) is owned


@pytest.mark.parametrize(
    "text, natural",
    [
        ("换谁都会着急的", True),
        ("任谁遇到都闹心", True),
        ("心里没底很正常", True),
        ("您生气我能理解", True),
        ("这个起球很正常", False),  # a product fact waved off, no feeling
        ("您别急", False),
    ],
)
def test_feeling_normal(text, natural):
    assert bool(compile_entries(G.FEELING_NORMAL).search(text)) is natural


@pytest.mark.parametrize("text", ["急也没用", "至于吗", "着急也白搭"])
def test_feeling_dismissed(text):
    assert G.FEELING_DISMISSED.search(text)
