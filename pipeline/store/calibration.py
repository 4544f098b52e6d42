"""The calibration sample: random conversations per agent and day that reviewers read blind.

Why: reviewers read the flagged queue, so what the machine *misses* (a conversation it did not
flag that a person would have) is never seen. Each day, per agent, `per_agent_day` conversations
the machine did NOT flag are drawn at random (settings.calibration_per_agent_day), and — so the
worklist does not give them away — as many that it DID flag. Reviewers read them on the blind
worklist (/calibration, zhijian/review/agreement.py) without the machine's verdicts; the trust
page (/agreement) scales the misses found in the unflagged part to every unflagged conversation.

Decisions:
- Reproducible: each (day, agent, stratum) draws with `random.Random("day|agent|rubric|stratum")`
  from the sorted conversation ids, so the same store draws the same sample on any machine.
- Flagged means the machine's own flags (the stored result), never a reviewer's correction: the
  sample measures the machine.
- When: a day is drawn once, lazily, the first time the worklist or the trust page is opened
  after it is complete: a run finished (ok or partial) after the day ended and no run is running,
  so a reviewer who opens the page mid-run does not freeze a half-scored day. A day's draw is
  kept (`calibration_days`), also when it drew nothing; conversations that arrive for it later
  are not drawn (the recorded population says what the sample was drawn from).
- Conversations without an agent (bot only) are not drawn: the sample is per agent.
- Two processes drawing at once draw the same rows; the loser's insert fails on the unique key
  and is dropped.
"""
from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pipeline.store.schema import UTCDateTime, metadata, results, runs, tz

STRATA = ("unflagged", "flagged")
_LAST_LOOK: dict[str, tuple] = {}  # store URL → what draw_pending last saw with nothing left to draw

calibration_days = sa.Table(
    "calibration_days",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),  # local day (settings time zone) the conversations started
    sa.Column("rubric_version", sa.Text, primary_key=True),
    sa.Column("per_agent_day", sa.Integer, nullable=False),  # the setting when it was drawn
    sa.Column("drawn_at", UTCDateTime, nullable=False),
)

calibration_sample = sa.Table(
    "calibration_sample",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("agent_id", sa.Text, nullable=False),
    sa.Column("conversation_id", sa.Text, nullable=False, index=True),
    sa.Column("rubric_version", sa.Text, nullable=False),
    sa.Column("stratum", sa.Text, nullable=False),  # unflagged | flagged (the machine's flags at draw time)
    sa.Column("population", sa.Integer, nullable=False),  # conversations of this agent, day and stratum
    sa.Column("drawn_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("conversation_id", "rubric_version", name="uq_calibration_conversation"),
)


def draw_sample(rows: Iterable[dict], day: date, rubric_version: str, per_agent_day: int) -> list[dict]:
    """The sample of one day from its result rows (conversation_id, agent_id, flags): rows for calibration_sample."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in rows:
        if r.get("agent_id"):
            groups[(r["agent_id"], "flagged" if r.get("flags") else "unflagged")].append(r["conversation_id"])
    out = []
    for (agent, stratum), ids in sorted(groups.items()):
        ids = sorted(set(ids))
        rng = random.Random(f"{day.isoformat()}|{agent}|{rubric_version}|{stratum}")
        for cid in rng.sample(ids, min(per_agent_day, len(ids))):
            out.append({"day": day, "agent_id": agent, "conversation_id": cid, "rubric_version": rubric_version,
                        "stratum": stratum, "population": len(ids)})  # fmt: skip
    return out


def complete_before(conn: sa.Connection) -> date | None:
    """Days before this one are complete (see the module docstring); None: no day is."""
    if conn.execute(sa.select(sa.func.count()).select_from(runs).where(runs.c.status == "running")).scalar():
        return None
    finished = conn.execute(
        sa.select(sa.func.max(runs.c.finished_at)).where(runs.c.status.in_(("ok", "partial")))
    ).scalar()
    if finished is None:
        return None
    if isinstance(finished, str):  # SQLite aggregate: the raw stored value, naive UTC
        finished = datetime.fromisoformat(finished)
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=timezone.utc)
    return finished.astimezone(tz()).date()


def draw_pending(store: "object", per_agent_day: int, rubric_version: str | None = None) -> int:
    """Draw every complete day not drawn yet under the current rubric version; returns rows added.

    `store` is a pipeline.store.Store (typed loosely: the store package imports this module).
    """
    rubric_version = rubric_version or store.current_rubric_version()  # type: ignore[attr-defined]
    if rubric_version is None:
        return 0
    engine = store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        before = complete_before(conn)
        if before is None:
            return 0
        # Nothing scored and no run finished since the last look: nothing to draw, and the scan of
        # every result's start below (the worklist and trust page call this on each view) is skipped.
        state = (str(engine.url), rubric_version, per_agent_day, before,
                 conn.execute(sa.select(sa.func.max(results.c.id))).scalar())  # fmt: skip
        if _LAST_LOOK.get(state[0]) == state:
            return 0
        drawn = set(conn.execute(sa.select(calibration_days.c.day)
                                 .where(calibration_days.c.rubric_version == rubric_version)).scalars())  # fmt: skip
        starts = conn.execute(sa.select(results.c.started_at).where(results.c.rubric_version == rubric_version)
                              .where(results.c.started_at.is_not(None))).scalars()  # fmt: skip
        pending = sorted({s.date() for s in starts if s.date() < before} - drawn)
    if not pending:
        _LAST_LOOK[state[0]] = state
        return 0
    start = datetime.combine(pending[0], time.min, tz())
    end = datetime.combine(pending[-1] + timedelta(days=1), time.min, tz())
    by_day: dict[date, list[dict]] = defaultdict(list)
    for r in store.latest_results(start, end, rubric_version):  # type: ignore[attr-defined]
        by_day[r["started_at"].date()].append(r)
    added, now = 0, datetime.now(timezone.utc)
    for day in pending:
        rows = draw_sample(by_day.get(day, []), day, rubric_version, per_agent_day)
        try:
            with engine.begin() as conn:
                conn.execute(calibration_days.insert(), [{"day": day, "rubric_version": rubric_version,
                                                          "per_agent_day": per_agent_day, "drawn_at": now}])  # fmt: skip
                if rows:
                    conn.execute(calibration_sample.insert(), [{**r, "drawn_at": now} for r in rows])
            added += len(rows)
        except IntegrityError:  # another process drew this day first: same rows (the draw is seeded)
            continue
    return added


def sample_rows(engine: sa.Engine, rubric_version: str, start: date | None = None, end: date | None = None) -> list[dict]:
    """The drawn sample under a rubric version, days in [start, end], by day then conversation id."""
    stmt = sa.select(calibration_sample).where(calibration_sample.c.rubric_version == rubric_version)
    if start is not None:
        stmt = stmt.where(calibration_sample.c.day >= start)
    if end is not None:
        stmt = stmt.where(calibration_sample.c.day <= end)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(stmt.order_by(calibration_sample.c.day, calibration_sample.c.conversation_id))]
    return rows


def drawn_days(engine: sa.Engine, rubric_version: str) -> set[date]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(calibration_days.c.day)
                                .where(calibration_days.c.rubric_version == rubric_version)).scalars())  # fmt: skip


__all__ = ["STRATA", "calibration_days", "calibration_sample", "complete_before", "draw_pending", "draw_sample",
           "drawn_days", "sample_rows"]
