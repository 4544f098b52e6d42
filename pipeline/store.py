"""The result store: messages, conversations, results, quarantine, corrections, run log.

SQLAlchemy 2 Core, so the same code runs on the embedded SQLite file (default) and on
PostgreSQL in production. Every write is a bulk statement (one executemany per chunk),
never a round trip per row. Schema: docs/architecture.md.

Timestamps are stored as naive UTC (``timestamp without time zone``) so SQLite and
PostgreSQL compare them the same way; they are read back timezone-aware, in the
configured time zone (settings.timezone, Asia/Shanghai by default).
"""
from __future__ import annotations

import getpass
import hashlib
import json
import socket
import sys
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from pipeline.conversation import Conversation, Message
from pipeline.results import sentiment_summary
from pipeline.settings import get_settings

# Bound on the number of values in one IN (...) clause / rows in one executemany chunk:
# SQLite's default variable limit is 32766 in recent builds but 999 in old ones.
_CHUNK = 500

# Rubric / model versions are part of a UNIQUE key; NULL never conflicts in SQL, so
# "no model" is stored as the empty string and read back as None.
_NONE_VERSION = ""


from pipeline.errors import StoreError, StoreUnavailable  # noqa: E402  (re-exported: callers import them from here)


def _tz() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


class UTCDateTime(sa.types.TypeDecorator):
    """Aware datetimes in, stored as naive UTC, aware datetimes (settings time zone) out."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:  # naive means local time of the shop (chatlog-format.md)
            value = value.replace(tzinfo=_tz())
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQL paths on SQLite
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(_tz())


# Free-text columns are TEXT, not VARCHAR(n): an export with a 300-character shop or agent name
# must not fail a night's batch insert on PostgreSQL (SQLite never checks lengths, so tests would not tell).
metadata = sa.MetaData()

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("user", sa.Text),
    sa.Column("host", sa.Text),
    sa.Column("command", sa.Text),
    sa.Column("input_files", sa.JSON),
    sa.Column("rubric_version", sa.Text),
    sa.Column("model_version", sa.Text),
    sa.Column("app_version", sa.Text),  # the zhijian package version that ran
    sa.Column("read", sa.Integer),
    sa.Column("stored", sa.Integer),
    sa.Column("duplicates", sa.Integer),
    sa.Column("quarantined", sa.Integer),
    sa.Column("conversations", sa.Integer),
    sa.Column("flagged", sa.Integer),
    sa.Column("scoring_errors", sa.Integer),
    sa.Column("status", sa.Text, nullable=False),  # running | ok | partial | failed
    sa.Column("error", sa.Text),
)

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("message_key", sa.Text, primary_key=True),
    sa.Column("conversation_id", sa.Text, nullable=False, index=True),
    sa.Column("seq", sa.Integer),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("timestamp", UTCDateTime, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("agent_id", sa.Text),
    sa.Column("agent_name", sa.Text),
    sa.Column("customer_id", sa.Text),
    sa.Column("channel", sa.Text),
    sa.Column("shop", sa.Text),
    sa.Column("csat", sa.Integer),
    sa.Column("source_file", sa.Text),
    sa.Column("source_line", sa.Integer),
    sa.Column("first_run_id", sa.String(36)),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("conversation_id", sa.Text, primary_key=True),
    sa.Column("customer_id", sa.Text),
    sa.Column("shop", sa.Text),
    sa.Column("channel", sa.Text),
    sa.Column("started_at", UTCDateTime),
    sa.Column("ended_at", UTCDateTime),
    sa.Column("agent_id", sa.Text),
    sa.Column("agents", sa.JSON),
    sa.Column("message_count", sa.Integer),
    sa.Column("last_run_id", sa.String(36)),
)

results = sa.Table(
    "results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.Text, nullable=False, index=True),
    sa.Column("rubric_version", sa.Text, nullable=False),
    sa.Column("model_version", sa.Text, nullable=False),
    sa.Column("run_id", sa.String(36)),
    sa.Column("scored_at", UTCDateTime, nullable=False),
    sa.Column("message_count", sa.Integer),
    sa.Column("agent_id", sa.Text),
    sa.Column("agents", sa.JSON),
    sa.Column("started_at", UTCDateTime, index=True),
    sa.Column("ended_at", UTCDateTime),
    sa.Column("score", sa.Float),
    sa.Column("flagged", sa.Boolean, nullable=False),
    sa.Column("criteria", sa.JSON),
    sa.Column("flags", sa.JSON),
    sa.Column("sentiment", sa.JSON),
    sa.Column("csat", sa.Integer),
    sa.UniqueConstraint("conversation_id", "rubric_version", "model_version", name="uq_results_versions"),
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(36)),
    sa.Column("last_run_id", sa.String(36)),  # a re-run that meets the same bad row again
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("field", sa.Text),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw", sa.Text),
    sa.Column("raw_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("source_file", "line", "raw_hash", name="uq_quarantine_row"),
)

# A conversation whose scoring raised: kept so nothing is silently lost (the run goes on).
scoring_errors = sa.Table(
    "scoring_errors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(36), index=True),
    sa.Column("conversation_id", sa.Text, nullable=False),
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

corrections = sa.Table(
    "corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.Text, nullable=False, index=True),
    sa.Column("rubric_version", sa.Text, nullable=False),
    sa.Column("criterion", sa.Text),  # NULL = the whole conversation
    sa.Column("status", sa.Text),
    sa.Column("points", sa.Float),
    sa.Column("score", sa.Float),
    sa.Column("flags", sa.JSON),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# The rubric text each rubric version was scored with: cards and reports of a month read the
# rubric its results carry (names, SLA threshold), not whatever rubric file is current today.
rubric_snapshots = sa.Table(
    "rubric_snapshots",
    metadata,
    sa.Column("rubric_version", sa.Text, primary_key=True),
    sa.Column("source_text", sa.Text, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

STATUSES = ("pass", "fail", "na")


def message_key_for(msg: Message) -> str:
    """The idempotency key (sha256 of conversation_id|timestamp|role|agent_id|text); ingest normally sets it."""
    ts = msg.timestamp.isoformat() if isinstance(msg.timestamp, datetime) else str(msg.timestamp)
    raw = "|".join([msg.conversation_id, ts, msg.role, msg.agent_id or "", msg.text])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _chunks(seq: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _as_datetime(value: date | datetime | str | None) -> datetime | None:
    """A date/datetime/ISO string as an aware datetime; naive values are in the settings time zone."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if ("T" in value or " " in value) else date.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if value.tzinfo is None:
        value = value.replace(tzinfo=_tz())
    return value


