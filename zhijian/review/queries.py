"""What the workspace's pages show, read from the store with reviewers' corrections applied.

Every score and status here is the effective one (pipeline/corrections.py: the newest correction
per criterion wins, the automatic result is kept beside it), so the queue, the conversation view,
the cards and the reports agree. The queue asks SQL for what does not depend on corrections (date
range, agent, reviewed or not) and applies corrections only to those rows; flags and scores are
filtered after (a reviewer may have dismissed or added a flag). Appeals, their decisions and turn
labels come from pipeline/store/appeals.py.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from pipeline.assemble import assemble
from pipeline.cards.aggregate import FLAG_NAMES_ZH, criterion_name, flag_name
from pipeline.cards.rubric import month_rubric
from pipeline.corrections import apply_corrections, stored_flag_rules
from pipeline.store import Store
from pipeline.store.appeals import appeal_statuses, current_turn_labels, list_appeals, list_turn_labels
from pipeline.store.calibration import calibration_sample
from pipeline.store.rows import result_row
from pipeline.store.schema import conversations, corrections, results
from zhijian.review.accounts import User

PAGE_SIZE = 50
SORTS = {"time": "started_at", "score": "score", "agent": "agent_id"}
# The queue's appeal filter: all (no filter), none (never appealed), any (appealed at least once),
# and conversations with at least one open / upheld / rejected appeal (under the queue's rubric version).
APPEALED = ("all", "none", "any", "open", "upheld", "rejected")
SENTIMENT_TEXT = {"negative": "负面", "neutral": "中性", "positive": "正面"}
EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)  # days a filter accepts: a day past them overflows datetime


def filter_day(text: str) -> date:
    """An ISO day a page's date filter accepts (ValueError otherwise): between EARLIEST and LATEST."""
    value = date.fromisoformat(text)
    if not EARLIEST <= value <= LATEST:
        raise ValueError(text)
    return value


@dataclass
class QueueFilter:
    """The queue's filters (query parameters of /queue); None means no filter."""

    start: date | None = None  # conversations started on or after this day
    end: date | None = None  # … and on or before this day
    agent: str | None = None
    flag: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    reviewed: str = "all"  # all | yes | no
    appealed: str = "all"  # one of APPEALED
    sort: str = "time"  # a key of SORTS
    desc: bool = True
    page: int = 1


@dataclass
class QueuePage:
    rows: list[dict]
    total: int
    page: int
    pages: int
    flag_counts: dict[str, int] = field(default_factory=dict)  # per flag code, all filters but the flag one
    appeal_counts: dict[str, int] = field(default_factory=dict)  # per APPEALED value but all, all filters but that one
    agents: list[str] = field(default_factory=list)
    rubric_version: str | None = None


def _agent_clause(agent_id: str) -> sa.ColumnElement[bool]:
    """SQL prefilter for conversations of `agent_id`: its main agent, or named in its agents (JSON text).

    The JSON is matched as text (portable across SQLite and PostgreSQL, no JSON functions), which
    can over-match (A1 in ["A12"]); `queue` checks the exact rule (User.may_see) afterwards.
    """
    inner = json.dumps(agent_id)[1:-1]  # as the JSON column spells it (non-ASCII escaped)
    return sa.or_(results.c.agent_id == agent_id, sa.cast(results.c.agents, sa.Text).contains(inner, autoescape=True))


def _candidates(store: Store, user: User, f: QueueFilter, rubric_version: str) -> list[dict]:
    """The latest result under rubric_version of each conversation that passes the filters SQL can apply:
    date range, agent (the filter and an agent account's own id) and reviewed (any correction).

    For a user who may review blind (everyone but agents: they all may open /calibration), a conversation
    drawn into the calibration sample and not reviewed yet is left out: finding it in the flagged queue
    would tell that it was flagged. Once reviewed it is back (nothing blind is left to spoil).
    """
    where = []
    for agent in (f.agent, None if user.sees_all else user.agent_id or ""):
        if agent is not None:
            where.append(_agent_clause(agent))
    reviewed = sa.exists().where(corrections.c.conversation_id == results.c.conversation_id,
                                 corrections.c.rubric_version == rubric_version)  # fmt: skip
    if f.reviewed != "all":
        where.append(reviewed if f.reviewed == "yes" else ~reviewed)
    if user.sees_all:
        sampled = sa.exists().where(calibration_sample.c.conversation_id == results.c.conversation_id,
                                    calibration_sample.c.rubric_version == rubric_version)  # fmt: skip
        where.append(sa.or_(~sampled, reviewed))
    end = f.end + timedelta(days=1) if f.end else None
    return store.latest_results(f.start, end, rubric_version, where=where)


