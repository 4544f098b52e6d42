"""Reviewer corrections: what a valid correction is, which one wins, how it changes a result.

A reviewer corrects one criterion (status and/or points) or the whole conversation (score
and/or flags); the store keeps every correction (`Store.add_correction`) and never changes
the automatic result. Reports apply them here, over the automatic result:

- The newest correction per (conversation, rubric version, criterion) wins; a criterion
  correction and a whole-conversation correction do not replace each other. Of the
  whole-conversation corrections, the score and the flags are each taken from the newest one
  that gives them: a reviewer dismissing a flag (flags only) does not undo an earlier corrected
  score, nor a score correction (`zhijian correct --score`) an earlier dismissed flag.
- A criterion correction sets its status and points. Points default to max_points for
  `pass` and 0 for `fail`/`na`; `na` also sets max_points 0 (it no longer counts).
- Score: a whole-conversation correction with a score wins; otherwise, when criteria were
  corrected, the score is recomputed from the corrected criteria with the rubric's own rule
  (`pipeline.rubric.conversation_score`: same points, same score, same rounding); otherwise
  the automatic score stays.
- Flags: a whole-conversation correction with flags replaces them; flagged = any flag left.
- Derived flags follow the corrections they depend on (only when the caller passes the rubric's
  `flag_rules`; effective_results reads them from the rubric snapshot of the results' version):
  a `criterion_fail` flag is dropped when its criterion's corrected status is no longer `fail`,
  and added (reason: the reviewer marked it failed; seq None; red_line as the rubric says) when a
  criterion is corrected to `fail`; `low_score` is dropped when the corrected score is at or above
  the rubric's threshold, added (or its reason restated) when it is below. Other flags never move.
  The newest word wins, per flag: each derived flag starts from the newest whole-conversation
  flags correction when there is one, and is derived again only when what it depends on (its
  criterion's winning correction; for low_score the correction that set the score — the score
  correction, else the newest applied criterion correction) is newer than that flags correction.
  So a reviewer who dismisses or adds a flag after correcting criteria keeps that decision, and a
  criterion corrected (or an appeal upheld) after a dismissal still moves its own flag.
  Without rules (None) flags are never derived: the behaviour before rubrics were consulted.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.rubric import Rubric, RubricError, conversation_score, load_rubric_text

if TYPE_CHECKING:  # the store calls check_correction; effective_results reads through a store
    from pipeline.store import Store

STATUSES = ("pass", "fail", "na")

# The keys of one effective result (the rows effective_results returns), in this order.
EFFECTIVE_KEYS = (
    "conversation_id", "rubric_version", "model_version", "run_id", "scored_at", "started_at",
    "ended_at", "agent_id", "agents", "message_count", "customer_id", "shop", "channel", "csat",
    "score", "auto_score", "flagged", "flags", "flag_codes", "criteria", "sentiment",
    "customer_start", "customer_end", "corrected", "corrected_criteria", "reviewers",
    "correction_comments",
)  # fmt: skip


def check_correction(
    *,
    reviewer: str,
    criterion: str | None,
    status: str | None,
    points: float | None,
    score: float | None,
    flags: list[dict] | None,
    max_points: float | None = None,
) -> None:
    """Raise ValueError (what is wrong — what to give instead) unless the correction can be applied.

    Points are bounded by [0, the criterion's max_points] (`max_points`: from the result being
    corrected; the store passes it once it knows the criterion) and a score by [0, 100]: a
    correction must not make a card show a mean score of 1228.
    """
    if not reviewer or not reviewer.strip():
        raise ValueError("a correction needs a reviewer name (--reviewer)")
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if criterion is None and status is not None:
        raise ValueError("--status corrects one criterion: name it with --criterion")
    if criterion is None and score is None and flags is None:
        raise ValueError("nothing to correct: give --criterion with --status/--points, or --score")
    if criterion is not None and status is None and points is None:
        raise ValueError(f"correction of criterion {criterion!r} needs --status or --points")
    if score is not None and not 0 <= score <= 100:  # NaN fails too
        raise ValueError(f"score must be between 0 and 100, not {score} — give the corrected total score (0–100)")
    if points is not None:
        if criterion is None:
            raise ValueError("--points corrects one criterion: name it with --criterion (or give --score)")
        top = float("inf") if max_points is None else float(max_points)
        if not 0 <= points <= top:
            bound = "at least 0" if max_points is None else f"between 0 and {max_points:g} (criterion {criterion!r}'s max_points)"
            raise ValueError(f"points must be {bound}, not {points} — give the points the agent earned on this criterion")


@dataclass(frozen=True)
class FlagRule:
    """What a derived flag depends on, from the rubric its result was scored with."""

    code: str
    criterion: str | None = None  # criterion_fail: raised while this criterion fails
    threshold: float | None = None  # low_score: raised while the score is below this
    red_line: bool = False


def flag_rules(rubric: Rubric) -> dict[str, FlagRule]:
    """The rubric's flags that corrections re-derive (criterion_fail.v1, low_score.v1), by code."""
    rules: dict[str, FlagRule] = {}
    for detector in rubric.flags:
        if detector.name == "criterion_fail.v1":
            rules[detector.code] = FlagRule(detector.code, criterion=detector.params.criterion, red_line=detector.red_line)
        elif detector.name == "low_score.v1":
            rules[detector.code] = FlagRule(detector.code, threshold=float(detector.params.threshold), red_line=detector.red_line)
    return rules