def engine_url(url: str) -> sa.URL:
    """Parse a store URL; plain ``postgresql://`` uses whichever driver is installed.

    SQLAlchemy 2.1 maps ``postgresql://`` to psycopg 3; the project's postgres extra
    installs psycopg2-binary, so fall back to it rather than fail on a missing module.
    """
    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":
        import importlib.util

        if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2") is not None:
            parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages and the run log."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: show it as given, it has no parsable password either
        return url


@dataclass
class QuarantineEntry:
    source_file: str
    line: int
    field: str | None
    reason: str
    raw: str | None
    run_id: str | None


class Store:
    """Open (and create if absent) the store at a SQLAlchemy URL.

    >>> store = Store("sqlite:///out/qa.db")  # doctest: +SKIP
    """

    def __init__(self, url: str | None = None, *, echo: bool = False) -> None:
        self.url = url or get_settings().store_url
        try:
            self.engine = self._make_engine(self.url, echo)
            metadata.create_all(self.engine)
            missing = self._missing_columns()
        except (SQLAlchemyError, ArgumentError, OSError, ValueError, ImportError) as err:
            raise StoreError(
                f"cannot open store {safe_url(self.url)}: {_short(err)} — check --store or ZHIJIAN_STORE_URL"
            ) from err
        if missing:
            self.engine.dispose()
            raise StoreError(
                f"cannot open store {safe_url(self.url)}: it was created by an older zhijian and lacks "
                f"{', '.join(missing)} — add the column(s) or point --store / ZHIJIAN_STORE_URL at a new store"
            )

    def _missing_columns(self) -> list[str]:
        """Columns this version needs that an existing store lacks (create_all never alters a table)."""
        inspector = sa.inspect(self.engine)
        missing = []
        for table in metadata.sorted_tables:
            have = {c["name"] for c in inspector.get_columns(table.name)}
            missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in have]
        return missing

    # ------------------------------------------------------------------ engine
    @staticmethod
    def _make_engine(url: str, echo: bool) -> Engine:
        parsed = engine_url(url)
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            kwargs: dict[str, Any] = {"echo": echo, "connect_args": {"check_same_thread": False, "timeout": 30}}
            if database in ("", ":memory:") or database.startswith("file::memory:"):
                kwargs["poolclass"] = StaticPool  # one shared connection, or each thread sees an empty db
            else:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(parsed, **kwargs)

            @sa.event.listens_for(engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                cur = dbapi_conn.cursor()
                # WAL: readers (cards, CLI listings) are not blocked while the nightly run writes.
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()

        else:
            kwargs = {"echo": echo, "pool_pre_ping": True}
            if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg2":
                # SQLAlchemy's multi-row VALUES batching skips INSERT … ON CONFLICT, and psycopg2's
                # plain executemany is a round trip per row (measured: 4 of 6 s storing 23k messages);
                # execute_batch sends them in pages instead.
                kwargs["executemany_mode"] = "values_plus_batch"
            engine = sa.create_engine(parsed, **kwargs)
        with engine.connect() as conn:  # fail now, with a clear message, not at the first write
            conn.execute(sa.text("SELECT 1"))
        return engine

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _insert(self, table: sa.Table) -> Any:
        """A dialect INSERT that supports ON CONFLICT (SQLite, PostgreSQL), else the generic one."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            return None
        return insert(table)

    def _upsert(
        self, conn: Connection, table: sa.Table, rows: list[dict], keys: list[str], update: list[str] | None
    ) -> None:
        """Insert rows; on a key conflict update `update` columns (or do nothing when update is None)."""
        if not rows:
            return
        stmt = self._insert(table)
        if stmt is not None:

            def on_conflict(ins: Any) -> Any:
                if update is None:
                    return ins.on_conflict_do_nothing(index_elements=keys)
                return ins.on_conflict_do_update(index_elements=keys, set_={c: getattr(ins.excluded, c) for c in update})

            for chunk in _chunks(rows):
                conn.execute(on_conflict(stmt), list(chunk))
            return
        # Portable fallback (other databases): delete-then-insert for updates, filter for do-nothing.
        for chunk in _chunks(rows):
            cond = sa.or_(*[sa.and_(*[table.c[k] == r[k] for k in keys]) for r in chunk])
            if update is None:
                existing = {tuple(r) for r in conn.execute(sa.select(*[table.c[k] for k in keys]).where(cond))}
                chunk = [r for r in chunk if tuple(r[k] for k in keys) not in existing]
            else:
                conn.execute(table.delete().where(cond))
            if chunk:
                conn.execute(table.insert(), list(chunk))

    # ------------------------------------------------------------------ run log
    def start_run(
        self,
        input_files: Iterable[str | Path] = (),
        *,
        command: str | None = None,
        rubric_version: str | None = None,
        model_version: str | None = None,
        run_id: str | None = None,
    ) -> str:
        """Record a run as 'running' (who, where, what) and return its run_id."""
        run_id = run_id or str(uuid.uuid4())
        try:
            user = getpass.getuser()
        except Exception:  # no login name in some containers
            user = "unknown"
        row = {
            "run_id": run_id,
            "started_at": _now(),
            "user": user,
            "host": socket.gethostname(),
            "command": command if command is not None else " ".join(sys.argv),
            "input_files": [str(p) for p in input_files],
            "rubric_version": rubric_version,
            "model_version": model_version,
            "app_version": _app_version(),
            "status": "running",
        }
        with self.engine.begin() as conn:
            conn.execute(runs.insert(), [row])
        return run_id

    def finish_run(self, run_id: str, *, status: str = "ok", error: str | None = None, **counts: Any) -> None:
        """Close a run: status ('ok', 'partial', 'failed'), counts (read, stored, …, versions)."""
        allowed = {c.name for c in runs.columns} - {"run_id", "started_at", "user", "host", "command"}
        unknown = set(counts) - allowed
        if unknown:
            raise ValueError(f"finish_run: unknown run fields {sorted(unknown)}")
        values = {k: v for k, v in counts.items()}
        values.update(finished_at=_now(), status=status, error=error)
        with self.engine.begin() as conn:
            conn.execute(runs.update().where(runs.c.run_id == run_id).values(**values))

    def list_runs(self, limit: int | None = 50) -> list[dict]:
        """Newest first."""
        stmt = sa.select(runs).order_by(runs.c.started_at.desc())
        if limit:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def get_run(self, run_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(runs).where(runs.c.run_id == run_id)).first()
        return dict(row._mapping) if row else None

    # ------------------------------------------------------------------ messages
    def store_messages(self, msgs: Sequence[Message], run_id: str | None) -> tuple[int, int]:
        """Store messages once each (by message_key). Returns (stored, duplicates).

        duplicates counts repeats inside `msgs` plus messages already in the store, so
        stored + duplicates == len(msgs).
        """
        stored, duplicates, _ = self.store_messages_detail(msgs, run_id)
        return stored, duplicates

    def store_messages_detail(self, msgs: Sequence[Message], run_id: str | None) -> tuple[int, int, set[str]]:
        """store_messages, plus the ids of the conversations that got new messages (these need re-scoring)."""
        rows: dict[str, dict] = {}
        for m in msgs:
            key = m.message_key or message_key_for(m)
            if key not in rows:
                rows[key] = _message_row(m, key, run_id)
        keys = list(rows)
        with self.engine.begin() as conn:
            existing: set[str] = set()
            for chunk in _chunks(keys):
                existing.update(
                    conn.execute(sa.select(messages.c.message_key).where(messages.c.message_key.in_(chunk))).scalars()
                )
            new_rows = [r for k, r in rows.items() if k not in existing]
            # ON CONFLICT DO NOTHING as well: a concurrent run may have stored the same message meanwhile.
            self._upsert(conn, messages, new_rows, ["message_key"], None)
        stored = len(new_rows)
        return stored, len(msgs) - stored, {r["conversation_id"] for r in new_rows}

    def new_message_keys(self, keys: Iterable[str]) -> set[str]:
        """Those of `keys` not yet in the store."""
        keys = list(dict.fromkeys(keys))
        found: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in _chunks(keys):
                found.update(
                    conn.execute(sa.select(messages.c.message_key).where(messages.c.message_key.in_(chunk))).scalars()
                )
        return set(keys) - found

    def load_conversation_messages(self, conversation_ids: Iterable[str]) -> list[Message]:
        """Every stored message of these conversations (all files, all runs), in time then file order."""
        ids = list(dict.fromkeys(conversation_ids))
        out: list[Message] = []
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                stmt = (
                    sa.select(messages)
                    .where(messages.c.conversation_id.in_(chunk))
                    .order_by(
                        messages.c.conversation_id,
                        messages.c.timestamp,
                        messages.c.source_file,
                        messages.c.source_line,
                    )
                )
                out.extend(_row_to_message(r._mapping) for r in conn.execute(stmt))
        return out

    def message_counts(self, conversation_ids: Iterable[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(conversation_ids))
        counts: dict[str, int] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                stmt = (
                    sa.select(messages.c.conversation_id, sa.func.count())
                    .where(messages.c.conversation_id.in_(chunk))
                    .group_by(messages.c.conversation_id)
                )
                counts.update({cid: n for cid, n in conn.execute(stmt)})
        return counts

    # ------------------------------------------------------------------ conversations and results
    def upsert_conversations(self, convs: Sequence[Conversation], run_id: str | None) -> None:
        rows = [
            {
                "conversation_id": c.conversation_id,
                "customer_id": c.customer_id,
                "shop": c.shop,
                "channel": c.channel,
                "started_at": c.started_at,
                "ended_at": c.ended_at,
                "agent_id": c.agent_id,
                "agents": c.agents,
                "message_count": len(c.messages),
                "last_run_id": run_id,
            }
            for c in _unique_by_id(convs)
        ]
        update = [c.name for c in conversations.columns if c.name != "conversation_id"]
        with self.engine.begin() as conn:
            self._upsert(conn, conversations, rows, ["conversation_id"], update)

    def save_results(self, convs: Sequence[Conversation], run_id: str | None) -> int:
        """Save scored conversations; a re-score under the same rubric+model versions replaces the row."""
        now = _now()
        rows = []
        for c in _unique_by_id(convs):
            if c.rubric_version is None:
                raise ValueError(f"conversation {c.conversation_id} has no rubric_version: score it before saving")
            rows.append(
                {
                    "conversation_id": c.conversation_id,
                    "rubric_version": c.rubric_version,
                    "model_version": c.model_version or _NONE_VERSION,
                    "run_id": run_id,
                    "scored_at": now,
                    "message_count": len(c.messages),
                    "agent_id": c.agent_id,
                    "agents": c.agents,
                    "started_at": c.started_at,
                    "ended_at": c.ended_at,
                    "score": c.score,
                    "flagged": c.flagged,
                    "criteria": {k: v.to_dict() for k, v in c.criteria.items()},
                    "flags": [f.to_dict() for f in c.flags],
                    "sentiment": sentiment_summary(c),
                    "csat": c.csat,
                }
            )
        keys = ["conversation_id", "rubric_version", "model_version"]
        update = [c.name for c in results.columns if c.name not in (*keys, "id")]
        with self.engine.begin() as conn:
            self._upsert(conn, results, rows, keys, update)
        return len(rows)

    def load_results(
        self, conversation_ids: Iterable[str], rubric_version: str, model_version: str | None
    ) -> dict[str, dict]:
        """Stored result rows for these conversations under exactly these versions, by conversation_id."""
        ids = list(dict.fromkeys(conversation_ids))
        out: dict[str, dict] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                stmt = sa.select(results).where(
                    results.c.conversation_id.in_(chunk),
                    results.c.rubric_version == rubric_version,
                    results.c.model_version == (model_version or _NONE_VERSION),
                )
                for r in conn.execute(stmt):
                    out[r.conversation_id] = _result_row(r._mapping)
        return out

    # ------------------------------------------------------------------ quarantine and errors
    def store_quarantine(self, rows: Sequence[Any], run_id: str | None) -> int:
        """Store quarantined rows (objects with source_file, line, field, reason, raw); returns how many are new.

        UNIQUE(source_file, line, raw_hash): re-reading the same file does not duplicate them;
        last_run_id records the latest run that met the row again.
        """
        now = _now()
        dedup: dict[tuple, dict] = {}
        for q in rows:
            raw = q.raw if isinstance(q.raw, str) or q.raw is None else json.dumps(q.raw, ensure_ascii=False)
            raw = _nul_free(raw)
            raw_hash = hashlib.sha256((raw or "").encode("utf-8")).hexdigest()
            source_file = str(q.source_file)
            line = int(q.line) if q.line is not None else 0
            dedup[(source_file, line, raw_hash)] = {
                "run_id": run_id,
                "last_run_id": run_id,
                "source_file": source_file,
                "line": line,
                "field": _nul_free(q.field),
                "reason": _nul_free(q.reason),
                "raw": raw,
                "raw_hash": raw_hash,
                "created_at": now,
            }
        if not dedup:
            return 0
        with self.engine.begin() as conn:
            existing: set[tuple] = set()
            by_file: dict[str, list[tuple]] = {}
            for k in dedup:
                by_file.setdefault(k[0], []).append(k)
            for source_file, ks in by_file.items():
                for chunk in _chunks(ks):
                    stmt = sa.select(quarantine.c.source_file, quarantine.c.line, quarantine.c.raw_hash).where(
                        quarantine.c.source_file == source_file,
                        quarantine.c.raw_hash.in_([k[2] for k in chunk]),
                    )
                    existing.update(tuple(r) for r in conn.execute(stmt))
            new = [r for k, r in dedup.items() if k not in existing]
            self._upsert(conn, quarantine, new, ["source_file", "line", "raw_hash"], None)
            seen_again = [k for k in dedup if k in existing]
            if seen_again and run_id:
                for chunk in _chunks(seen_again):
                    conn.execute(
                        quarantine.update()
                        .where(
                            sa.or_(
                                *[
                                    sa.and_(
                                        quarantine.c.source_file == k[0],
                                        quarantine.c.line == k[1],
                                        quarantine.c.raw_hash == k[2],
                                    )
                                    for k in chunk
                                ]
                            )
                        )
                        .values(last_run_id=run_id)
                    )
        return len(new)

    def list_quarantine(self, run_id: str | None = None, limit: int | None = None) -> list[QuarantineEntry]:
        """Quarantined rows, all or those met by one run (first or again), in file and line order."""
        stmt = sa.select(quarantine).order_by(quarantine.c.source_file, quarantine.c.line)
        if run_id:
            stmt = stmt.where(sa.or_(quarantine.c.run_id == run_id, quarantine.c.last_run_id == run_id))
        if limit:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            return [
                QuarantineEntry(r.source_file, r.line, r.field, r.reason, r.raw, r.last_run_id or r.run_id)
                for r in conn.execute(stmt)
            ]

    def record_scoring_errors(self, errors: Sequence[tuple[str, str, str]], run_id: str | None) -> None:
        """(conversation_id, stage, error) for conversations whose processing raised."""
        rows = [
            {"run_id": run_id, "conversation_id": cid, "stage": stage, "error": err, "created_at": _now()}
            for cid, stage, err in errors
        ]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(scoring_errors.insert(), rows)

    def list_scoring_errors(self, run_id: str | None = None) -> list[dict]:
        stmt = sa.select(scoring_errors).order_by(scoring_errors.c.id)
        if run_id:
            stmt = stmt.where(scoring_errors.c.run_id == run_id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    # ------------------------------------------------------------------ human corrections
    def add_correction(
        self,
        conversation_id: str,
        *,
        reviewer: str,
        criterion: str | None = None,
        status: str | None = None,
        points: float | None = None,
        score: float | None = None,
        flags: list[dict] | None = None,
        comment: str | None = None,
        rubric_version: str | None = None,
    ) -> int:
        """Record a reviewer's correction; returns its id.

        criterion=None corrects the whole conversation (score and/or flags). Without
        rubric_version, the version of the conversation's latest result is used.
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
        if score is not None and not 0 <= score <= 100:
            raise ValueError(f"score must be between 0 and 100, not {score}")
        with self.engine.begin() as conn:
            stmt = sa.select(results.c.rubric_version, results.c.criteria).where(
                results.c.conversation_id == conversation_id
            )
            if rubric_version:
                stmt = stmt.where(results.c.rubric_version == rubric_version)
            latest = conn.execute(stmt.order_by(results.c.scored_at.desc(), results.c.id.desc()).limit(1)).first()
            if latest is None:
                what = f" under rubric {rubric_version}" if rubric_version else ""
                raise ValueError(
                    f"no result for conversation {conversation_id!r}{what} in the store: score it first "
                    f"(zhijian score) or check the id and --store"
                )
            if criterion is not None and criterion not in (latest.criteria or {}):
                known = ", ".join(sorted(latest.criteria or {}))
                raise ValueError(f"unknown criterion {criterion!r} for rubric {latest.rubric_version}; known: {known}")
            res = conn.execute(
                corrections.insert().values(
                    conversation_id=conversation_id,
                    rubric_version=latest.rubric_version,
                    criterion=criterion,
                    status=status,
                    points=points,
                    score=score,
                    flags=flags,
                    reviewer=reviewer,
                    comment=comment,
                    created_at=_now(),
                )
            )
            return int(res.inserted_primary_key[0])

    def list_corrections(self, conversation_id: str | None = None) -> list[dict]:
        stmt = sa.select(corrections).order_by(corrections.c.created_at, corrections.c.id)
        if conversation_id:
            stmt = stmt.where(corrections.c.conversation_id == conversation_id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    # ------------------------------------------------------------------ rubric snapshots
    def save_rubric_snapshot(self, rubric_version: str, source_text: str, source: str | None = None) -> None:
        """Keep the rubric text a version was scored with; the first text kept for a version stays."""
        stmt = self._insert(rubric_snapshots).values(
            rubric_version=rubric_version, source_text=source_text, source=source, created_at=_now()
        ).on_conflict_do_nothing(index_elements=["rubric_version"])
        with self.engine.begin() as conn:
            conn.execute(stmt)

    def load_rubric_snapshot(self, rubric_version: str) -> str | None:
        """The rubric text kept for rubric_version, or None (scored before snapshots were kept)."""
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(rubric_snapshots.c.source_text).where(rubric_snapshots.c.rubric_version == rubric_version)
            ).scalar()

    def current_rubric_version(self) -> str | None:
        """The rubric version of the most recently scored result (what 'current' means for reports)."""
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(results.c.rubric_version).order_by(results.c.scored_at.desc(), results.c.id.desc()).limit(1)
            ).scalar()

    def effective_results(
        self,
        start: date | datetime | str | None,
        end: date | datetime | str | None,
        rubric_version: str | None = None,
    ) -> "pd.DataFrame":  # noqa: F821
        """Results of conversations started in [start, end), human corrections applied.

        One row per conversation: the latest result under `rubric_version` (default: the
        current one, see current_rubric_version), any model version. Columns:
        conversation_id, rubric_version, model_version, run_id, scored_at, started_at,
        ended_at, agent_id, agents, message_count, customer_id, shop, channel, csat,
        score (corrected), auto_score, flagged, flags, flag_codes, criteria (corrected,
        id -> {status, points, max_points, evidence, corrected}), sentiment,
        customer_start, customer_end, corrected (bool), corrected_criteria (list),
        reviewers (list), correction_comments (list).

        Corrections: the newest per (conversation, rubric_version, criterion) wins. A
        criterion correction sets status and points (points default: max_points for pass,
        0 for fail/na; na also sets max_points 0). Score: a whole-conversation correction
        with a score wins; otherwise, when criteria were corrected, the score is
        100 × Σpoints / Σmax_points over the corrected criteria (what an earned-share
        rubric computes); otherwise the automatic score.
        """
        import pandas as pd

        rubric_version = rubric_version or self.current_rubric_version()
        columns = [
            "conversation_id", "rubric_version", "model_version", "run_id", "scored_at", "started_at",
            "ended_at", "agent_id", "agents", "message_count", "customer_id", "shop", "channel", "csat",
            "score", "auto_score", "flagged", "flags", "flag_codes", "criteria", "sentiment",
            "customer_start", "customer_end", "corrected", "corrected_criteria", "reviewers",
            "correction_comments",
        ]  # fmt: skip
        if rubric_version is None:
            return pd.DataFrame(columns=columns)
        start_dt, end_dt = _as_datetime(start), _as_datetime(end)
        stmt = (
            sa.select(results, conversations.c.customer_id, conversations.c.shop, conversations.c.channel)
            .join(conversations, conversations.c.conversation_id == results.c.conversation_id, isouter=True)
            .where(results.c.rubric_version == rubric_version)
            .order_by(results.c.conversation_id, results.c.scored_at.desc(), results.c.id.desc())
        )
        if start_dt is not None:
            stmt = stmt.where(results.c.started_at >= start_dt)
        if end_dt is not None:
            stmt = stmt.where(results.c.started_at < end_dt)
        latest: dict[str, dict] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(stmt):
                if r.conversation_id not in latest:  # ordered newest first per conversation
                    latest[r.conversation_id] = dict(r._mapping)
            corr: dict[str, list[dict]] = {}
            ids = list(latest)
            for chunk in _chunks(ids):
                cstmt = (
                    sa.select(corrections)
                    .where(corrections.c.conversation_id.in_(chunk), corrections.c.rubric_version == rubric_version)
                    .order_by(corrections.c.created_at, corrections.c.id)
                )
                for c in conn.execute(cstmt):
                    corr.setdefault(c.conversation_id, []).append(dict(c._mapping))
        records = [_apply_corrections(row, corr.get(cid, [])) for cid, row in latest.items()]
        df = pd.DataFrame.from_records(records, columns=columns)
        return df.sort_values("started_at", kind="stable").reset_index(drop=True) if len(df) else df


