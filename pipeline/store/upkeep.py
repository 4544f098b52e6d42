"""Run liveness and ingest notes: the store's bookkeeping that is not the nightly data itself.

- A run records its process (host, pid, the pid's start time) in `run_processes`. When a store
  is opened for a new run, or `zhijian runs` lists, a run still 'running' whose process is gone
  from this host (or whose pid now belongs to a newer process) is marked 'failed' with
  "killed (process N gone)": a kill -9 or a power cut leaves no run 'running' forever. Runs of
  other hosts are left alone (their processes cannot be seen from here).
- Ingest notes (a value dropped or cut from a row that was kept) are stored per run in
  `ingest_notes` and listed with the quarantine.
"""
from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pipeline.store.rows import chunks, nul_free, now
from pipeline.store.schema import ingest_notes, run_processes, runs

__all__ = ["record_process", "fail_dead_runs", "store_notes", "list_notes", "process_started", "pid_alive"]


def process_started(pid: int) -> float | None:
    """When the process started (clock ticks since boot, /proc/PID/stat field 22); None where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return float(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def pid_alive(pid: int, started: float | None = None) -> bool:
    """Is process `pid` alive on this host, and (when known) the same process that started the run?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    except OSError:
        return True  # cannot tell: never fail a run that may be alive
    if started is not None:
        now_started = process_started(pid)
        if now_started is not None and now_started != started:
            return False  # the pid was reused by a newer process
    return True


def record_process(engine: Engine, run_id: str) -> None:
    pid = os.getpid()
    row = {"run_id": run_id, "host": socket.gethostname(), "pid": pid, "process_started": process_started(pid)}
    with engine.begin() as conn:
        conn.execute(run_processes.insert(), [row])


def fail_dead_runs(engine: Engine) -> list[str]:
    """Mark 'failed' the running runs of this host whose process is gone; returns their run ids."""
    host = socket.gethostname()
    stmt = (
        sa.select(runs.c.run_id, run_processes.c.pid, run_processes.c.process_started)
        .join(run_processes, run_processes.c.run_id == runs.c.run_id)
        .where(runs.c.status == "running", run_processes.c.host == host)
    )
    with engine.connect() as conn:
        candidates = list(conn.execute(stmt))
    dead = [(r.run_id, r.pid) for r in candidates if not pid_alive(r.pid, r.process_started)]
    if dead:
        with engine.begin() as conn:
            for run_id, pid in dead:
                conn.execute(
                    runs.update()
                    .where(runs.c.run_id == run_id, runs.c.status == "running")
                    .values(status="failed", finished_at=now(), error=f"killed (process {pid} gone)")
                )
    return [run_id for run_id, _ in dead]


def store_notes(engine: Engine, notes: Sequence[Any], run_id: str | None) -> int:
    """Store ingest notes (pipeline.ingest.IngestNote: source_file, line, field, reason); returns how many."""
    created_at = now()
    rows = {}
    for n in notes:
        line = int(n.line) if n.line is not None else 0
        key = (str(n.source_file), line, str(n.field or ""))
        rows[key] = {"run_id": run_id, "source_file": key[0], "line": line, "field": key[2],
                     "reason": nul_free(n.reason), "created_at": created_at}  # fmt: skip
    if not rows:
        return 0
    with engine.begin() as conn:
        have = set()
        if run_id is not None:
            have = {tuple(r) for r in conn.execute(
                sa.select(ingest_notes.c.source_file, ingest_notes.c.line, ingest_notes.c.field)
                .where(ingest_notes.c.run_id == run_id))}  # fmt: skip
        new = [r for k, r in rows.items() if k not in have]
        for chunk in chunks(new):
            conn.execute(ingest_notes.insert(), list(chunk))
    return len(new)


def list_notes(engine: Engine, run_id: str | None = None, limit: int | None = None) -> list[dict]:
    """Ingest notes, all or one run's, in file and line order."""
    stmt = sa.select(ingest_notes).order_by(ingest_notes.c.source_file, ingest_notes.c.line, ingest_notes.c.field)
    if run_id:
        stmt = stmt.where(ingest_notes.c.run_id == run_id)
    if limit:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]
