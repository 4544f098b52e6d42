"""Trust in the machine: the blind calibration worklist (/calibration) and the trust page (/agreement).

Blind review, and why a separate worklist: the calibration sample (pipeline/store/calibration.py)
holds conversations the machine did NOT flag. Put in the flagged queue, a row without flag badges
would give it away, and on the conversation view the machine's verdicts anchor the reviewer (a
reviewer who sees "通过" mostly agrees). So the sample has its own worklist, neutral (day, agent,
conversation id; no flags, no score), mixed with as many flagged conversations drawn the same
way, and its own review form that shows the masked transcript and nothing the machine decided:
the reviewer gives every criterion's status and the flags that should be raised. That is stored
as ordinary corrections (one per criterion, one whole-conversation correction with the flags), so
cards and reports use it like any review; after it the reviewer lands on the usual conversation
view and sees where the machine differed. A conversation of the sample reviewed in any way counts
as reviewed and leaves the worklist's to-do list.

What counts as reviewed on /agreement: a criterion with a correction (the review form's "确认 / 更正"
stores a confirmation as a correction with the same status, so a confirm counts); the flags of a
conversation with any correction (a reviewer who reviewed it and left a flag standing agrees with
it; dismissing or adding one is a whole-conversation correction with the new flag list); a
customer turn's sentiment with a reviewer's relabel (zhijian/labels.py `turn_labels`).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any, Callable

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.base import SENTIMENT_LABELS
from pipeline.agreement import (
    RecallEstimate,
    Stratum,
    cohen_kappa,
    confusion,
    estimated_recall,
    precision_recall,
)
from pipeline.cards.aggregate import FLAG_NAMES_ZH
from pipeline.corrections import STATUSES, apply_corrections, stored_flag_rules
from pipeline.settings import get_settings
from pipeline.store import Store
from pipeline.store.calibration import draw_pending, sample_rows
from pipeline.store.schema import results, tz
from zhijian.labels import turn_labels
from zhijian.review import queries

TRUST_ROLES = ("reviewer", "team_lead", "admin")
FLAG_LABELS = ("raised", "absent")
WORKLIST_PAGE = 50
DEFAULT_PERIOD_DAYS = 30  # /agreement without dates: this many days, up to the newest conversation's day
BLIND_FLAG_REASON = "复核员盲审时标记"  # the reason of a flag a reviewer raised on the blind form


# ---------------------------------------------------------------------- the trust report (plain functions)
@dataclass
class ItemAgreement:
    """One criterion or flag code over the reviewed conversations of a period."""

    kind: str  # "criterion" | "flag"
    key: str  # criterion id / flag code
    labels: tuple[str, ...]  # row/column order of `matrix`
    positive: str  # "fail" / "raised": what precision and recall are about
    matrix: list[list[int]]  # machine (rows) × reviewer (columns)
    n: int
    agreement: float | None
    kappa: float | None
    precision: float | None
    recall: float | None
    estimate: RecallEstimate
    strata: list[Stratum]
    disagreements: list[tuple[str, str, str]]  # (conversation_id, machine, reviewer)


@dataclass
class AgreementReport:
    rubric_version: str | None
    start: date | None
    end: date | None
    conversations: int = 0
    reviewed: int = 0
    flagged: int = 0
    sample_unflagged: int = 0  # drawn unflagged conversations in the period
    sample_unflagged_reviewed: int = 0
    unflagged_covered: int = 0  # unflagged conversations on drawn (day, agent) groups: what the sample speaks for
    unflagged_total: int = 0
    criteria: list[ItemAgreement] = field(default_factory=list)
    flags: list[ItemAgreement] = field(default_factory=list)
    sentiment: list[ItemAgreement] = field(default_factory=list)  # customer turns the reviewers relabelled (0 or 1 item)


def _item(kind: str, key: str, labels: tuple[str, ...], positive: str, observations: list[dict]) -> ItemAgreement:
    """observations: one per conversation in the period: machine, reviewer (None: not reviewed), stratum, sampled."""
    pairs = [(o["machine"], o["reviewer"]) for o in observations if o["reviewer"] is not None]
    matrix = confusion(pairs, labels)
    precision, recall = precision_recall(pairs, positive)
    strata = []
    for name in ("flagged", "unflagged"):
        part = [o for o in observations if o["stratum"] == name]
        # The flagged stratum: every reviewed one; the unflagged: only the random sample, reviewed
        # (an unflagged conversation a reviewer happened to open is not a random draw).
        seen = [o for o in part if o["reviewer"] is not None and (name == "flagged" or o["sampled"])]
        strata.append(Stratum(
            name, population=len(part), machine_positive=sum(o["machine"] == positive for o in part),
            reviewed_positive=sum(o["machine"] == positive for o in seen),
            confirmed=sum(o["machine"] == positive and o["reviewer"] == positive for o in seen),
            reviewed_negative=sum(o["machine"] != positive for o in seen),
            missed=sum(o["machine"] != positive and o["reviewer"] == positive for o in seen),
        ))  # fmt: skip
    return ItemAgreement(
        kind=kind, key=key, labels=labels, positive=positive, matrix=matrix, n=len(pairs),
        agreement=sum(m == r for m, r in pairs) / len(pairs) if pairs else None, kappa=cohen_kappa(matrix),
        precision=precision, recall=recall, estimate=estimated_recall(strata), strata=strata,
        disagreements=[(o["conversation_id"], o["machine"], o["reviewer"]) for o in observations
                       if o["reviewer"] is not None and o["machine"] != o["reviewer"]],
    )  # fmt: skip


def agreement_report(store: Store, start: date | None = None, end: date | None = None) -> AgreementReport:
    """Agreement of the machine with the reviewers for conversations started in [start, end] (local days).

    The unflagged stratum is the unflagged conversations of the (day, agent) groups the sample was
    drawn from, and its reviewed sample members are read as one simple random sample of them (an
    approximation: the draw takes a fixed number per agent and day; docs/trust.md says so).
    """
    rubric_version = store.current_rubric_version()
    report = AgreementReport(rubric_version, start, end)
    if rubric_version is None:
        return report
    end_excl = datetime.combine(end + timedelta(days=1), time.min, tz()) if end else None
    start_dt = datetime.combine(start, time.min, tz()) if start else None
    rows = store.latest_results(start_dt, end_excl, rubric_version)
    corrections = store.corrections_for([r["conversation_id"] for r in rows], rubric_version)
    sample = sample_rows(store.engine, rubric_version, start, end)
    sampled = {s["conversation_id"] for s in sample if s["stratum"] == "unflagged"}
    groups = {(s["day"], s["agent_id"]) for s in sample if s["stratum"] == "unflagged"}
    # A criterion corrected to pass takes its flag with it: the reviewer's flags are the derived ones too.
    rules = stored_flag_rules(store, rubric_version) if any(corrections.values()) else None

    crit_obs: dict[str, list[dict]] = defaultdict(list)
    flag_obs: dict[str, list[dict]] = defaultdict(list)
    per_conv = []
    codes: set[str] = set()
    for row in rows:
        cid = row["conversation_id"]
        corrs = corrections.get(cid, [])
        effective = apply_corrections(row, corrs, rules)
        auto_codes = {f.get("code") for f in row.get("flags") or []}
        flagged = bool(auto_codes)
        covered = (not flagged and row["agent_id"] and row["started_at"] is not None
                   and (row["started_at"].date(), row["agent_id"]) in groups)  # fmt: skip
        report.conversations += 1
        report.reviewed += bool(corrs)
        report.flagged += flagged
        report.unflagged_total += not flagged
        report.unflagged_covered += bool(covered)
        report.sample_unflagged += cid in sampled
        report.sample_unflagged_reviewed += cid in sampled and bool(corrs)
        if not flagged and not covered:
            stratum = None  # unflagged, on a day or agent the sample does not speak for: left out of the estimate
        else:
            stratum = "flagged" if flagged else "unflagged"
        for crit, entry in (row.get("criteria") or {}).items():
            reviewer = effective["criteria"][crit].get("status") if crit in effective["corrected_criteria"] else None
            crit_obs[crit].append({"conversation_id": cid, "machine": entry.get("status"), "reviewer": reviewer,
                                   "stratum": stratum, "sampled": cid in sampled})  # fmt: skip
        reviewer_codes = set(effective["flag_codes"]) if corrs else None
        codes |= auto_codes | (reviewer_codes or set())
        per_conv.append((cid, auto_codes, reviewer_codes, stratum, cid in sampled))
    for code in sorted(c for c in codes if c):
        for cid, auto_codes, reviewer_codes, stratum, is_sampled in per_conv:
            reviewer = None if reviewer_codes is None else ("raised" if code in reviewer_codes else "absent")
            flag_obs[code].append({"conversation_id": cid, "machine": "raised" if code in auto_codes else "absent",
                                   "reviewer": reviewer, "stratum": stratum, "sampled": is_sampled})  # fmt: skip
    report.criteria = [_item("criterion", k, (*STATUSES,), "fail", [o for o in v if o["machine"] in STATUSES])
                       for k, v in sorted(crit_obs.items())]  # fmt: skip
    report.flags = [_item("flag", k, FLAG_LABELS, "raised", v) for k, v in flag_obs.items()]
    # Customer-turn sentiment: the model's label of each turn a reviewer relabelled. No sample covers
    # turns, so no population estimate: the figures are over the relabelled turns only.
    turns = {(r["conversation_id"], t.get("seq")): t.get("label") for r in rows
             for t in (r.get("sentiment") or {}).get("turns") or []}  # fmt: skip
    sentiment_obs = [{"conversation_id": cid, "machine": turns[(cid, seq)], "reviewer": label, "stratum": None,
                      "sampled": False} for (cid, seq), label in sorted(turn_labels(store).items())
                     if turns.get((cid, seq)) in SENTIMENT_LABELS and label in SENTIMENT_LABELS]  # fmt: skip
    if sentiment_obs:
        report.sentiment = [_item("sentiment", "customer_turns", SENTIMENT_LABELS, "negative", sentiment_obs)]
    return report


def default_period(store: Store) -> tuple[date, date] | None:
    """The trust page's period when none is asked for: the DEFAULT_PERIOD_DAYS days ending on the day the
    newest conversation under the current rubric started (local time), not today, so a store that was
    scored last month still shows something; None when nothing is scored. Bounded: a store of years
    is not read whole on every visit."""
    rubric_version = store.current_rubric_version()
    if rubric_version is None:
        return None
    stmt = sa.select(sa.func.max(results.c.started_at)).where(results.c.rubric_version == rubric_version)
    with store.engine.connect() as conn:
        newest = conn.execute(stmt).scalar_one_or_none()
    if newest is None:
        return None
    if isinstance(newest, str):  # a driver that hands the text back
        newest = datetime.fromisoformat(newest)
    if newest.tzinfo is None:
        newest = newest.replace(tzinfo=timezone.utc)
    end = newest.astimezone(tz()).date()
    return end - timedelta(days=DEFAULT_PERIOD_DAYS - 1), end


# ---------------------------------------------------------------------- the blind worklist
def worklist(store: Store, reviewed: str = "no", page: int = 1) -> dict:
    """The calibration sample as the blind worklist: rows (day, agent, conversation id, reviewed), newest day first."""
    settings = get_settings()
    draw_now(store)
    rubric_version = store.current_rubric_version()
    rows = sample_rows(store.engine, rubric_version) if rubric_version else []
    done = set(store.corrections_for([r["conversation_id"] for r in rows], rubric_version or "")) if rows else set()
    items = [{"day": r["day"], "agent_id": r["agent_id"], "conversation_id": r["conversation_id"],
              "reviewed": r["conversation_id"] in done} for r in rows]  # fmt: skip
    todo = sum(not i["reviewed"] for i in items)
    if reviewed != "all":
        items = [i for i in items if i["reviewed"] == (reviewed == "yes")]
    # Newest day first; inside a day by conversation id, which says nothing about the stratum.
    items.sort(key=lambda i: (-i["day"].toordinal(), i["agent_id"], i["conversation_id"]))
    pages = max(1, -(-len(items) // WORKLIST_PAGE))
    page = min(max(1, page), pages)
    return {"rows": items[(page - 1) * WORKLIST_PAGE : page * WORKLIST_PAGE], "total": len(items), "todo": todo,
            "page": page, "pages": pages, "reviewed": reviewed, "rubric_version": rubric_version,
            "per_agent_day": settings.calibration_per_agent_day}  # fmt: skip


def draw_now(store: Store) -> None:
    """Draw the complete days not drawn yet (pipeline/store/calibration.py says when a day is complete)."""
    per_agent_day = get_settings().calibration_per_agent_day
    if per_agent_day > 0:
        draw_pending(store, per_agent_day)


@lru_cache(maxsize=8)
def _snapshot_flag_codes(store_url: str, rubric_version: str, text: str | None) -> tuple[str, ...]:
    if text:
        try:
            from pipeline.rubric import load_rubric_text

            return tuple(dict.fromkeys(f.code for f in load_rubric_text(text, f"rubric snapshot {rubric_version}").flags))
        except Exception:  # an unreadable snapshot: the built-in codes below
            pass
    return tuple(FLAG_NAMES_ZH)


def blind_flag_codes(store: Store, rubric_version: str) -> tuple[str, ...]:
    """The flag codes a reviewer may raise blind: the rubric's own (its snapshot), else the built-in ones.

    Never the codes of the conversation in hand: that would give the machine's verdict away.
    """
    return _snapshot_flag_codes(store.url, rubric_version, store.load_rubric_snapshot(rubric_version))


# ---------------------------------------------------------------------- routes
def register(app: FastAPI, store: Store, render: Callable[..., HTMLResponse], form: Callable[..., Any],
             PageError: type[Exception]) -> None:  # noqa: N803 (the app's error class, passed in: no import cycle)
    """Add /calibration, /calibration/{id} and /agreement to the workspace (zhijian/review/app.py).

    `render`, `form` and `PageError` are the app's own: its templates and login, its CSRF check and
    field limits, its error page.
    """

    def trusted(request: Request) -> None:
        if request.state.user.role not in TRUST_ROLES:
            raise PageError(403, "只有质检员、组长和管理员可以查看此页：客服请查看自己的会话和质检卡。")

    def day_param(q: dict[str, str], key: str) -> date | None:
        value = q.get(key, "").strip()
        if not value:
            return None
        try:
            return queries.filter_day(value)  # the queue's own rule: an ISO day within bounds datetime can shift
        except ValueError:
            raise PageError(400, f"日期 {key}={value[:50]!r} 不正确：应为日期（如 2026-10-01）。") from None

    @app.get("/agreement")
    def agreement_page(request: Request) -> HTMLResponse:
        trusted(request)
        q = dict(request.query_params)
        start, end = day_param(q, "from"), day_param(q, "to")
        if start and end and start > end:
            raise PageError(400, f"开始日期 {start} 晚于结束日期 {end}：请调换后再筛选。")
        defaulted = start is None and end is None
        if defaulted:
            start, end = default_period(store) or (None, None)
        draw_now(store)  # the estimate needs the sample drawn
        report = agreement_report(store, start, end)
        return render(request, "agreement.html", report=report, start=start, end=end, defaulted=defaulted,
                      period_days=DEFAULT_PERIOD_DAYS)  # fmt: skip

    @app.get("/calibration")
    def calibration_page(request: Request) -> HTMLResponse:
        trusted(request)
        q = {k: v.strip() for k, v in request.query_params.items()}
        reviewed = q.get("reviewed") or "no"
        if reviewed not in ("no", "yes", "all"):
            raise PageError(400, f"筛选条件 reviewed={reviewed[:50]!r} 不正确：应为 no/yes/all 之一。")
        try:
            page = int(q.get("page") or 1)
        except ValueError:
            raise PageError(400, f"页码 page={q['page'][:50]!r} 不正确：应为整数。") from None
        return render(request, "calibration.html", w=worklist(store, reviewed, page))

    def sampled_view(request: Request, conversation_id: str) -> dict:
        trusted(request)
        draw_now(store)
        rubric_version = store.current_rubric_version()
        ids = {r["conversation_id"] for r in sample_rows(store.engine, rubric_version)} if rubric_version else set()
        view = queries.conversation_view(store, conversation_id) if conversation_id in ids else None
        if view is None:
            raise PageError(404, f"抽检工作单中没有会话 {conversation_id}：请回到抽检工作单。")
        return view

    @app.get("/calibration/{conversation_id}")
    def blind_page(request: Request, conversation_id: str) -> Response:
        view = sampled_view(request, conversation_id)
        if view["result"]["corrected"]:  # reviewed already: nothing blind left to do, show the full view
            return RedirectResponse(f"/conversations/{conversation_id}", status_code=303)
        r = view["result"]
        messages = [{"seq": m["seq"], "role": m["role"], "time": m["time"], "gap": m["gap"], "new_day": m["new_day"],
                     "agent_id": m["agent_id"], "text": "".join(s["text"] for s in m["segments"])}
                    for m in view["messages"]]  # fmt: skip
        return render(request, "calibration_review.html", conversation_id=conversation_id, agent_id=r["agent_id"],
                      started_at=r["started_at"], criteria=list(r["criteria"]), messages=messages,
                      flag_codes=blind_flag_codes(store, r["rubric_version"]))  # fmt: skip

    @app.post("/calibration/{conversation_id}")
    async def blind_review(request: Request, conversation_id: str) -> Response:
        data = await form(request, request.state.csrf)
        view = sampled_view(request, conversation_id)
        r = view["result"]
        if r["corrected"]:
            raise PageError(409, f"会话 {conversation_id} 已有复核记录：请在会话页面上查看或更正。")
        statuses = {}
        missing = []
        for crit in r["criteria"]:
            status = data.get(f"status.{crit}", "")
            if status not in STATUSES:
                missing.append(crit)
            statuses[crit] = status
        if missing:
            raise PageError(400, f"请为每个评分项选择结论（{'、'.join(missing)} 未选或不正确）：返回上一页补全后再提交。")
        known = blind_flag_codes(store, r["rubric_version"])
        raised = [k.removeprefix("flag.") for k, v in data.items() if k.startswith("flag.") and v == "on"]
        unknown = [c for c in raised if c not in known]
        extra = [k for k in data if k not in {"csrf_token", "comment"} and not k.startswith(("status.", "flag."))]
        if unknown or extra:
            raise PageError(400, f"未知的字段或标记 {', '.join((unknown + extra)[:5])!r}：请从抽检页面的表单提交。")
        user = request.state.user
        comment = data.get("comment", "").strip() or None
        for crit, status in statuses.items():
            store.add_correction(conversation_id, reviewer=user.username, criterion=crit, status=status,
                                 rubric_version=r["rubric_version"])  # fmt: skip
        machine = {f.get("code"): f for f in r["flags"]}
        # A flag the machine raised too keeps its reason and message; one only the reviewer raised says so.
        flags = [machine.get(code) or {"code": code, "reason": BLIND_FLAG_REASON, "seq": None, "red_line": False}
                 for code in raised]  # fmt: skip
        store.add_correction(conversation_id, reviewer=user.username, flags=flags, comment=comment,
                             rubric_version=r["rubric_version"])  # fmt: skip
        return RedirectResponse(f"/conversations/{conversation_id}", status_code=303)


__all__ = ["AgreementReport", "ItemAgreement", "agreement_report", "blind_flag_codes", "register", "worklist"]
