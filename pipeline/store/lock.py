"""The run lock: one nightly run writes a store at a time (table `run_lock`, one row while held).

Two runs at once on one store would both store the same new messages and score the same
conversations; each write is idempotent, but each run decides what is new from what it read
before the other wrote, so both could count the same messages as stored, and on SQLite one
writer waits on the other's transactions (30 s at most, then "database is locked").
So `prepare_run` takes the lock before it records the run and `finish_run` / `fail_run` give it
back. A second run waits, at most `ZHIJIAN_RUN_LOCK_WAIT` seconds, then refuses with
`StoreLocked`, whose message names the run that holds the lock (run id, host, pid, since when).

A holder that died without giving the lock back (kill -9, a power cut) must not lock the store
for ever:
- PostgreSQL: the holder also keeps a session advisory lock on a connection of its own for
  the whole run; the server drops it when that connection dies, from whatever host. Whoever
  gets the advisory lock owns the store, and a lock row it finds is a dead holder's.
- SQLite (a file on this machine): the row's process is checked like `upkeep.fail_dead_runs`
  does — a pid gone from this host, or reused by a newer process, is a dead holder. A holder on
  another host cannot be checked and is waited for.
- Either backend: a holder whose run is already closed (ok, partial, failed) is stale.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from pipeline.errors import StoreError
from pipeline.store.rows import now
from pipeline.store.schema import UTCDateTime, metadata, runs, safe_url, tz
from pipeline.store.upkeep import pid_alive, process_started

__all__ = ["run_lock", "StoreLocked", "Holder", "acquire", "release", "holder"]

log = logging.getLogger("zhijian.lock")

LOCK_NAME = "nightly-run"

run_lock = sa.Table(
    "run_lock",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),  # LOCK_NAME: the row exists while a run holds the store
    sa.Column("run_id", sa.String(36), nullable=False),
    sa.Column("host", sa.Text, nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("process_started", sa.Float),  # the pid's start time: a reused pid is not the holder
    sa.Column("acquired_at", UTCDateTime, nullable=False),
)

# PostgreSQL: run_id -> the connection holding the advisory lock (kept open for the whole run).
_pg_sessions: dict[str, Connection] = {}
_pg_guard = threading.Lock()


class StoreLocked(StoreError):
    """Another run holds the store; the message names it and says what to do."""


@dataclass(frozen=True)
class Holder:
    run_id: str
    host: str
    pid: int
    process_started: float | None
    acquired_at: datetime

    def describe(self) -> str:
        since = self.acquired_at.astimezone(tz()).strftime("%Y-%m-%d %H:%M:%S %Z") if self.acquired_at else "?"
        return f"run {self.run_id} (pid {self.pid} on {self.host}, started {since})"


def holder(engine: Engine) -> Holder | None:
    """Who holds the lock now (as the row says), or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(run_lock).where(run_lock.c.name == LOCK_NAME)).first()
    if row is None:
        return None
    return Holder(row.run_id, row.host, row.pid, row.process_started, row.acquired_at)


def acquire(engine: Engine, run_id: str, wait: float, url: str = "", poll: float = 0.5) -> None:
    """Take the store's run lock for `run_id`, waiting at most `wait` seconds; StoreLocked when it stays taken."""
    deadline = time.monotonic() + max(wait, 0.0)
    told = False
    while True:
        held = _try_acquire(engine, run_id)
        if held is None:
            return
        if time.monotonic() >= deadline:
            raise StoreLocked(
                f"store {safe_url(url or str(engine.url))} is busy: {held.describe()} is writing it"
                + (f" (waited {wait:g} s)" if wait > 0 else "")
                + " — wait for it to finish (`zhijian runs` shows it), or, if that process is gone from "
                f"{held.host}, run any zhijian command there so it is marked failed; ZHIJIAN_RUN_LOCK_WAIT sets "
                "how long a run waits"
            )
        if not told:
            log.warning("waiting up to %g s for %s to finish", wait, held.describe())
            told = True
        time.sleep(min(poll, max(deadline - time.monotonic(), 0.01)))


def release(engine: Engine, run_id: str) -> None:
    """Give the lock back (only when `run_id` holds it); never raises: the run's own error matters more."""
    try:
        with engine.begin() as conn:
            conn.execute(run_lock.delete().where(run_lock.c.name == LOCK_NAME, run_lock.c.run_id == run_id))
    except Exception:  # noqa: BLE001 - a dead holder's row is cleared by the next run
        log.warning("could not clear the run lock of %s", run_id, exc_info=True)
    with _pg_guard:
        session = _pg_sessions.pop(run_id, None)
    if session is not None:
        try:
            # close() only returns the connection to the pool, where a session lock would live on
            session.execute(sa.text("SELECT pg_advisory_unlock_all()"))
            session.commit()
            session.close()
        except Exception:  # noqa: BLE001
            log.warning("could not close the lock session of %s", run_id, exc_info=True)


def _try_acquire(engine: Engine, run_id: str) -> Holder | None:
    """One attempt: None when `run_id` now holds the lock, else the live holder."""
    if engine.dialect.name == "postgresql":
        return _try_acquire_pg(engine, run_id)
    try:
        _insert(engine, run_id)
        return None
    except (IntegrityError, OperationalError):  # taken (or SQLite busy with the other's insert)
        pass
    current = holder(engine)
    if current is None:
        return _try_again(engine, run_id)
    if _stale(engine, current):
        with engine.begin() as conn:  # compare-and-delete: only the dead holder's row
            conn.execute(run_lock.delete().where(run_lock.c.name == LOCK_NAME, run_lock.c.run_id == current.run_id))
        log.warning("cleared the run lock of %s: its process is gone or its run is closed", current.describe())
        return _try_again(engine, run_id)
    return current


def _try_again(engine: Engine, run_id: str) -> Holder | None:
    try:
        _insert(engine, run_id)
        return None
    except (IntegrityError, OperationalError):
        return holder(engine) or Holder("?", "?", 0, None, now())  # raced by another run: wait for it


def _insert(engine: Engine, run_id: str, conn: Connection | None = None) -> None:
    pid = os.getpid()
    row = {"name": LOCK_NAME, "run_id": run_id, "host": socket.gethostname(), "pid": pid,
           "process_started": process_started(pid), "acquired_at": now()}  # fmt: skip
    if conn is not None:
        conn.execute(run_lock.insert(), [row])
        return
    with engine.begin() as c:
        c.execute(run_lock.insert(), [row])


def _stale(engine: Engine, current: Holder) -> bool:
    if current.host == socket.gethostname() and not pid_alive(current.pid, current.process_started):
        return True
    with engine.connect() as conn:
        status = conn.execute(sa.select(runs.c.status).where(runs.c.run_id == current.run_id)).scalar()
    # No run row yet: the holder is between taking the lock and recording its run.
    return status is not None and status != "running"


def _try_acquire_pg(engine: Engine, run_id: str) -> Holder | None:
    session = engine.connect()
    try:
        # Keyed by schema, so stores in different schemas of one database do not lock each other.
        got = session.execute(
            sa.text("SELECT pg_try_advisory_lock(hashtext(current_schema() || '.zhijian.run_lock'))")
        ).scalar()
        session.commit()
        if not got:
            session.close()
            return holder(engine) or Holder("?", "?", 0, None, now())
        with engine.begin() as conn:  # we own the store: any row left is a dead holder's
            conn.execute(run_lock.delete().where(run_lock.c.name == LOCK_NAME))
            _insert(engine, run_id, conn)
    except BaseException:
        session.close()
        raise
    with _pg_guard:
        _pg_sessions[run_id] = session
    return None
