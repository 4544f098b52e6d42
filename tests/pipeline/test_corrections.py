"""Correction policy: which correction wins, how it changes a result, the one rounding rule."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.conversation import CriterionResult
from pipeline.corrections import EFFECTIVE_KEYS, apply_corrections, corrected_score, effective_results
from pipeline.rubric import Rubric
from tests.pipeline.store.helpers import BACKENDS, open_store, scored


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with open_store(request.param, tmp_path) as s:
        yield s


def _row(criteria: dict, score: float | None = 100.0) -> dict:
    return {"conversation_id": "c1", "rubric_version": "r@1", "model_version": "", "run_id": "r", "scored_at": None,
            "started_at": None, "ended_at": None, "agent_id": "A1", "agents": ["A1"], "message_count": 3,
            "score": score, "flagged": False, "criteria": criteria, "flags": [], "sentiment": {}}  # fmt: skip


def _corr(criterion=None, status=None, points=None, score=None, flags=None, reviewer="r", comment=None) -> dict:
    return {"criterion": criterion, "status": status, "points": points, "score": score, "flags": flags,
            "reviewer": reviewer, "comment": comment}  # fmt: skip


def test_effective_results_applies_corrections(store):
    a, b = scored("h001"), scored("h002", start_minutes=60 * 24 * 40)  # b starts in November
    store.upsert_conversations([a, b], "r1")
    store.save_results([a, b], "r1")
    rows, version = effective_results(store, date(2026, 10, 1), date(2026, 11, 1))
    assert version == "fake@1" and [r["conversation_id"] for r in rows] == ["h001"]
    assert list(rows[0]) == list(EFFECTIVE_KEYS)
    assert not rows[0]["corrected"] and rows[0]["score"] == 100.0 and rows[0]["shop"] == "s1"

    store.add_correction("h001", criterion="greeting", status="fail", reviewer="王芳", comment="问候不完整")
    (row,), _ = effective_results(store, "2026-10-01", "2026-11-01")
    assert row["corrected"] and row["criteria"]["greeting"]["status"] == "fail"
    assert row["criteria"]["greeting"]["points"] == 0
    assert row["score"] == 50.0 and row["auto_score"] == 100.0 and row["corrected_criteria"] == ["greeting"]

    store.add_correction("h001", criterion="greeting", status="pass", reviewer="李雷")  # newest wins
    store.add_correction("h001", score=80, reviewer="李雷")
    (row,), _ = effective_results(store, "2026-10-01", "2026-11-01")
    assert row["criteria"]["greeting"]["status"] == "pass" and row["score"] == 80.0
    assert row["reviewers"] == ["王芳", "李雷"] and row["correction_comments"] == ["问候不完整"]

    # another rubric version is a separate set of results
    assert effective_results(store, "2026-10-01", "2026-11-01", rubric_version="v@9") == ([], "v@9")


def test_effective_results_empty_store(store):
    assert effective_results(store, None, None) == ([], None)


def test_effective_results_oldest_start_first(store):
    late, early = scored("h001", start_minutes=60), scored("h002")
    store.save_results([late, early], "r1")
    rows, _ = effective_results(store, None, None)
    assert [r["conversation_id"] for r in rows] == ["h002", "h001"]


def test_corrected_score_rounds_like_the_rubric():
    """The disagreement fixed: corrections rounded to 1 decimal, the rubric to 2 (conversation_score)."""
    results = {
        "a": CriterionResult("pass", 10, 30),
        "b": CriterionResult("pass", 10, 30),
        "c": CriterionResult("pass", 10, 30),
        "d": CriterionResult("na", 0, 0),
    }
    automatic = Rubric.total(results)
    criteria = {k: v.to_dict() for k, v in results.items()}
    assert corrected_score(criteria) == automatic == 33.33  # 1 decimal would give 33.3
    # a correction that changes the points gives the rubric's score of the corrected points
    row = apply_corrections(_row(criteria, automatic), [_corr("a", status="pass")])
    results["a"] = CriterionResult("pass", 30, 30)
    assert row["score"] == Rubric.total(results) == 55.56


def test_criterion_correction_defaults():
    criteria = {"g": {"status": "fail", "points": 0, "max_points": 10, "evidence": []},
                "f": {"status": "pass", "points": 20, "max_points": 20, "evidence": []}}  # fmt: skip
    row = apply_corrections(_row(criteria, 66.67), [_corr("g", status="pass")])
    assert row["criteria"]["g"] == {"status": "pass", "points": 10, "max_points": 10, "evidence": [], "corrected": True}
    assert row["score"] == 100.0
    row = apply_corrections(_row(criteria, 66.67), [_corr("f", status="na")])
    assert row["criteria"]["f"]["max_points"] == 0 and row["score"] == 0.0
    row = apply_corrections(_row(criteria, 66.67), [_corr("f", points=5)])
    assert row["criteria"]["f"]["status"] == "pass" and row["score"] == pytest.approx(16.67)
    # every criterion na after correction: no score, as the rubric would give
    row = apply_corrections(_row(criteria, 66.67), [_corr("f", status="na"), _corr("g", status="na")])
    assert row["score"] is None
    assert criteria["g"]["status"] == "fail"  # the stored row is not changed


def test_whole_conversation_correction_wins_over_criteria_and_sets_flags():
    criteria = {"g": {"status": "fail", "points": 0, "max_points": 10, "evidence": []}}
    flags = [{"code": "low_score", "reason": "低分", "seq": None, "red_line": False}]
    row = apply_corrections(_row(criteria, 0.0), [_corr(score=75, flags=[]), _corr("g", status="pass")])
    assert row["score"] == 75.0 and row["flags"] == [] and not row["flagged"]
    row = apply_corrections(_row(criteria, 0.0), [_corr(flags=flags)])
    assert row["score"] == 0.0 and row["flag_codes"] == ["low_score"] and row["flagged"]
    # a correction of a criterion the result does not have changes nothing but is recorded
    row = apply_corrections(_row(criteria, 0.0), [_corr("zzz", status="pass")])
    assert row["score"] == 0.0 and row["corrected"] and row["corrected_criteria"] == []


def test_whole_conversation_score_and_flags_are_each_taken_from_the_newest_that_gives_them():
    """Dismissing a flag (flags only) must not undo a corrected score, nor a later --score a dismissed flag."""
    criteria = {"g": {"status": "fail", "points": 0, "max_points": 10, "evidence": []}}
    flags = [{"code": "low_score", "reason": "低分", "seq": None, "red_line": False}]
    row = apply_corrections(_row(criteria, 0.0), [_corr(score=75), _corr(flags=[])])
    assert (row["score"], row["flags"], row["flagged"]) == (75.0, [], False)
    row = apply_corrections(_row(criteria, 0.0), [_corr(flags=flags), _corr(score=60), _corr(flags=[])])
    assert (row["score"], row["flags"]) == (60.0, [])
    row = apply_corrections(_row(criteria, 0.0), [_corr(flags=[]), _corr(score=60)])
    assert (row["score"], row["flags"]) == (60.0, [])

def test_points_and_score_are_bounded(store):
    """`zhijian correct --points 999` once made a card show a mean score of 1228 (issue 15)."""
    store.save_results([scored("h001")], "r1")
    top = store.latest_results(None, None, "fake@1")[0]["criteria"]["greeting"]["max_points"]
    for bad in (999, -50, top + 0.5, float("nan")):
        with pytest.raises(ValueError, match=r"points must be (between 0 and .*max_points.*|at least 0, not (-50|nan)) — give"):
            store.add_correction("h001", criterion="greeting", points=bad, reviewer="x")
    for bad in (101, -1, 1228, float("nan")):
        with pytest.raises(ValueError, match="score must be between 0 and 100"):
            store.add_correction("h001", score=bad, reviewer="x")
    with pytest.raises(ValueError, match="nothing to correct|--points corrects one criterion"):
        store.add_correction("h001", points=5, reviewer="x")
    assert store.add_correction("h001", criterion="greeting", points=top, reviewer="x")
    assert store.add_correction("h001", criterion="greeting", points=0, reviewer="x")
    assert store.list_corrections("h001")[-1]["points"] == 0