def stored_flag_rules(store: "Store", rubric_version: str) -> dict[str, FlagRule] | None:
    """flag_rules of the rubric snapshot kept for rubric_version; None when none is kept or it cannot be read
    (then flags are not derived: a guessed rubric could drop a flag the scored one raised)."""
    text = store.load_rubric_snapshot(rubric_version)
    return None if text is None else _snapshot_rules(text, rubric_version)


@lru_cache(maxsize=8)  # keyed by the text itself: a page of the reviewer workspace need not rebuild the rubric
def _snapshot_rules(text: str, rubric_version: str) -> dict[str, FlagRule] | None:
    try:
        return flag_rules(load_rubric_text(text, f"rubric snapshot {rubric_version}", similarity=False))
    except RubricError:
        return None


def newest_by_criterion(corrections: Sequence[dict]) -> dict[str | None, dict]:
    """The correction that wins per criterion (None: the whole conversation); input oldest → newest."""
    newest: dict[str | None, dict] = {}
    for c in corrections:
        newest[c["criterion"]] = c
    return newest


def _correct_criterion(entry: dict, correction: dict) -> None:
    status, points = correction["status"], correction["points"]
    if status is not None:
        entry["status"] = status
        if status == "na":
            entry["max_points"] = 0
    if points is not None:
        entry["points"] = float(points)
    elif status == "pass":
        entry["points"] = entry.get("max_points", 0)
    elif status in ("fail", "na"):
        entry["points"] = 0
    entry["corrected"] = True


def corrected_score(criteria: dict[str, dict]) -> float | None:
    """The score of (corrected) criteria, by the rubric's rule: na criteria add nothing."""
    applicable = [v for v in criteria.values() if v.get("status") != "na"]
    points = sum(float(v.get("points") or 0) for v in applicable)
    max_points = sum(float(v.get("max_points") or 0) for v in applicable)
    return conversation_score(points, max_points)


def _derive_flags(
    flags: list[dict],
    rules: Mapping[str, FlagRule],
    criteria: dict[str, dict],
    score: float | None,
    rederive_criteria: dict[str, dict],
    rederive_score: bool,
) -> list[dict]:
    """`flags` with the derived flags of the corrected dependencies made true again (module docstring)."""
    out: list[dict] = []
    present: set[str] = set()
    for fl in flags:
        rule = rules.get(fl.get("code"))
        if rule is not None and rule.criterion in rederive_criteria:
            if criteria[rule.criterion].get("status") != "fail":
                continue
        elif rule is not None and rule.threshold is not None and rederive_score:
            if score is None or score >= rule.threshold:
                continue
            fl = {**fl, "reason": _low_score_reason(score, rule.threshold), "seq": None}
        out.append(fl)
        present.add(fl.get("code"))
    for rule in rules.values():
        if rule.code in present:
            continue
        if rule.criterion in rederive_criteria and criteria[rule.criterion].get("status") == "fail":
            who = rederive_criteria[rule.criterion].get("reviewer") or "复核员"
            reason = f"复核员 {who} 将评分项 {rule.criterion} 改判为不合格"
        elif rule.threshold is not None and rederive_score and score is not None and score < rule.threshold:
            reason = _low_score_reason(score, rule.threshold)
        else:
            continue
        out.append({"code": rule.code, "reason": reason, "seq": None, "red_line": rule.red_line})
        present.add(rule.code)
    return out


