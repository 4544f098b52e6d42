"""Correction policy: which correction wins, how it changes a result, the one rounding rule."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.conversation import CriterionResult, Flag
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


# --- derived flags follow the corrections (criterion_fail, low_score), from the scored rubric ---

DEFAULT_RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "default.yaml"
EMPATHY_FLAG = {"code": "empathy_missing", "reason": "客户出现负面情绪后，人工客服未表达理解或歉意", "seq": 3, "red_line": False}
LOW_FLAG = {"code": "low_score", "reason": "质检得分 50，低于 60 分", "seq": None, "red_line": False}
NEG_FLAG = {"code": "negative_end", "reason": "客户最后一条消息情绪为负面", "seq": 3, "red_line": False}


@pytest.fixture(scope="module")
def rules():
    """The default rubric's rules: empathy_missing ← empathy, forbidden_phrase (red line), low_score < 60."""
    from pipeline.corrections import flag_rules
    from pipeline.rubric import load_rubric

    return flag_rules(load_rubric(DEFAULT_RUBRIC, similarity=False))


def _flagged_row(flags: list[dict], empathy: str = "fail", score: float = 50.0) -> dict:
    criteria = {"empathy": {"status": empathy, "points": 0 if empathy == "fail" else 10, "max_points": 10, "evidence": []},
                "greeting": {"status": "pass", "points": 10, "max_points": 10, "evidence": []},
                "forbidden_phrases": {"status": "pass", "points": 0, "max_points": 0, "evidence": []}}  # fmt: skip
    return {**_row(criteria, score), "flags": flags, "flagged": bool(flags)}


def test_the_rules_come_from_the_rubric(rules):
    assert rules["empathy_missing"].criterion == "empathy" and rules["low_score"].threshold == 60
    assert rules["forbidden_phrase"].red_line and "negative_end" not in rules


def test_criterion_overridden_to_pass_drops_its_flag_and_the_low_score(rules):
    """The reviewer workspace showed empathy_missing and 质检得分 50 after empathy was corrected to pass."""
    row = apply_corrections(_flagged_row([EMPATHY_FLAG]), [_corr("empathy", status="pass")], rules)
    assert row["score"] == 100.0 and row["flags"] == [] and row["flagged"] is False
    row = apply_corrections(_flagged_row([EMPATHY_FLAG, LOW_FLAG, NEG_FLAG]), [_corr("empathy", status="pass")], rules)
    assert row["flag_codes"] == ["negative_end"] and row["flagged"]  # other flags never move


def test_score_corrected_above_the_threshold_drops_low_score(rules):
    row = apply_corrections(_flagged_row([EMPATHY_FLAG, LOW_FLAG]), [_corr(score=73)], rules)
    assert row["score"] == 73.0 and row["flag_codes"] == ["empathy_missing"]
    row = apply_corrections(_flagged_row([LOW_FLAG]), [_corr(score=55)], rules)  # still low: reason restated
    assert row["flag_codes"] == ["low_score"] and "55" in row["flags"][0]["reason"] and "50" not in row["flags"][0]["reason"]
    row = apply_corrections(_flagged_row([], empathy="pass", score=100.0), [_corr(score=40)], rules)
    assert row["flag_codes"] == ["low_score"] and row["flags"][0]["seq"] is None and row["flagged"]


def test_criterion_corrected_to_fail_gains_its_flag(rules):
    row = apply_corrections(_flagged_row([], empathy="pass", score=100.0), [_corr("empathy", status="fail", reviewer="王芳")], rules)
    assert row["score"] == 50.0 and row["flag_codes"] == ["empathy_missing", "low_score"]
    added = row["flags"][0]
    assert added["seq"] is None and added["red_line"] is False and "王芳" in added["reason"] and "不合格" in added["reason"]
    row = apply_corrections(_flagged_row([], empathy="pass", score=100.0), [_corr("forbidden_phrases", status="fail")], rules)
    assert row["flags"][0]["code"] == "forbidden_phrase" and row["flags"][0]["red_line"] is True  # as the rubric says


def test_a_newer_flags_correction_wins_over_derived_flags(rules):
    # empathy corrected to pass, then the reviewer re-adds empathy_missing by hand: the newer word wins
    row = apply_corrections(_flagged_row([EMPATHY_FLAG]), [_corr("empathy", status="pass"), _corr(flags=[EMPATHY_FLAG])], rules)
    assert row["flag_codes"] == ["empathy_missing"] and row["flagged"]
    # the reviewer dismisses low_score after failing empathy: it stays dismissed
    row = apply_corrections(_flagged_row([], empathy="pass", score=100.0),
                            [_corr("empathy", status="fail"), _corr(flags=[])], rules)  # fmt: skip
    assert row["flags"] == [] and not row["flagged"]
    # an appeal upheld after the dismissal still moves its own flag, and only it
    row = apply_corrections(_flagged_row([EMPATHY_FLAG, NEG_FLAG]),
                            [_corr(flags=[EMPATHY_FLAG]), _corr("empathy", status="pass")], rules)  # fmt: skip
    assert row["flags"] == [] and not row["flagged"]


def test_without_rules_flags_are_not_derived():
    row = apply_corrections(_flagged_row([EMPATHY_FLAG, LOW_FLAG]), [_corr("empathy", status="pass")])
    assert row["flag_codes"] == ["empathy_missing", "low_score"] and row["flagged"]
    row = apply_corrections(_flagged_row([EMPATHY_FLAG, LOW_FLAG]), [_corr("empathy", status="pass")], {})
    assert row["flag_codes"] == ["empathy_missing", "low_score"]


def test_effective_results_derives_flags_with_the_rubric_snapshot(store):
    """The rules come from the rubric text kept for the results' version; none kept: flags as stored."""
    c = scored("h001")
    c.flags = [Flag("forbidden_phrase", "红线：人工客服使用禁用语“垃圾”", 2, red_line=True)]
    c.criteria["forbidden_phrases"] = CriterionResult("fail", 0, 10, [])
    store.save_results([c], "r1")
    store.add_correction("h001", criterion="forbidden_phrases", status="pass", reviewer="李雷")
    (row,), _ = effective_results(store, None, None)
    assert row["flag_codes"] == ["forbidden_phrase"]  # no snapshot of fake@1: not derived
    store.save_rubric_snapshot("fake@1", DEFAULT_RUBRIC.read_text(encoding="utf-8"))
    (row,), _ = effective_results(store, None, None)
    assert row["flags"] == [] and not row["flagged"] and row["score"] == 100.0
