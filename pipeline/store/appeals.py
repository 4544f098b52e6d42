"""Appeals (申诉) and reviewers' sentiment labels of customer turns: append-only tables and their rules.

Three tables, registered in the store's `metadata` (a new store gets them from create_all, an
existing one from migration 0004). Every row is a fact someone recorded; the database refuses
UPDATE and DELETE on all three (triggers, as on `corrections`), so nothing is ever overwritten:

- `appeals`: an agent contests one criterion of one of their conversations under one rubric
  version, with a comment. An appeal's status is derived, never stored: `open` until a row in
  `appeal_decisions` names it, then that row's decision.
- `appeal_decisions`: a team lead's (or admin's) decision on one appeal: `upheld` or `rejected`,
  with a reason. UNIQUE(appeal_id): an appeal is decided once; a second decision is refused by
  the database itself, so two leads deciding at the same moment cannot both win.
  Upheld = the criterion is corrected in the agent's favour: `decide_appeal` records a correction
  through the one corrections path (`Store.add_correction`: status `pass`, reviewer = the lead,
  comment `申诉 #<id> 成立：<reason>`) and keeps its id in `correction_id`, so cards, the XLSX
  export and reports apply it like any correction. The correction is written just before the
  decision row; should a concurrent decision win in between, that correction stays (the table is
  append-only) and says the same thing the winning decision does only if that one upheld too —
  the window is one INSERT wide.
- `turn_labels`: a reviewer's sentiment label (models.base.SENTIMENT_LABELS) of one customer
  turn (conversation_id, seq = the message's seq as the conversation view numbers it), with an
  optional comment. The newest label per (conversation_id, seq) is the reviewer's label; the
  machine's label stays in the result's sentiment JSON. A label does not re-score the
  conversation (flags and criteria are corrected explicitly); it is a label for the models
  (export-labels) and for the agreement figures.

Readers (the review app, cards, export-labels, /agreement) use the functions below, never their
own copies of these rules.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from models.base import SENTIMENT_LABELS
from pipeline.store.rows import chunks, now
from pipeline.store.schema import UTCDateTime, as_datetime, conversations, metadata

if TYPE_CHECKING:  # decide_appeal records its correction through the store (the store imports this module)
    from pipeline.store import Store

DECISIONS = ("upheld", "rejected")
APPEAL_STATUSES = ("open", *DECISIONS)  # an appeal's status: open until decided
MAX_TEXT = 2000  # characters of an appeal's comment, a decision's reason, a label's comment

appeals = sa.Table(
    "appeals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.Text, nullable=False, index=True),
    sa.Column("rubric_version", sa.Text, nullable=False),  # the result the agent saw
    sa.Column("criterion", sa.Text, nullable=False),
    sa.Column("agent_id", sa.Text, nullable=False, index=True),  # the agent who appeals (their account's agent id)
    sa.Column("filed_by", sa.Text, nullable=False),  # the account's username
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

appeal_decisions = sa.Table(
    "appeal_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appeal_id", sa.Integer, nullable=False, unique=True),  # decided once
    sa.Column("decision", sa.Text, nullable=False),  # one of DECISIONS
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("decided_by", sa.Text, nullable=False),
    sa.Column("correction_id", sa.Integer),  # the correction an upheld appeal recorded; NULL when rejected
    sa.Column("created_at", UTCDateTime, nullable=False),
)

turn_labels = sa.Table(
    "turn_labels",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.Text, nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("label", sa.Text, nullable=False),  # one of SENTIMENT_LABELS
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

APPEND_ONLY_TABLES = ("appeals", "appeal_decisions", "turn_labels")
_REFUSAL = "review history is append-only: add a new row instead"


def append_only_statements(dialect: str, table: str) -> list[str]:
    """The statements that make `table` refuse UPDATE and DELETE (create_all and migration 0004 run the same)."""
    if dialect == "sqlite":
        return [f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op} BEFORE {op.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table}: {_REFUSAL}'); END" for op in ("update", "delete")]  # fmt: skip
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION zhijian_review_append_only() RETURNS trigger AS $$ BEGIN "
            # No '%' placeholder: psycopg2 reads a bare % in a statement sent without parameters as one.
            f"RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ': {_REFUSAL}'; END $$ LANGUAGE plpgsql",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION zhijian_review_append_only()",
        ]
    return []


def _append_only(target: sa.Table, connection: sa.Connection, **_: object) -> None:
    for statement in append_only_statements(connection.dialect.name, target.name):
        connection.exec_driver_sql(statement)


for _table in (appeals, appeal_decisions, turn_labels):
    sa.event.listen(_table, "after_create", _append_only)


def _text(value: str | None, what: str, required: bool) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise ValueError(f"{what} is empty — say why")
    if len(value) > MAX_TEXT:
        raise ValueError(f"{what} is {len(value)} characters long, at most {MAX_TEXT} — shorten it")
    return value or None


# ---------------------------------------------------------------------- appeals
def file_appeal(engine: Engine, conversation_id: str, *, rubric_version: str, criterion: str, agent_id: str,
                filed_by: str, comment: str) -> int:
    """Record an agent's appeal of one criterion; returns its id.

    ValueError (what is wrong — what to do) for an empty or too long comment, or when the same
    criterion of the same conversation already has an open appeal. Whether the criterion exists
    and may be appealed is the caller's to check (it has the conversation's effective result).
    """
    text = _text(comment, "the appeal's comment", required=True)
    with engine.begin() as conn:
        open_ = (
            sa.select(appeals.c.id)
            .join(appeal_decisions, appeal_decisions.c.appeal_id == appeals.c.id, isouter=True)
            .where(appeals.c.conversation_id == conversation_id, appeals.c.rubric_version == rubric_version,
                   appeals.c.criterion == criterion, appeal_decisions.c.id.is_(None))
        )  # fmt: skip
        pending = conn.execute(open_).scalar()
        if pending is not None:
            raise ValueError(f"criterion {criterion!r} of conversation {conversation_id!r} already has an open "
                             f"appeal (#{pending}) — wait for its decision")  # fmt: skip
        res = conn.execute(appeals.insert().values(
            conversation_id=conversation_id, rubric_version=rubric_version, criterion=criterion,
            agent_id=agent_id, filed_by=filed_by, comment=text, created_at=now()))  # fmt: skip
        return int(res.inserted_primary_key[0])


def _appeal_select() -> sa.Select:
    d = appeal_decisions.c
    return sa.select(appeals, d.decision, d.reason, d.decided_by, d.correction_id,
                     d.created_at.label("decided_at")).join(
        appeal_decisions, d.appeal_id == appeals.c.id, isouter=True)  # fmt: skip


def _appeal(row: Any) -> dict:
    out = dict(row._mapping)
    out["status"] = out["decision"] or "open"
    return out


def get_appeal(engine: Engine, appeal_id: int) -> dict | None:
    """One appeal with its decision (decision, reason, decided_by, decided_at, correction_id; None while open) and status."""
    with engine.connect() as conn:
        row = conn.execute(_appeal_select().where(appeals.c.id == appeal_id)).first()
    return _appeal(row) if row is not None else None


def _appeal_filters(stmt: sa.Select, status: str | None, agent_id: str | None, conversation_id: str | None) -> sa.Select:
    if status == "open":
        stmt = stmt.where(appeal_decisions.c.id.is_(None))
    elif status is not None:
        stmt = stmt.where(appeal_decisions.c.decision == status)
    if agent_id is not None:
        stmt = stmt.where(appeals.c.agent_id == agent_id)
    if conversation_id is not None:
        stmt = stmt.where(appeals.c.conversation_id == conversation_id)
    return stmt


def list_appeals(engine: Engine, *, status: str | None = None, agent_id: str | None = None,
                 conversation_id: str | None = None, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Appeals (as get_appeal gives them), newest first; filtered by status (APPEAL_STATUSES), agent, conversation;
    `limit` and `offset` page them (the order is total: creation time, then id)."""
    stmt = _appeal_filters(_appeal_select(), status, agent_id, conversation_id)
    stmt = stmt.order_by(appeals.c.created_at.desc(), appeals.c.id.desc()).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [_appeal(r) for r in conn.execute(stmt)]