# ---------------------------------------------------------------------- row helpers
def _app_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zhijian")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return None


def _short(err: BaseException) -> str:
    text = str(getattr(err, "orig", None) or err).strip().splitlines()
    return text[0] if text else type(err).__name__


def _unique_by_id(convs: Sequence[Conversation]) -> list[Conversation]:
    # Last one wins, so a batch never upserts the same key twice in one statement (PostgreSQL refuses).
    return list({c.conversation_id: c for c in convs}.values())


def _nul_free(value: Any) -> Any:
    # PostgreSQL TEXT cannot hold NUL; one such character in an export must not fail the whole batch.
    return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value else value


def _message_row(m: Message, key: str, run_id: str | None) -> dict:
    row = {
        "message_key": key,
        "conversation_id": m.conversation_id,
        "seq": m.seq,
        "role": m.role,
        "timestamp": m.timestamp,
        "text": m.text or "",
        "agent_id": m.agent_id,
        "agent_name": m.agent_name,
        "customer_id": m.customer_id,
        "channel": m.channel,
        "shop": m.shop,
        "csat": m.csat,
        "source_file": str(m.source_file) if m.source_file is not None else None,
        "source_line": m.source_line,
        "first_run_id": run_id,
    }
    return {k: _nul_free(v) for k, v in row.items()}