def _appeal_match(statuses: set[str], wanted: str) -> bool:
    if wanted == "all":
        return True
    if wanted == "none":
        return not statuses
    if wanted == "any":
        return bool(statuses)
    return wanted in statuses


def queue(store: Store, user: User, f: QueueFilter) -> QueuePage:
    """Flagged conversations (corrections applied) that `user` may see, filtered, sorted, one page.

    Date range, agent and reviewed are filtered in SQL; flags and score only after the
    corrections are applied (a reviewer may have dismissed a flag or changed the score), in Python.
    """
    rubric_version = store.current_rubric_version()
    if rubric_version is None:
        return QueuePage([], 0, 1, 1, rubric_version=None, agents=_agents(store, user, None))
    latest = _candidates(store, user, f, rubric_version)
    fixes = store.corrections_for([r["conversation_id"] for r in latest], rubric_version)
    rules = stored_flag_rules(store, rubric_version) if any(fixes.values()) else None
    rows = [apply_corrections(r, fixes.get(r["conversation_id"], []), rules) for r in latest]
    # The queue is the machine's flags and the reviewers' own: a conversation whose flags a reviewer's
    # correction cleared stays (marked), so its corrected score and review can still be found here.
    machine_flagged = {r["conversation_id"] for r in latest if r.get("flagged")}
    for r in rows:
        r["cleared"] = not r["flagged"] and r["conversation_id"] in machine_flagged

    def keep(r: dict) -> bool:
        score = r["score"]
        return (
            (r["flagged"] or r["cleared"]) and user.may_see(r["agent_id"], r["agents"])
            and (f.agent is None or r["agent_id"] == f.agent or f.agent in r["agents"])
            and (f.min_score is None or (score is not None and score >= f.min_score))
            and (f.max_score is None or (score is not None and score <= f.max_score))
        )  # fmt: skip

    rows = [r for r in rows if keep(r)]
    statuses = appeal_statuses(store.engine, [r["conversation_id"] for r in rows], rubric_version)
    for r in rows:
        r["appeals"] = sorted(statuses.get(r["conversation_id"], set()), key=("open", "upheld", "rejected").index)
    by_appeal = [r for r in rows if _appeal_match(set(r["appeals"]), f.appealed)]
    by_flag = [r for r in rows if f.flag is None or f.flag in r["flag_codes"]]
    flag_counts = dict(sorted(Counter(code for r in by_appeal for code in dict.fromkeys(r["flag_codes"])).items()))
    appeal_counts = {a: sum(_appeal_match(set(r["appeals"]), a) for r in by_flag) for a in APPEALED[1:]}
    rows = [r for r in by_appeal if f.flag is None or f.flag in r["flag_codes"]]
    key = SORTS[f.sort]
    present = [r for r in rows if r[key] is not None]
    present.sort(key=lambda r: (r[key], r["conversation_id"]), reverse=f.desc)
    rows = present + [r for r in rows if r[key] is None]  # no score / no agent: last either way
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, f.page), pages)
    chunk = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return QueuePage(chunk, len(rows), page, pages, flag_counts=flag_counts, appeal_counts=appeal_counts,
                     agents=_agents(store, user, rubric_version), rubric_version=rubric_version)  # fmt: skip


