"""Schema versions of the store (Alembic): check on open, upgrade on request.

Every schema change is a migration under pipeline/store/migrations/versions/; HEAD names the
newest, and a test checks it matches the scripts and that upgrading from nothing gives exactly
schema.metadata. `Store(url)`:

- an empty database is created at HEAD (create_all, then stamped: nothing to migrate);
- a store at HEAD opens;
- any other store is refused with "run zhijian db upgrade". Upgrading alters a shop's data,
  so it is a deliberate act (back up first), done by one process: the nightly flow, the cards
  and the review app open the same store concurrently and must not race to migrate it, and a
  reader (cards, `zhijian runs`) never writes schema. A store newer than this zhijian is refused too.

`upgrade(engine)` (`zhijian db upgrade`) recognises a store made before migrations (tables,
no alembic_version): it checks it has every baseline column, stamps it at the baseline and
upgrades from there, data untouched.
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from pipeline.errors import StoreError
from pipeline.store import appeals as _appeals  # noqa: F401  (registers the appeals and turn-label tables)
from pipeline.store import inbox as _inbox, lock as _lock  # noqa: F401  (register inbox_files, run_lock in metadata)
from pipeline.store import review as _review  # noqa: F401  (registers the review tables in metadata)
from pipeline.store import calibration as _calibration  # noqa: F401  (registers the calibration tables)
from pipeline.store.schema import metadata, missing_columns, safe_url

BASELINE = "0001_baseline"
HEAD = "0006_inbox_files"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
# The tables of the baseline revision: a store made before migrations has (some of) these.
BASELINE_TABLES = ("runs", "messages", "conversations", "results", "quarantine", "scoring_errors",
                   "corrections", "rubric_snapshots")  # fmt: skip


def current_revision(conn: Connection) -> str | None:
    """The store's revision; None when it has no alembic_version table (new, or made before migrations)."""
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def _stamp(conn: Connection, revision: str) -> None:
    conn.execute(sa.text(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
    conn.execute(sa.text(f"DELETE FROM {VERSION_TABLE}"))
    conn.execute(sa.text(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES (:v)"), {"v": revision})


def _older_store_error(url: str, missing: list[str]) -> StoreError:
    return StoreError(
        f"cannot open store {safe_url(url)}: it was created by an older zhijian and lacks "
        f"{', '.join(missing)} — add the column(s) or point --store / ZHIJIAN_STORE_URL at a new store"
    )


def check_schema(engine: Engine, url: str) -> None:
    """Create an empty store at HEAD, accept one at HEAD, refuse any other (see the module docstring)."""
    with engine.begin() as conn:
        revision = current_revision(conn)
        if revision == HEAD:
            return
        tables = set(sa.inspect(conn).get_table_names())
        if revision is None and not tables:
            metadata.create_all(conn)
            _stamp(conn, HEAD)
            return
    if revision is None:
        missing = missing_columns(engine)
        if missing:
            raise _older_store_error(url, missing)
        what = "was made before schema migrations"
    elif revision in _known_revisions():
        what = f"is at schema revision {revision}"
    else:
        raise StoreError(
            f"cannot open store {safe_url(url)}: its schema revision {revision} is newer than this zhijian "
            f"knows ({HEAD}) — upgrade zhijian, or point --store / ZHIJIAN_STORE_URL at another store"
        )
    raise StoreError(
        f"cannot open store {safe_url(url)}: it {what}, this zhijian needs {HEAD} — back it up, then run "
        f"`zhijian db upgrade --store {safe_url(url)}`"
    )


def _known_revisions() -> set[str]:
    return {p.stem for p in (MIGRATIONS / "versions").glob("[0-9]*.py")}


def _config(conn: Connection):  # noqa: ANN202 (alembic.config.Config, imported lazily)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def upgrade(engine: Engine, url: str, revision: str = "head") -> tuple[str | None, str]:
    """Bring the store to `revision` (default the newest); returns (revision before, revision after).

    A store made before migrations is stamped at the baseline first (its missing baseline tables
    are created, as the old release did on open; a missing column is refused: StoreError).
    """
    from alembic import command

    with engine.begin() as conn:
        before = current_revision(conn)
        tables = set(sa.inspect(conn).get_table_names())
    if before is None and tables & set(BASELINE_TABLES):
        missing = missing_columns(engine)
        if missing:
            raise _older_store_error(url, missing)
        with engine.begin() as conn:
            metadata.create_all(conn, tables=[t for t in metadata.sorted_tables if t.name in BASELINE_TABLES])
            _stamp(conn, BASELINE)
    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)
    with engine.connect() as conn:
        return before, current_revision(conn) or ""


__all__ = ["BASELINE", "HEAD", "check_schema", "current_revision", "upgrade"]
