"""The labelled evaluation sets (tests/golden/rubric and, when present, tests/golden/rubric_holdout):
criterion agreement ≥ 0.9, flag precision ≥ 0.85 and recall ≥ 0.9 (flags the set labels)."""
from __future__ import annotations

import pytest

from pipeline.rubric.evaluate import evaluate, format_report

from .conftest import DEFAULT_RUBRIC, GOLDEN

SETS = [d for d in (GOLDEN, GOLDEN.parent / "rubric_holdout") if d.is_dir() and any(d.glob("*.json"))]
pytestmark = pytest.mark.skipif(not SETS, reason="no labelled set in tests/golden/rubric")


@pytest.fixture(scope="module", params=SETS, ids=[d.name for d in SETS])
def report(request):
    return evaluate(request.param, DEFAULT_RUBRIC, sentiment=False)


def test_criterion_agreement(report):
    low = {cid: s for cid, s in report.criteria.items() if s["accuracy"] is not None and s["accuracy"] < 0.9}
    assert not low, format_report(report)


def test_flag_precision_and_recall(report):
    labelled = {code for code, s in report.flags.items() if s["tp"] + s["fn"] > 0}
    for code in labelled:
        s = report.flags[code]
        assert s["precision"] is not None and s["precision"] >= 0.85, (code, s)
        assert s["recall"] >= 0.9, (code, s)


def test_report_lists_disagreements_with_evidence(report):
    text = format_report(report)
    assert "criterion" in text and "precision" in text
    for d in report.disagreements:
        assert d.file.endswith(".json") and d.expected != d.got
