"""The inbox ledger: which export files the scheduled nightly run has scored (table `inbox_files`).

One row per (path, sha256): a file is known by its content, so a file rewritten under the same
name is a new row and is scored again. `status` is the fate of the run that last took the file:
'running' (taken; a run killed there leaves it so), 'done' (the run finished ok), 'partial'
(some conversations failed to score), 'failed'. Only 'done' means "never read it again"; every
other status is retried by the next run, which is safe because storing messages is idempotent
by message_key and unchanged conversations are read back, not re-scored.

Rows and statements only; which files of a folder are chat exports, and hashing them, is
pipeline/inbox.py. The table arrives in an existing store through migration 0006.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pipeline.store.rows import chunks, now
from pipeline.store.schema import UTCDateTime, metadata

__all__ = ["inbox_files", "STATUSES", "done_files", "record_files", "list_files"]

STATUSES = ("running", "done", "partial", "failed")

inbox_files = sa.Table(
    "inbox_files",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("path", sa.Text, nullable=False),  # absolute
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("mtime", sa.Float, nullable=False),  # seconds since the epoch: an unchanged file is not hashed again
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("run_id", sa.String(36)),  # the run that last took it
    sa.Column("status", sa.Text, nullable=False),  # one of STATUSES
    sa.Column("finished_at", UTCDateTime),
    sa.UniqueConstraint("path", "sha256", name="uq_inbox_file"),
)


def done_files(engine: Engine, paths: Iterable[str]) -> list[dict]:
    """The 'done' rows of these paths (path, size, mtime, sha256)."""
    paths = list(dict.fromkeys(paths))
    out: list[dict] = []
    cols = [inbox_files.c.path, inbox_files.c.size, inbox_files.c.mtime, inbox_files.c.sha256]
    with engine.connect() as conn:
        for chunk in chunks(paths):
            stmt = sa.select(*cols).where(inbox_files.c.path.in_(chunk), inbox_files.c.status == "done")
            out.extend(dict(r._mapping) for r in conn.execute(stmt))
    return out


def record_files(engine: Engine, files: Sequence[Any], run_id: str | None, status: str) -> None:
    """Set the status (and run) of these files (objects with path, size, mtime, sha256); new ones are added.

    `first_seen` is kept from the first row of a (path, sha256); `finished_at` is set unless 'running'.
    """
    if status not in STATUSES:
        raise ValueError(f"inbox status {status!r}: must be one of {STATUSES}")
    at = now()
    finished = None if status == "running" else at
    with engine.begin() as conn:
        for f in files:
            values = {"size": int(f.size), "mtime": float(f.mtime), "run_id": run_id, "status": status,
                      "finished_at": finished}  # fmt: skip
            where = sa.and_(inbox_files.c.path == str(f.path), inbox_files.c.sha256 == f.sha256)
            if conn.execute(inbox_files.update().where(where).values(**values)).rowcount == 0:
                conn.execute(inbox_files.insert(), [{"path": str(f.path), "sha256": f.sha256, "first_seen": at, **values}])


def list_files(engine: Engine, status: str | None = None) -> list[dict]:
    """Every ledger row (or those with `status`), oldest first."""
    stmt = sa.select(inbox_files).order_by(inbox_files.c.first_seen, inbox_files.c.path)
    if status:
        stmt = stmt.where(inbox_files.c.status == status)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]
