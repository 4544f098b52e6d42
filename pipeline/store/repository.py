"""The repository: `Store` reads and writes rows and domain objects, nothing else.

Runs, messages, conversations, results, quarantine, scoring errors, reviewer corrections
and rubric snapshots. SQLAlchemy 2 Core, so the same code runs on the embedded SQLite file
(default) and on PostgreSQL in production. Every write is a bulk statement (one executemany
per chunk), never a round trip per row; the nightly run's big tables go through bulk.py (rows as
tuples, one compiled statement on SQLite). Tables: schema.py; the results contract:
pipeline/results.py; how corrections change a result: pipeline/corrections.py.
"""
from __future__ import annotations

import getpass
import hashlib
import json
import socket
import sys
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from pipeline.conversation import Conversation, Message
from pipeline.corrections import check_correction
from pipeline.errors import StoreError, StoreUnavailable
from pipeline.results import json_columns, result_fields
from pipeline.settings import get_settings
from pipeline.store import bulk, upkeep
from pipeline.store.migrate import check_schema
from pipeline.store.rows import (
    CONVERSATION_COLUMNS,
    MESSAGE_COLUMNS,
    MESSAGE_FIELDS,
    MESSAGE_ORDER,
    RESULT_COLUMNS,
    app_version,
    chunks,
    conversation_values,
    message_values,
    messages_from_rows,
    missing_key_error,
    nul_free,
    now,
    result_row,
    result_values,
    rows_to_messages,
    short_error,
    unique_by_id,
)
from pipeline.store.schema import (
    NONE_VERSION,
    as_datetime,
    conversations,
    corrections,
    make_engine,
    messages,
    quarantine,
    results,
    rubric_snapshots,
    runs,
    safe_url,
    scoring_errors,
)
from pipeline.store.urls import absent, check_url


@dataclass
class QuarantineEntry:
    source_file: str
    line: int
    field: str | None
    reason: str
    raw: str | None
    run_id: str | None


def _transient(err: BaseException, url: str) -> bool:
    """A server that did not answer, or a SQLite file locked by another writer: worth a retry.

    A bad URL, a missing driver or an unwritable SQLite path stays wrong however often it is tried.
    """
    if not isinstance(err, OperationalError):
        return False
    if not str(url).startswith("sqlite"):
        return True
    return "locked" in str(err).lower() or "busy" in str(err).lower()


def _scored(convs: Sequence[Conversation]) -> list[Conversation]:
    convs = unique_by_id(convs)
    for c in convs:
        if c.rubric_version is None:
            raise ValueError(f"conversation {c.conversation_id} has no rubric_version: score it before saving")
    return convs


