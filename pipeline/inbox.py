"""The inbox of the scheduled nightly run: which of the exports waiting there are new.

`ZHIJIAN_INBOX` is a folder (every chat-log file in it, as `zhijian score DIR/*` would read) or a
glob (`/data/exports/*/chats-*.jsonl`). Each night the run takes the files not yet scored:

    files = new_files(inbox, store)         # not in the ledger as 'done' (by path and content)
    take(store, files, run_id)              # ledger: 'running' under this run
    ... pipeline.scoring.run(paths, run_id=run_id, results_path=results_path_for(results_dir, day))
    settle(store, files, run_id, status)    # 'done' when the run finished ok, else retried next night

The invariants:
- A file is scored once: a 'done' (path, sha256) is never read again. A file whose size or
  modification time is unchanged since it was done is not even hashed again (an inbox keeps
  months of exports; hashing them all every night would cost more than scoring the new one).
- A file rewritten under the same name (new content) is new, and is scored again.
- A file whose run failed, was killed or finished 'partial' is retried the next night. Re-reading
  it is harmless: messages are stored once by message_key and unchanged conversations are read
  back, not re-scored (pipeline/scoring.py).
- A file still being written (modified in the last `settle_seconds`) waits for the next run, so
  a half-copied export is not scored as if it were the whole day.
"""
from __future__ import annotations

import glob
import hashlib
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline.errors import RunError
from pipeline.ingest.readers import is_supported
from pipeline.store import Store
from pipeline.store import inbox as ledger

__all__ = ["InboxFile", "inbox_paths", "new_files", "take", "settle", "results_path_for", "SETTLE_SECONDS"]

SETTLE_SECONDS = 60.0  # a file modified more recently than this may still be being copied in


@dataclass(frozen=True)
class InboxFile:
    path: Path  # absolute
    size: int
    mtime: float
    sha256: str


def inbox_paths(inbox: str | Path) -> list[Path]:
    """The chat-log files of a folder or glob, sorted by name (exports are named by date); RunError when there is no such inbox."""
    text = str(inbox)
    folder = Path(text).expanduser()
    if folder.is_dir():
        found = [p for p in folder.iterdir() if p.is_file() and is_supported(p)]
    elif glob.has_magic(text):
        found = [Path(p) for p in glob.glob(str(Path(text).expanduser()), recursive=True)]
        found = [p for p in found if p.is_file()]
    elif folder.is_file():
        found = [folder]
    else:
        raise RunError(f"inbox {text} does not exist — create the folder, or set ZHIJIAN_INBOX / --inbox to the "
                       f"folder or glob (e.g. '/data/exports/*.jsonl') where the day's chat exports arrive")  # fmt: skip
    return sorted((p.resolve() for p in found), key=str)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def new_files(inbox: str | Path, store: Store, settle_seconds: float = SETTLE_SECONDS) -> list[InboxFile]:
    """The inbox's files that are not yet scored (see the module docstring), in name order."""
    paths = inbox_paths(inbox)
    done: dict[str, list[dict]] = {}
    for row in ledger.done_files(store.engine, (str(p) for p in paths)):
        done.setdefault(row["path"], []).append(row)
    fresh = time.time() - settle_seconds
    out = []
    for path in paths:
        stat = path.stat()
        if stat.st_mtime > fresh:
            continue  # still arriving: the next run takes it
        rows = done.get(str(path), [])
        if any(r["size"] == stat.st_size and r["mtime"] == stat.st_mtime for r in rows):
            continue  # untouched since it was scored
        digest = _sha256(path)
        if any(r["sha256"] == digest for r in rows):
            continue  # touched (copied again, `touch`ed) but the same content
        out.append(InboxFile(path, stat.st_size, stat.st_mtime, digest))
    return out


def take(store: Store, files: list[InboxFile], run_id: str) -> None:
    """Record that run `run_id` is scoring these files."""
    ledger.record_files(store.engine, files, run_id, "running")


def settle(store: Store, files: list[InboxFile], run_id: str, run_status: str) -> None:
    """Record how the run ended for its files: 'ok' makes them done; 'partial' and 'failed' are retried next night."""
    status = {"ok": "done", "partial": "partial"}.get(run_status, "failed")
    ledger.record_files(store.engine, files, run_id, status)


def results_path_for(results_dir: str | Path, day: date) -> Path:
    """`results_dir/nightly-YYYY-MM-DD.jsonl`; a second run that day (a re-run, a late file) gets `-2`, `-3`, …"""
    folder = Path(results_dir).expanduser()
    path = folder / f"nightly-{day.isoformat()}.jsonl"
    n = 2
    while path.exists():
        path = folder / f"nightly-{day.isoformat()}-{n}.jsonl"
        n += 1
    return path