def count_appeals(engine: Engine, *, status: str | None = None, agent_id: str | None = None,
                  conversation_id: str | None = None) -> int:
    """How many appeals list_appeals gives for the same filters, without its limit."""
    base = sa.select(sa.func.count()).select_from(
        appeals.join(appeal_decisions, appeal_decisions.c.appeal_id == appeals.c.id, isouter=True))
    with engine.connect() as conn:
        return int(conn.execute(_appeal_filters(base, status, agent_id, conversation_id)).scalar_one())


def appeal_statuses(engine: Engine, conversation_ids: Iterable[str], rubric_version: str) -> dict[str, set[str]]:
    """The statuses of each conversation's appeals under rubric_version (conversations without one are absent)."""
    out: dict[str, set[str]] = {}
    stmt = sa.select(appeals.c.conversation_id, appeal_decisions.c.decision).join(
        appeal_decisions, appeal_decisions.c.appeal_id == appeals.c.id, isouter=True)
    with engine.connect() as conn:
        for chunk in chunks(list(dict.fromkeys(conversation_ids))):
            rows = conn.execute(stmt.where(appeals.c.conversation_id.in_(chunk),
                                           appeals.c.rubric_version == rubric_version))  # fmt: skip
            for cid, decision in rows:
                out.setdefault(cid, set()).add(decision or "open")
    return out