class Store:
    """Open the store at a SQLAlchemy URL; create=False refuses one that does not exist (only runs create one).

    >>> store = Store("sqlite:///out/qa.db")  # doctest: +SKIP
    """

    def __init__(self, url: str | None = None, *, echo: bool = False, create: bool = True) -> None:
        self.url = url or get_settings().store_url
        self._statements: dict = {}  # bulk.py's compiled statements for this engine
        check_url(self.url, create)  # a plain path, postgres://, a missing SQLite file: the URL meant
        try:
            self.engine = make_engine(self.url, echo)
            if not create and not sa.inspect(self.engine).has_table(runs.name):
                raise absent(self.url, "it has no zhijian tables")
            check_schema(self.engine, self.url)  # new: created at the newest revision; older: refused
        except (SQLAlchemyError, ArgumentError, OSError, ValueError, ImportError) as err:
            error = StoreUnavailable if _transient(err, self.url) else StoreError
            raise error(
                f"cannot open store {safe_url(self.url)}: {short_error(err)} — check --store or ZHIJIAN_STORE_URL"
            ) from err
        except StoreError:
            self.engine.dispose()
            raise

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
            "started_at": now(),
            "user": user,
            "host": socket.gethostname(),
            "command": command if command is not None else " ".join(sys.argv),
            "input_files": [str(p) for p in input_files],
            "rubric_version": rubric_version,
            "model_version": model_version,
            "app_version": app_version(),
            "status": "running",
        }
        upkeep.fail_dead_runs(self.engine)  # a run killed earlier on this host is not 'running' any more
        with self.engine.begin() as conn:
            conn.execute(runs.insert(), [row])
        upkeep.record_process(self.engine, run_id)
        return run_id

    def finish_run(self, run_id: str, *, status: str = "ok", error: str | None = None, **counts: Any) -> None:
        """Close a run: status ('ok', 'partial', 'failed'), counts (read, stored, …, versions)."""
        allowed = {c.name for c in runs.columns} - {"run_id", "started_at", "user", "host", "command"}
        unknown = set(counts) - allowed
        if unknown:
            raise ValueError(f"finish_run: unknown run fields {sorted(unknown)}")
        values = {k: v for k, v in counts.items()}
        values.update(finished_at=now(), status=status, error=error)
        with self.engine.begin() as conn:
            conn.execute(runs.update().where(runs.c.run_id == run_id).values(**values))

    def list_runs(self, limit: int | None = 50) -> list[dict]:
        """Newest first; runs whose process was killed on this host are marked failed first."""
        upkeep.fail_dead_runs(self.engine)
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
        """store_messages, plus the ids of the conversations that got new messages (these need re-scoring).

        Every message must carry its message_key (pipeline.ingest sets it from the raw text);
        a batch with a message without one is refused with a StoreError, nothing stored.
        """
        without_key = [m for m in msgs if not m.message_key]
        if without_key:
            raise missing_key_error(without_key[0], len(without_key))
        rows: dict[str, tuple] = {}
        for m in msgs:
            if m.message_key not in rows:
                rows[m.message_key] = message_values(m, run_id)
        with self.engine.begin() as conn:
            # SQLite, the batch's first message new (a new night; a re-run's is there): insert, look up only if needed
            if conn.dialect.name == "sqlite" and rows and not bulk.present(conn, messages.c.message_key, [next(iter(rows))]):
                new_rows = self._insert_new_messages(conn, rows)
            else:
                existing = bulk.present(conn, messages.c.message_key, list(rows))
                new_rows = [r for k, r in rows.items() if k not in existing]
                # ON CONFLICT DO NOTHING as well: a concurrent run may have stored the same message meanwhile.
                bulk.upsert(conn, messages, MESSAGE_COLUMNS, new_rows, ["message_key"], None, self._statements)
        return len(new_rows), len(msgs) - len(new_rows), {r[1] for r in new_rows}  # r[1]: conversation_id

    def _insert_new_messages(self, conn: Connection, rows: dict[str, tuple]) -> list[tuple]:
        """SQLite: insert `rows` (by message_key), ON CONFLICT DO NOTHING; those that went in, in `rows` order. All when
        the driver counts every row inserted (a new night), with no lookup first (looking up the 10,000-conversation
        bench's 100,285 keys cost ~0.16 CPU s); else those with a rowid above the largest before (a new row gets it; the
        run's lock keeps other writers out)."""
        before = conn.exec_driver_sql("SELECT max(rowid) FROM messages").scalar() or 0
        inserted = bulk.upsert(conn, messages, MESSAGE_COLUMNS, list(rows.values()), ["message_key"], None, self._statements)
        if inserted == len(rows):
            return list(rows.values())
        added = {k for (k,) in conn.exec_driver_sql("SELECT message_key FROM messages WHERE rowid > ?", (before,))}
        return [r for k, r in rows.items() if k in added]

    def new_message_keys(self, keys: Iterable[str]) -> set[str]:
        """Those of `keys` not yet in the store."""
        keys = list(dict.fromkeys(keys))
        with self.engine.connect() as conn:
            found = bulk.present(conn, messages.c.message_key, keys)
        return set(keys) - found

    def load_conversation_messages(self, conversation_ids: Iterable[str]) -> list[Message]:
        """Every stored message of these conversations (all files, all runs), in time then file order."""
        ids = list(dict.fromkeys(conversation_ids))
        with self.engine.connect() as conn:
            rows = bulk.select_in(conn, messages, MESSAGE_FIELDS, "conversation_id", ids, MESSAGE_ORDER)
        return messages_from_rows(rows)

    def load_message_heads(self, conversation_ids: Iterable[str]) -> list[Message]:
        """load_conversation_messages without the texts (text is ""): timing and roles, not words.

        Same order as load_conversation_messages, so `assemble` numbers them as the scored
        conversation was numbered. A month can hold millions of messages: the texts stay in the store.
        """
        return self._load_messages(conversation_ids, [c for c in messages.columns if c.name != "text"])

    def _load_messages(self, conversation_ids: Iterable[str], columns: list[sa.Column]) -> list[Message]:
        ids = list(dict.fromkeys(conversation_ids))
        names = [c.name for c in columns]
        out: list[Message] = []
        with self.engine.connect() as conn:
            for chunk in chunks(ids):
                stmt = (
                    sa.select(*columns)
                    .where(messages.c.conversation_id.in_(chunk))
                    .order_by(*[messages.c[name] for name in MESSAGE_ORDER])
                )
                out.extend(rows_to_messages(conn.execute(stmt).all(), names))  # Row is a tuple; all(): one fetch
        return out

    def message_counts(self, conversation_ids: Iterable[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(conversation_ids))
        counts: dict[str, int] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(ids):
                stmt = (
                    sa.select(messages.c.conversation_id, sa.func.count())
                    .where(messages.c.conversation_id.in_(chunk))
                    .group_by(messages.c.conversation_id)
                )
                counts.update({cid: n for cid, n in conn.execute(stmt)})
        return counts

    # ------------------------------------------------------------------ conversations and results
    def upsert_conversations(self, convs: Sequence[Conversation], run_id: str | None) -> None:
        with self.engine.begin() as conn:
            self._write_conversations(conn, unique_by_id(convs), {}, run_id)

    def save_results(self, convs: Sequence[Conversation], run_id: str | None) -> int:
        """Save scored conversations; a re-score under the same rubric+model versions replaces the row."""
        convs = _scored(convs)
        with self.engine.begin() as conn:
            return self._write_results(conn, convs, {}, run_id)

    def save_scored(
        self, convs: Sequence[Conversation], run_id: str | None, fields: dict[str, dict] | None = None,
        encoded: dict[str, dict] | None = None,
    ) -> int:
        """upsert_conversations and save_results in one transaction: the run's save of a scored batch.

        `fields`: the conversations' result_fields by conversation_id, when the caller has them
        (the run builds the results file's objects from the same fields: computed once); `encoded`: their
        JSON columns already encoded (pipeline.results.result_json: the results file's lines are made of
        the same text), by conversation_id.
        """
        convs = _scored(convs)
        fields = fields if fields is not None else {c.conversation_id: result_fields(c) for c in convs}
        with self.engine.begin() as conn:
            self._write_conversations(conn, convs, fields, run_id)
            return self._write_results(conn, convs, fields, run_id, encoded)

    def _write_conversations(self, conn: Connection, convs: list[Conversation], fields: dict, run_id: str | None) -> None:
        rows = [conversation_values(c, fields.get(c.conversation_id), run_id) for c in convs]
        bulk.upsert(conn, conversations, CONVERSATION_COLUMNS, rows, ["conversation_id"], CONVERSATION_COLUMNS[1:],
                    self._statements)  # fmt: skip

    def _write_results(
        self, conn: Connection, convs: list[Conversation], fields: dict, run_id: str | None, encoded: dict | None = None
    ) -> int:
        scored_at = now()
        encoded = encoded or {}
        rows = []
        for c in convs:
            f = fields.get(c.conversation_id) or result_fields(c)
            rows.append(result_values(c, f, run_id, scored_at, encoded.get(c.conversation_id) or json_columns(f)))
        keys = ["conversation_id", "rubric_version", "model_version"]
        bulk.upsert(conn, results, RESULT_COLUMNS, rows, keys, [c for c in RESULT_COLUMNS if c not in keys], self._statements)
        return len(rows)

    def load_results(
        self, conversation_ids: Iterable[str], rubric_version: str, model_version: str | None
    ) -> dict[str, dict]:
        """Stored result rows for these conversations under exactly these versions, by conversation_id."""
        ids = list(dict.fromkeys(conversation_ids))
        out: dict[str, dict] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(ids):
                stmt = sa.select(results).where(
                    results.c.conversation_id.in_(chunk),
                    results.c.rubric_version == rubric_version,
                    results.c.model_version == (model_version or NONE_VERSION),
                )
                for r in conn.execute(stmt):
                    out[r.conversation_id] = result_row(r._mapping)
        return out

    # ------------------------------------------------------------------ quarantine and errors
    def store_quarantine(self, rows: Sequence[Any], run_id: str | None) -> int:
        """Store quarantined rows (objects with source_file, line, field, reason, raw); returns how many are new.

        UNIQUE(source_file, line, raw_hash): re-reading the same file does not duplicate them;
        last_run_id records the latest run that met the row again.
        """
        created_at = now()
        dedup: dict[tuple, dict] = {}
        for q in rows:
            raw = q.raw if isinstance(q.raw, str) or q.raw is None else json.dumps(q.raw, ensure_ascii=False)
            raw = nul_free(raw)
            raw_hash = hashlib.sha256((raw or "").encode("utf-8")).hexdigest()
            source_file = str(q.source_file)
            line = int(q.line) if q.line is not None else 0
            dedup[(source_file, line, raw_hash)] = {
                "run_id": run_id,
                "last_run_id": run_id,
                "source_file": source_file,
                "line": line,
                "field": nul_free(q.field),
                "reason": nul_free(q.reason),
                "raw": raw,
                "raw_hash": raw_hash,
                "created_at": created_at,
            }
        if not dedup:
            return 0
        with self.engine.begin() as conn:
            existing: set[tuple] = set()
            by_file: dict[str, list[tuple]] = {}
            for k in dedup:
                by_file.setdefault(k[0], []).append(k)
            for source_file, ks in by_file.items():
                for chunk in chunks(ks):
                    stmt = sa.select(quarantine.c.source_file, quarantine.c.line, quarantine.c.raw_hash).where(
                        quarantine.c.source_file == source_file,
                        quarantine.c.raw_hash.in_([k[2] for k in chunk]),
                    )
                    existing.update(tuple(r) for r in conn.execute(stmt))
            new = [r for k, r in dedup.items() if k not in existing]
            columns = list(new[0]) if new else []
            bulk.upsert(conn, quarantine, columns, [tuple(r[c] for c in columns) for r in new],
                        ["source_file", "line", "raw_hash"], None)  # fmt: skip
            seen_again = [k for k in dedup if k in existing]
            if seen_again and run_id:
                for chunk in chunks(seen_again):
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

    def store_notes(self, notes: Sequence[Any], run_id: str | None) -> int:  # pipeline/store/upkeep.py
        return upkeep.store_notes(self.engine, notes, run_id)

    def list_notes(self, run_id: str | None = None, limit: int | None = None) -> list[dict]:
        return upkeep.list_notes(self.engine, run_id, limit)

    def record_scoring_errors(self, errors: Sequence[tuple[str, str, str]], run_id: str | None) -> None:
        """(conversation_id, stage, error) for conversations whose processing raised."""
        rows = [
            {"run_id": run_id, "conversation_id": cid, "stage": stage, "error": err, "created_at": now()}
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
        """Record a reviewer's correction; returns its id. The automatic result is never changed.

        criterion=None corrects the whole conversation (score and/or flags). Without
        rubric_version, the version of the conversation's latest result is used. ValueError
        (what is wrong — what to do) for an invalid correction (pipeline.corrections.check_correction),
        an unknown conversation or an unknown criterion. How corrections apply: pipeline/corrections.py.
        """
        check_correction(reviewer=reviewer, criterion=criterion, status=status, points=points, score=score, flags=flags)
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
                    f"no result for conversation {conversation_id!r}{what} in the store: score it first, "
                    f"or check the conversation id and the store"
                )
            if criterion is not None and criterion not in (latest.criteria or {}):
                known = ", ".join(sorted(latest.criteria or {}))
                raise ValueError(f"unknown criterion {criterion!r} for rubric {latest.rubric_version}; known: {known}")
            if criterion is not None and points is not None:  # bounded by the criterion's own max_points
                top = (latest.criteria[criterion] or {}).get("max_points")
                check_correction(reviewer=reviewer, criterion=criterion, status=status, points=points, score=score,
                                 flags=flags, max_points=top)  # fmt: skip
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
                    created_at=now(),
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
            rubric_version=rubric_version, source_text=source_text, source=source, created_at=now()
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

    def latest_results(
        self,
        start: date | datetime | str | None,
        end: date | datetime | str | None,
        rubric_version: str,
        where: Sequence[Any] = (),
    ) -> list[dict]:
        """The latest result row (any model version) under rubric_version of each conversation started in [start, end).

        Each row also carries its conversation's customer_id, shop and channel; ordered by
        conversation_id. Dates and naive datetimes are in the settings time zone. `where`: more conditions.
        """
        start_dt, end_dt = as_datetime(start), as_datetime(end)
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
        stmt = stmt.where(*where)  # e.g. the reviewer queue's agent, reviewed and calibration-sample filters
        latest: dict[str, dict] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(stmt):
                if r.conversation_id not in latest:  # ordered newest first per conversation
                    latest[r.conversation_id] = result_row(r._mapping)
        return list(latest.values())

    def corrections_for(self, conversation_ids: Iterable[str], rubric_version: str) -> dict[str, list[dict]]:
        """The corrections of these conversations under rubric_version, oldest first, by conversation_id."""
        ids = list(dict.fromkeys(conversation_ids))
        out: dict[str, list[dict]] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(ids):
                stmt = (
                    sa.select(corrections)
                    .where(corrections.c.conversation_id.in_(chunk), corrections.c.rubric_version == rubric_version)
                    .order_by(corrections.c.created_at, corrections.c.id)
                )
                for c in conn.execute(stmt):
                    out.setdefault(c.conversation_id, []).append(dict(c._mapping))
        return out
