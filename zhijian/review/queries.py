"""What the workspace's pages show, read from the store with reviewers' corrections applied.

Every score and status here is the effective one (pipeline/corrections.py: the newest correction
per criterion wins, the automatic result is kept beside it), so the queue, the conversation view,
the cards and the reports agree.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from pipeline.assemble import assemble
from pipeline.corrections import apply_corrections, effective_results
from pipeline.store import Store
from pipeline.store.rows import result_row
from pipeline.store.schema import conversations, results
from zhijian.review.accounts import User

PAGE_SIZE = 50
SORTS = {"time": "started_at", "score": "score", "agent": "agent_id"}


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
    agents: list[str] = field(default_factory=list)
    rubric_version: str | None = None


def queue(store: Store, user: User, f: QueueFilter) -> QueuePage:
    """Flagged conversations (corrections applied) that `user` may see, filtered, sorted, one page."""
    end = f.end + timedelta(days=1) if f.end else None
    rows, rubric_version = effective_results(store, f.start, end)
    rows = [r for r in rows if r["flagged"] and user.may_see(r["agent_id"], r["agents"])]
    agents = sorted({r["agent_id"] for r in rows if r["agent_id"]})

    def keep(r: dict) -> bool:
        score = r["score"]
        return (
            (f.agent is None or r["agent_id"] == f.agent or f.agent in r["agents"])
            and (f.min_score is None or (score is not None and score >= f.min_score))
            and (f.max_score is None or (score is not None and score <= f.max_score))
            and (f.reviewed == "all" or r["corrected"] == (f.reviewed == "yes"))
        )

    rows = [r for r in rows if keep(r)]
    flag_counts = dict(sorted(Counter(code for r in rows for code in dict.fromkeys(r["flag_codes"])).items()))
    if f.flag is not None:
        rows = [r for r in rows if f.flag in r["flag_codes"]]
    key = SORTS[f.sort]
    present = [r for r in rows if r[key] is not None]
    present.sort(key=lambda r: (r[key], r["conversation_id"]), reverse=f.desc)
    rows = present + [r for r in rows if r[key] is None]  # no score / no agent: last either way
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, f.page), pages)
    chunk = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return QueuePage(chunk, len(rows), page, pages, flag_counts, agents, rubric_version)


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


def history(result: dict, corrections: list[dict]) -> list[dict]:
    """Every correction of the conversation, oldest first, with what it changed from (previous or automatic)."""
    current = {k: (v.get("status"), v.get("points")) for k, v in (result.get("criteria") or {}).items()}
    current_score: float | None = result.get("score")
    out = []
    for c in corrections:
        crit = c["criterion"]
        if crit is None:
            before, after = current_score, c["score"]
            current_score = after if after is not None else current_score
        else:
            before = current.get(crit, (None, None))[0]
            after = c["status"] if c["status"] is not None else before
            current[crit] = (after, c["points"])
        out.append({"id": c["id"], "who": c["reviewer"], "when": c["created_at"], "criterion": crit,
                    "before": before, "after": after, "comment": c["comment"]})  # fmt: skip
    return out


def conversation_view(store: Store, conversation_id: str) -> dict | None:
    """Everything /conversations/{id} shows, or None when the store has no result for it."""
    row = latest_result(store, conversation_id)
    if row is None:
        return None
    rubric_version = row["rubric_version"]
    corrections = store.corrections_for([conversation_id], rubric_version).get(conversation_id, [])
    effective = apply_corrections(row, corrections)
    marks: dict[int, list[tuple[int, int, str, str]]] = {}
    for crit, entry in effective["criteria"].items():
        for ev in entry.get("evidence") or []:
            span = ev.get("span")
            if ev.get("seq") is not None and span and len(span) == 2:
                marks.setdefault(ev["seq"], []).append((int(span[0]), int(span[1]), crit, entry.get("status") or ""))
    turns = {t["seq"]: t for t in (effective["sentiment"].get("turns") or [])}
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
        msgs.append({"seq": m.seq, "role": m.role, "time": m.timestamp, "gap": gap, "reply": reply,
                     "agent_id": m.agent_id, "segments": _segments(m.text, marks.get(m.seq, [])),
                     "sentiment": turns.get(m.seq), "flags": flags_at.get(m.seq, [])})  # fmt: skip
        previous = m
    return {"result": effective, "auto_criteria": row.get("criteria") or {}, "messages": msgs,
            "history": history(row, corrections)}  # fmt: skip


__all__ = ["PAGE_SIZE", "SORTS", "QueueFilter", "QueuePage", "conversation_view", "history", "latest_result", "queue"]
