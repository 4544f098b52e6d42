"""Per-text memos (pipeline.rubric.text_memo) answer what the function answers afresh: on data/sample's texts, before
and after the memo fills, and after it started afresh (a small bound)."""
import json
from pathlib import Path

import pytest

from pipeline.rubric import text_memo
from pipeline.rubric.criteria import _shapes
from pipeline.rubric.matching import _clause_spans, clauses, local_analysis_form
from pipeline.rubric.text_memo import per_text

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample"


def _texts() -> list[str]:
    out = []
    for f in sorted(SAMPLE.glob("*.jsonl"))[:12]:
        for line in f.read_text(encoding="utf-8").splitlines():
            out.append(json.loads(line).get("text") or "")
    return out + ["", "  ", "在吗", "为什么查不到物流", "孩子在门口等着呢", "好的。。。", "中午能到吗 急用"]


def test_per_text_keeps_and_starts_afresh(monkeypatch):
    calls = []
    f = per_text(lambda s: calls.append(s) or len(s))
    assert f("abc") == 3 and f("abc") == 3 and calls == ["abc"]
    monkeypatch.setattr(text_memo, "_TEXT_MEMO_MAX", 2)
    for s in ("x", "yy", "zzz", "x"):
        assert f(s) == len(s)
    assert len(f.memo) <= 2
    assert f.fresh("abcd") == 4


@pytest.mark.parametrize("bound", [16_384, 7])
def test_shapes_and_clauses_equal_fresh_readings(monkeypatch, bound):
    monkeypatch.setattr(text_memo, "_TEXT_MEMO_MAX", bound)
    texts = _texts()
    assert len(texts) > 500
    for _ in range(2):  # the second pass reads what the first kept
        for t in texts:
            s = local_analysis_form(t)
            assert _clause_spans(s) == tuple(_clause_spans.fresh(s))
            got = clauses(s)
            assert got == list(_clause_spans.fresh(s)) and isinstance(got, list)
            got.append((0, 0))  # a caller's list is its own
            assert clauses(s) == list(_clause_spans.fresh(s))
            assert _shapes._question_shape(s) is _shapes._question_shape.fresh(s)
            assert _shapes._asks_in(s) is _shapes._asks_in.fresh(s)
            assert _shapes._spaced_form(t) == local_analysis_form(t).strip()
