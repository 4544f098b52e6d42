"""The store's schema: its tables, the timestamp type, and how a store URL becomes an engine.

Timestamps are stored as naive UTC (``timestamp without time zone``) so SQLite and
PostgreSQL compare them the same way; they are read back timezone-aware, in the
configured time zone (settings.timezone, Asia/Shanghai by default). Table layout:
docs/architecture.md.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from pipeline.results import JSONText
from pipeline.settings import get_settings

# Rubric / model versions are part of a UNIQUE key; NULL never conflicts in SQL, so
# "no model" is stored as the empty string and read back as None.
NONE_VERSION = ""


def store_json(value: Any) -> str:
    """The text a JSON column stores: JSONText (JSON already: a result's criteria, sentiment and flags,
    encoded once for the store and the results file, pipeline/results.py) as it is; anything else as
    SQLAlchemy writes it by default (json.dumps). Both read back alike (json.loads)."""
    return value.text if type(value) is JSONText else json.dumps(value)


def tz() -> ZoneInfo:
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
            value = value.replace(tzinfo=tz())
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQL paths on SQLite
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(tz())


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

# A value dropped or cut from a row that was kept (text cut at 20,000 characters, a bad seq or
# csat): the message is stored, the note says what changed. One row per run that met it.
# Its own table (created by create_all on old stores too), not a column on quarantine.
ingest_notes = sa.Table(
    "ingest_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(36), index=True),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("run_id", "source_file", "line", "field", name="uq_ingest_note"),
)

# The process that runs a run: a 'running' run whose process is gone from this host was killed.
run_processes = sa.Table(
    "run_processes",
    metadata,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("host", sa.Text, nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("process_started", sa.Float),  # the pid's start time (s since boot): a reused pid is not ours
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


def as_datetime(value: date | datetime | str | None) -> datetime | None:
    """A date/datetime/ISO string as an aware datetime; naive values are in the settings time zone."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if ("T" in value or " " in value) else date.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz())
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


def make_engine(url: str, echo: bool = False) -> Engine:
    """An engine for the store URL, checked with one query (SQLite: WAL, parent folder created)."""
    parsed = engine_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        kwargs: dict[str, Any] = {"echo": echo, "connect_args": {"check_same_thread": False, "timeout": 30},
                                  "json_serializer": store_json}
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            kwargs["poolclass"] = StaticPool  # one shared connection, or each thread sees an empty db
        else:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, **kwargs)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # 16 KiB pages for a new store (SQLite's default is 4 KiB; a store made earlier keeps its own, which
            # WAL mode never changes): a result row is ~5 KB of JSON, on 4 KiB pages each spilled to an overflow
            # page; storing and reading back the 10,000-conversation bench's 100,285 messages cost
            # 1.64 / 1.54 CPU s with 4 KiB pages, 1.36 / 1.39 with 16 KiB (two runs each, loaded machine).
            cur.execute("PRAGMA page_size=16384")
            # WAL: readers (cards, CLI listings) are not blocked while the nightly run writes.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            # 32 MiB of page cache (SQLite's default is 2 MiB): a night's messages go into the message_key
            # index in hash order, and with the default most inserts fetched and rewrote a page the cache
            # had just dropped (storing the 10,000-conversation bench's messages: 2.0 → 1.7 CPU s; 64 MiB
            # measured the same and cost 65 MiB more peak memory).
            cur.execute("PRAGMA cache_size=-32768")
            cur.close()

    else:
        kwargs = {"echo": echo, "pool_pre_ping": True, "json_serializer": store_json}
        if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg2":
            # SQLAlchemy's multi-row VALUES batching skips INSERT … ON CONFLICT, and psycopg2's
            # plain executemany is a round trip per row (measured: 4 of 6 s storing 23k messages);
            # execute_batch sends them in pages instead.
            kwargs["executemany_mode"] = "values_plus_batch"
        engine = sa.create_engine(parsed, **kwargs)
    with engine.connect() as conn:  # fail now, with a clear message, not at the first write
        conn.execute(sa.text("SELECT 1"))
    return engine


def missing_columns(engine: Engine) -> list[str]:
    """Columns this version needs that the existing tables of a store lack (create_all never alters a table)."""
    inspector = sa.inspect(engine)
    missing = []
    for table in metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in have]
    return missing
