"""Store URLs as people type them: the one place that knows which URL a mistyped one meant.

A plain path (`out/qa.db`), `postgres://` or `sqlite://out/qa.db` (two slashes: "out" read as a host)
are refused with the URL meant, and a store that must already exist is checked before anything
is created on disk (SQLAlchemy would otherwise create an empty SQLite file and its folder).
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from pipeline.errors import StoreError
from pipeline.store.schema import safe_url


def url_hint(url: str) -> str | None:
    """The URL the user probably meant; None when `url` looks right."""
    if url.startswith(("postgres://", "postgres+")):
        return "postgresql" + url[len("postgres"):]
    if url.startswith("sqlite://") and not url.startswith("sqlite:///") and url != "sqlite://":
        return "sqlite:///" + url[len("sqlite://"):]
    if "://" not in url:
        return "sqlite:///" + (url[len("sqlite:"):].lstrip("/") if url.startswith("sqlite:") else url)
    return None


def absent(url: str, why: str) -> StoreError:
    return StoreError(f"no store at {safe_url(url)}: {why} — check --store or ZHIJIAN_STORE_URL; "
                      f"only `zhijian score` creates a store")


def check_url(url: str, create: bool) -> None:
    """StoreError for a URL that is not what the user meant, or (create=False) a SQLite file that is not there."""
    hint = url_hint(url)
    if hint:
        raise StoreError(f"cannot open store {safe_url(url)}: not a store URL — did you mean {hint}? "
                         f"(check --store or ZHIJIAN_STORE_URL)")
    if create or not url.startswith("sqlite"):
        return  # PostgreSQL: Store checks for the tables once connected
    database = sa.make_url(url).database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file:")
    if not in_memory and not Path(database).expanduser().is_file():
        raise absent(url, "the file does not exist")