def _low_score_reason(score: float, threshold: float) -> str:
    return f"复核更正后质检得分 {score:g}，低于 {threshold:g} 分"


def apply_corrections(row: dict, corrections: Sequence[dict], rules: Mapping[str, FlagRule] | None = None) -> dict:
    """One effective result (keys: EFFECTIVE_KEYS) from a stored result row and its corrections, oldest first.

    `row` is a result row joined with its conversation's customer_id, shop and channel
    (Store.latest_results); the row itself is not changed. `rules` (from the rubric the row
    was scored with: `flag_rules`/`stored_flag_rules`) lets criterion_fail and low_score flags
    follow the corrections; None leaves the flags as the automatic result or the reviewer gave them.
    """
    criteria = {k: dict(v) for k, v in (row.get("criteria") or {}).items()}
    flags = list(row.get("flags") or [])
    auto_score = row.get("score")
    score = auto_score
    corrected_criteria: list[str] = []
    newest = newest_by_criterion(corrections)
    for crit, correction in newest.items():
        if crit is None or crit not in criteria:
            continue
        _correct_criterion(criteria[crit], correction)
        corrected_criteria.append(crit)
    wholes = [c for c in corrections if c["criterion"] is None]
    score_fix = next((c for c in reversed(wholes) if c["score"] is not None), None)
    flags_fix = next((c for c in reversed(wholes) if c["flags"] is not None), None)
    if score_fix is not None:
        score = float(score_fix["score"])
    elif corrected_criteria:
        score = corrected_score(criteria)
    if flags_fix is not None:
        flags = list(flags_fix["flags"])
    if rules:
        position = {id(c): i for i, c in enumerate(corrections)}
        since = position[id(flags_fix)] if flags_fix is not None else -1
        rederive = {k: newest[k] for k in corrected_criteria if position[id(newest[k])] > since}
        score_at = position[id(score_fix)] if score_fix is not None else max(
            (position[id(newest[k])] for k in corrected_criteria), default=-1)
        flags = _derive_flags(flags, rules, criteria, score, rederive, score_at > since)
    sentiment = row.get("sentiment") or {}
    return {
        "conversation_id": row["conversation_id"],
        "rubric_version": row["rubric_version"],
        "model_version": row["model_version"] or None,
        "run_id": row["run_id"],
        "scored_at": row["scored_at"],
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        "agent_id": row["agent_id"],
        "agents": list(row.get("agents") or []),
        "message_count": row["message_count"],
        "customer_id": row.get("customer_id"),
        "shop": row.get("shop"),
        "channel": row.get("channel"),
        "csat": row.get("csat"),
        "score": score,
        "auto_score": auto_score,
        "flagged": bool(flags),
        "flags": flags,
        "flag_codes": [f.get("code") for f in flags],
        "criteria": criteria,
        "sentiment": sentiment,
        "customer_start": sentiment.get("customer_start"),
        "customer_end": sentiment.get("customer_end"),
        "corrected": bool(corrections),
        "corrected_criteria": corrected_criteria,
        "reviewers": list(dict.fromkeys(c["reviewer"] for c in corrections)),
        "correction_comments": [c["comment"] for c in corrections if c.get("comment")],
    }


def effective_results(
    store: "Store",
    start: date | datetime | str | None,
    end: date | datetime | str | None,
    rubric_version: str | None = None,
) -> tuple[list[dict], str | None]:
    """Results of conversations started in [start, end), corrections applied, oldest start first.

    One row per conversation (keys: EFFECTIVE_KEYS): its latest result under `rubric_version`
    (default: the version of the most recently scored result), any model version. Returns the
    rows and the rubric version they are under (None when the store has no result at all).
    """
    rubric_version = rubric_version or store.current_rubric_version()
    if rubric_version is None:
        return [], None
    latest = store.latest_results(start, end, rubric_version)
    corrections = store.corrections_for([r["conversation_id"] for r in latest], rubric_version)
    rules = stored_flag_rules(store, rubric_version) if any(corrections.values()) else None
    rows = [apply_corrections(r, corrections.get(r["conversation_id"], []), rules) for r in latest]
    rows.sort(key=lambda r: (r["started_at"] is None, r["started_at"] or datetime.min))
    return rows, rubric_version


__all__ = [
    "EFFECTIVE_KEYS",
    "STATUSES",
    "FlagRule",
    "apply_corrections",
    "check_correction",
    "corrected_score",
    "effective_results",
    "flag_rules",
    "newest_by_criterion",
    "stored_flag_rules",
]