def _row_to_message(r: Any) -> Message:
    return Message(
        conversation_id=r["conversation_id"],
        seq=r["seq"],
        role=r["role"],
        timestamp=r["timestamp"],
        text=r["text"],
        agent_id=r["agent_id"],
        agent_name=r["agent_name"],
        customer_id=r["customer_id"],
        channel=r["channel"],
        shop=r["shop"],
        csat=r["csat"],
        message_key=r["message_key"],
        source_file=r["source_file"],
        source_line=r["source_line"],
    )


def _result_row(r: Any) -> dict:
    d = dict(r)
    d["model_version"] = d["model_version"] or None
    return d


def result_row_to_contract(row: dict) -> dict:
    """A stored result row as the results-contract JSON object (used when a result is read back)."""
    return {
        "conversation_id": row["conversation_id"],
        "agent_id": row["agent_id"],
        "agents": list(row["agents"] or []),
        "started_at": row["started_at"].isoformat() if row["started_at"] else None,
        "ended_at": row["ended_at"].isoformat() if row["ended_at"] else None,
        "score": row["score"],
        "rubric": row["rubric_version"],
        "model": row["model_version"] or None,
        "criteria": row["criteria"] or {},
        "sentiment": row["sentiment"] or {"customer_start": None, "customer_end": None, "turns": []},
        "flags": row["flags"] or [],
        "flagged": bool(row["flagged"]),
    }