def _agents(store: Store, user: User, rubric_version: str | None) -> list[str]:
    """The agent filter's choices: every agent with a result under the version (an agent account: itself)."""
    if not user.sees_all:
        return [user.agent_id] if user.agent_id else []
    if rubric_version is None:
        return []
    stmt = sa.select(results.c.agent_id).where(results.c.rubric_version == rubric_version,
                                               results.c.agent_id.is_not(None)).distinct()  # fmt: skip
    with store.engine.connect() as conn:
        return sorted(a for (a,) in conn.execute(stmt) if a)


def latest_result(store: Store, conversation_id: str) -> dict | None:
    """The conversation's most recently scored result row (joined with its customer, shop, channel)."""
    stmt = (
        sa.select(results, conversations.c.customer_id, conversations.c.shop, conversations.c.channel)
        .join(conversations, conversations.c.conversation_id == results.c.conversation_id, isouter=True)
        .where(results.c.conversation_id == conversation_id)
        .order_by(results.c.scored_at.desc(), results.c.id.desc())
        .limit(1)
    )
    with store.engine.connect() as conn:
        row = conn.execute(stmt).first()
    return result_row(row._mapping) if row is not None else None


def _segments(text: str, marks: list[tuple[int, int, str, str]]) -> list[dict]:
    """`text` cut at every evidence boundary: [{text, marks: [(criterion, status), …]}]; Jinja escapes each piece."""
    cuts = sorted({0, len(text), *(max(0, min(len(text), p)) for s, e, _, _ in marks for p in (s, e))})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a < b:
            on = [(c, st) for s, e, c, st in marks if s <= a and b <= e]
            out.append({"text": text[a:b], "marks": on})
    return out


def _flag_text(flags: list[dict] | None) -> str:
    return "、".join(flag_name(fl.get("code") or "") for fl in flags or []) or "无"


def history(result: dict, corrections: list[dict], labels: list[dict] = (), appeals: list[dict] = ()) -> list[dict]:
    """Who changed what, when, from what to what: corrections (criteria, score, flags), turn labels,
    appeals filed and decided; oldest first. Each entry: id, kind, when, who, what, before, after,
    comment — before/after as the page shows them (status codes for criteria, else text)."""
    crit = {k: v.get("status") for k, v in (result.get("criteria") or {}).items()}
    score: float | None = result.get("score")
    flags: list[dict] = list(result.get("flags") or [])
    machine = {t["seq"]: t.get("label") for t in ((result.get("sentiment") or {}).get("turns") or [])}
    out: list[dict] = []

    def add(kind: str, key: object, when: datetime, who: str, what: str, before: object, after: object,
            comment: str | None) -> None:
        out.append({"id": f"{kind}-{key}", "kind": kind, "when": when, "who": who, "what": what, "before": before,
                    "after": after, "comment": comment})  # fmt: skip

    for c in corrections:
        if c["criterion"] is not None:
            before = crit.get(c["criterion"])
            after = c["status"] if c["status"] is not None else before
            crit[c["criterion"]] = after
            add("criterion", c["id"], c["created_at"], c["reviewer"], criterion_name(c["criterion"]), before, after,
                c["comment"])
            continue
        if c["score"] is not None:
            add("score", c["id"], c["created_at"], c["reviewer"], "整体分数",
                "—" if score is None else f"{score:.1f}", f"{c['score']:.1f}", c["comment"])  # fmt: skip
            score = c["score"]
        if c["flags"] is not None:
            add("flags", c["id"], c["created_at"], c["reviewer"], "标记", _flag_text(flags), _flag_text(c["flags"]),
                c["comment"])
            flags = list(c["flags"])
    for lb in labels:
        before = machine.get(lb["seq"])
        add("label", lb["id"], lb["created_at"], lb["reviewer"], f"第 {lb['seq']} 条客户消息的情感",
            SENTIMENT_TEXT.get(before, before or "—"), SENTIMENT_TEXT.get(lb["label"], lb["label"]), lb["comment"])
        machine[lb["seq"]] = lb["label"]
    for a in appeals:
        add("appeal", a["id"], a["created_at"], a["filed_by"], f"申诉 #{a['id']}（{criterion_name(a['criterion'])}）",
            None, "待处理", a["comment"])
        if a["decision"] is not None:
            add("decision", a["id"], a["decided_at"], a["decided_by"], f"申诉 #{a['id']}（{criterion_name(a['criterion'])}）",
                "待处理", DECISION_TEXT[a["decision"]], a["reason"])
    out.sort(key=lambda h: h["when"])  # stable: within one kind the store's order stays
    return out


