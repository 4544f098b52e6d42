"""Output files: checked against the inputs and the store before a run reads anything, written atomically.

`check_output_path` refuses, with one line "what happened — what to do":
- an output that is one of the input files (same resolved path, or the same file through a link),
  so `--results chats.jsonl` can no longer replace the chat export with results;
- an output that is the SQLite store file or one of its companions (`-wal`, `-shm`, `-journal`),
  so `--results qa.db` can no longer replace the database with JSONL;
- a folder, a path below a file, a read-only file, a folder that cannot be written.
A missing parent folder is fine: `atomic_write` creates it.

`atomic_write` writes to a temporary file in the output's own folder and renames it over the
output (os.replace: atomic on one file system), so a crash or a full disk mid-write leaves the
previous file whole, never half a file.
"""
from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from pipeline.errors import RunError

__all__ = ["sqlite_files", "check_output_path", "atomic_write"]

SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def sqlite_files(store_url: str | None) -> list[Path]:
    """The files a SQLite store URL reads and writes (the database and its WAL/SHM/journal); [] for a server."""
    if not store_url or not str(store_url).startswith("sqlite"):
        return []
    from sqlalchemy.engine import make_url

    try:
        database = make_url(store_url).database
    except Exception:  # the store check reports a bad URL, with its own message
        return []
    if not database or database == ":memory:" or database.startswith("file:"):
        return []
    return [Path(database + suffix) for suffix in SQLITE_COMPANIONS]


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _existing_ancestor(path: Path) -> Path:
    for parent in path.parents:
        if parent.exists():
            return parent
    return Path(path.anchor or ".")


def _writable_folder(folder: Path) -> bool:
    """Can a file be created in `folder`? Tried, not guessed: os.access says yes to root on a read-only mount."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".zhijian-probe-")
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True


def check_output_path(
    output: str | Path, inputs: Sequence[str | Path] = (), store_url: str | None = None, *, option: str = "--results"
) -> Path:
    """The output path, or RunError naming why it cannot be written. Reads and writes nothing of the inputs or store."""
    path = Path(output).expanduser()
    for given in inputs:
        if _same_file(path, Path(given)):
            raise RunError(
                f"{option} {output} is one of the input files — writing results there would replace the chat export; "
                f"give another file name (e.g. results.jsonl)"
            )
    for db in sqlite_files(store_url):
        if _same_file(path, db):
            raise RunError(
                f"{option} {output} is one of the store's files ({db.name}) — writing results there would destroy "
                f"the store; give another file name (e.g. results.jsonl)"
            )
    if path.is_dir():
        raise RunError(f"{option} {output} is a folder — give a file name inside it (e.g. {path / 'results.jsonl'})")
    if path.exists():
        if not path.is_file():
            raise RunError(f"{option} {output} is not a regular file — give a file name (e.g. results.jsonl)")
        if not path.stat().st_mode & stat.S_IWUSR:
            raise RunError(f"{option} {output} is read-only — make it writable (chmod u+w) or give another file name")
    folder = _existing_ancestor(path)
    if not folder.is_dir():
        raise RunError(f"{option} {output}: {folder} is a file, not a folder — give a path in a folder")
    if not _writable_folder(folder):
        raise RunError(f"{option} {output}: cannot write in {folder} (read-only or no permission) — give a writable location")
    return path


@contextmanager
def atomic_write(path: str | Path, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Open a temporary file next to `path` for writing; on success it replaces `path`, on error it is removed."""
    target = Path(path)
    if target.is_symlink():  # write the file the link points to; the link stays a link
        target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new one gets what open() would give it (0o666 less the umask)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