def _apply_corrections(row: dict, corrs: list[dict]) -> dict:
    criteria = {k: dict(v) for k, v in (row.get("criteria") or {}).items()}
    flags = list(row.get("flags") or [])
    auto_score = row.get("score")
    score = auto_score
    corrected_criteria: list[str] = []
    newest_by_criterion: dict[str | None, dict] = {}
    for c in corrs:  # oldest → newest, so the newest per criterion wins
        newest_by_criterion[c["criterion"]] = c
    for crit, c in newest_by_criterion.items():
        if crit is None or crit not in criteria:
            continue
        entry = criteria[crit]
        if c["status"] is not None:
            entry["status"] = c["status"]
            if c["status"] == "na":
                entry["max_points"] = 0
        if c["points"] is not None:
            entry["points"] = float(c["points"])
        elif c["status"] == "pass":
            entry["points"] = entry.get("max_points", 0)
        elif c["status"] in ("fail", "na"):
            entry["points"] = 0
        entry["corrected"] = True
        corrected_criteria.append(crit)
    whole = newest_by_criterion.get(None)
    if whole is not None and whole["score"] is not None:
        score = float(whole["score"])
    elif corrected_criteria:
        total_max = sum(float(v.get("max_points") or 0) for v in criteria.values() if v.get("status") != "na")
        total = sum(float(v.get("points") or 0) for v in criteria.values() if v.get("status") != "na")
        score = round(100.0 * total / total_max, 1) if total_max else auto_score
    if whole is not None and whole["flags"] is not None:
        flags = list(whole["flags"])
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
        "corrected": bool(corrs),
        "corrected_criteria": corrected_criteria,
        "reviewers": list(dict.fromkeys(c["reviewer"] for c in corrs)),
        "correction_comments": [c["comment"] for c in corrs if c.get("comment")],
    }


__all__ = [
    "Store",
    "StoreError",
    "QuarantineEntry",
    "message_key_for",
    "result_row_to_contract",
    "safe_url",
    "engine_url",
    "metadata",
]