DECISION_TEXT = {"upheld": "成立", "rejected": "驳回", "open": "待处理"}


def flag_choices(store: Store, rubric_version: str) -> dict[str, dict]:
    """The flag codes a reviewer may add (the rubric version's own, from its snapshot or the rubric file):
    code -> {"name", "red_line"}; the cards' known codes when no rubric can be read."""
    rubric = month_rubric(store, rubric_version).rubric
    if rubric is None:
        return {code: {"name": name, "red_line": False} for code, name in FLAG_NAMES_ZH.items()}
    return {fl.code: {"name": flag_name(fl.code), "red_line": bool(getattr(fl, "red_line", False))}
            for fl in rubric.config.flags}  # fmt: skip


def conversation_view(store: Store, conversation_id: str) -> dict | None:
    """Everything /conversations/{id} shows, or None when the store has no result for it."""
    row = latest_result(store, conversation_id)
    if row is None:
        return None
    rubric_version = row["rubric_version"]
    corrections = store.corrections_for([conversation_id], rubric_version).get(conversation_id, [])
    effective = apply_corrections(row, corrections, stored_flag_rules(store, rubric_version) if corrections else None)
    marks: dict[int, list[tuple[int, int, str, str]]] = {}
    for crit, entry in effective["criteria"].items():
        for ev in entry.get("evidence") or []:
            span = ev.get("span")
            if ev.get("seq") is not None and span and len(span) == 2:
                marks.setdefault(ev["seq"], []).append((int(span[0]), int(span[1]), crit, entry.get("status") or ""))
    turns = {t["seq"]: t for t in (effective["sentiment"].get("turns") or [])}
    labels = list_turn_labels(store.engine, [conversation_id])
    reviewer_labels = {seq: lb for (_, seq), lb in current_turn_labels(labels).items()}
    flags_at: dict[int, list[dict]] = {}
    for fl in effective["flags"]:
        if fl.get("seq") is not None:
            flags_at.setdefault(fl["seq"], []).append(fl)
    msgs = []
    convs = assemble(store.load_conversation_messages([conversation_id]))
    previous = None
    for m in convs[0].messages if convs else []:
        gap = (m.timestamp - previous.timestamp).total_seconds() if previous is not None else None
        reply = previous is not None and previous.role == "customer" and m.role != "customer"
        # the day is shown where it changes (a conversation past midnight, a reply days later)
        new_day = previous is not None and m.timestamp.date() != previous.timestamp.date()
        msgs.append({"seq": m.seq, "role": m.role, "time": m.timestamp, "gap": gap, "reply": reply, "new_day": new_day,
                     "agent_id": m.agent_id, "segments": _segments(m.text, marks.get(m.seq, [])),
                     "sentiment": turns.get(m.seq), "label": reviewer_labels.get(m.seq),
                     "flags": flags_at.get(m.seq, [])})  # fmt: skip
        previous = m
    appeals = sorted(list_appeals(store.engine, conversation_id=conversation_id), key=lambda a: a["id"])
    appeals = [a for a in appeals if a["rubric_version"] == rubric_version]
    open_criteria = {a["criterion"] for a in appeals if a["status"] == "open"}
    appealable = [cid for cid, c in effective["criteria"].items() if c.get("status") == "fail" and cid not in open_criteria]
    return {"result": effective, "auto_criteria": row.get("criteria") or {}, "messages": msgs,
            "customer_seqs": {m["seq"] for m in msgs if m["role"] == "customer"},
            "appeals": appeals, "appealable": appealable, "open_appeal_criteria": open_criteria,
            "history": history(row, corrections, labels, appeals)}  # fmt: skip


__all__ = ["APPEALED", "DECISION_TEXT", "PAGE_SIZE", "SORTS", "QueueFilter", "QueuePage", "conversation_view",
           "flag_choices", "history", "latest_result", "queue"]