def decide_appeal(store: "Store", appeal_id: int, *, decision: str, reason: str, decided_by: str) -> dict:
    """Uphold or reject an open appeal; returns the decided appeal (get_appeal).

    Upheld: the criterion is corrected to `pass` through Store.add_correction (reviewer = the
    lead, comment naming the appeal) before the decision row is written. ValueError (what is
    wrong — what to do) for an unknown or already decided appeal, a decision not in DECISIONS,
    or an empty or too long reason.
    """
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    text = _text(reason, "the decision's reason", required=True)
    appeal = get_appeal(store.engine, appeal_id)
    if appeal is None:
        raise ValueError(f"no appeal #{appeal_id} — check the appeal's number")
    if appeal["status"] != "open":
        raise ValueError(f"appeal #{appeal_id} was already decided ({appeal['status']} by {appeal['decided_by']})")
    correction_id = None
    if decision == "upheld":
        correction_id = store.add_correction(
            appeal["conversation_id"], reviewer=decided_by, criterion=appeal["criterion"], status="pass",
            comment=f"申诉 #{appeal_id} 成立：{text}", rubric_version=appeal["rubric_version"])  # fmt: skip
    try:
        with store.engine.begin() as conn:
            conn.execute(appeal_decisions.insert().values(
                appeal_id=appeal_id, decision=decision, reason=text, decided_by=decided_by,
                correction_id=correction_id, created_at=now()))  # fmt: skip
    except IntegrityError:  # decided by someone else a moment ago (UNIQUE appeal_id)
        raise ValueError(f"appeal #{appeal_id} was decided by someone else a moment ago — reload the page") from None
    return get_appeal(store.engine, appeal_id) or {}


def upheld_appeals(engine: Engine, start: date | datetime | None, end: date | datetime | None) -> list[dict]:
    """Upheld appeals of conversations started in [start, end) (the cards' month), oldest conversation first.

    Each: the appeal (as get_appeal gives it) plus the conversation's started_at.
    """
    stmt = (
        _appeal_select().add_columns(conversations.c.started_at)
        .join(conversations, conversations.c.conversation_id == appeals.c.conversation_id)
        .where(appeal_decisions.c.decision == "upheld")
        .order_by(conversations.c.started_at, appeals.c.id)
    )  # fmt: skip
    start_dt, end_dt = as_datetime(start), as_datetime(end)
    if start_dt is not None:
        stmt = stmt.where(conversations.c.started_at >= start_dt)
    if end_dt is not None:
        stmt = stmt.where(conversations.c.started_at < end_dt)
    with engine.connect() as conn:
        return [_appeal(r) for r in conn.execute(stmt)]


# ---------------------------------------------------------------------- turn labels
def add_turn_label(engine: Engine, conversation_id: str, seq: int, *, label: str, reviewer: str,
                   comment: str | None = None) -> int:
    """Record a reviewer's sentiment label of one customer turn; returns its id.

    ValueError for a label not in SENTIMENT_LABELS or a too long comment. That `seq` is a
    customer turn of the conversation is the caller's to check (it has the transcript).
    """
    if label not in SENTIMENT_LABELS:
        raise ValueError(f"label must be one of {', '.join(SENTIMENT_LABELS)}, not {label!r}")
    text = _text(comment, "the label's comment", required=False)
    with engine.begin() as conn:
        res = conn.execute(turn_labels.insert().values(
            conversation_id=conversation_id, seq=int(seq), label=label, reviewer=reviewer, comment=text,
            created_at=now()))  # fmt: skip
        return int(res.inserted_primary_key[0])


def list_turn_labels(engine: Engine, conversation_ids: Iterable[str] | None = None) -> list[dict]:
    """Every turn label (of these conversations; None: all), oldest first — the history, and what export-labels reads."""
    stmt = sa.select(turn_labels).order_by(turn_labels.c.created_at, turn_labels.c.id)
    with engine.connect() as conn:
        if conversation_ids is None:
            return [dict(r._mapping) for r in conn.execute(stmt)]
        out: list[dict] = []
        for chunk in chunks(list(dict.fromkeys(conversation_ids))):
            out += [dict(r._mapping) for r in conn.execute(stmt.where(turn_labels.c.conversation_id.in_(chunk)))]
    out.sort(key=lambda r: (r["created_at"], r["id"]))
    return out


def current_turn_labels(labels: Iterable[dict]) -> dict[tuple[str, int], dict]:
    """The label that counts per (conversation_id, seq): the newest (input oldest first, as list_turn_labels gives)."""
    return {(r["conversation_id"], r["seq"]): r for r in labels}


__all__ = [
    "APPEAL_STATUSES", "APPEND_ONLY_TABLES", "DECISIONS", "MAX_TEXT", "add_turn_label", "appeal_decisions",
    "appeal_statuses", "appeals", "append_only_statements", "count_appeals", "current_turn_labels", "decide_appeal",
    "file_appeal",
    "get_appeal", "list_appeals", "list_turn_labels", "turn_labels", "upheld_appeals",
]  # fmt: skip
