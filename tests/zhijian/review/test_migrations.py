"""Schema migrations: the scripts give exactly the schema, and a store made before migrations upgrades, data intact."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from pipeline.errors import StoreError
from pipeline.store import Store
from pipeline.store import migrate
from pipeline.store.review import review_users
from pipeline.store.schema import corrections, make_engine, metadata, results, runs
from tests.pipeline._scoring_fakes import postgres_schema_url
from tests.pipeline.store.helpers import BACKENDS


def _diff(engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), metadata)


def test_head_names_the_newest_script():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    assert script.get_current_head() == migrate.HEAD
    assert [r.revision for r in script.walk_revisions()][-1] == migrate.BASELINE


def test_upgrade_from_nothing_gives_exactly_the_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = make_engine(url)
    assert migrate.upgrade(engine, url) == (None, migrate.HEAD)
    assert _diff(engine) == []
    engine.dispose()
    Store(url).close()  # opens: at HEAD


def test_new_store_is_created_at_head_and_matches_the_scripts(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    Store(url).close()
    engine = make_engine(url)
    with engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.HEAD
    assert _diff(engine) == []


def _pre_migration_store(url: str) -> None:
    """A store as the release before migrations made it: create_all of the baseline tables, with data."""
    engine = make_engine(url)
    baseline = [t for t in metadata.sorted_tables if t.name in migrate.BASELINE_TABLES]
    metadata.create_all(engine, tables=baseline)
    with engine.begin() as conn:  # that release had no append-only triggers (migration 0002 adds them)
        for trigger in ("corrections_no_update", "corrections_no_delete"):
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS corrections_append_only ON corrections")
    at = datetime(2026, 10, 1, 8, tzinfo=timezone.utc)
    with engine.begin() as conn:
        conn.execute(runs.insert(), [{"run_id": "r1", "started_at": at, "status": "ok", "read": 9}])
        conn.execute(results.insert(), [{
            "conversation_id": "h001", "rubric_version": "default@1", "model_version": "", "scored_at": at,
            "flagged": True, "score": 70.0, "criteria": {"greeting": {"status": "fail", "points": 0, "max_points": 10}},
        }])  # fmt: skip
        conn.execute(corrections.insert(), [{
            "conversation_id": "h001", "rubric_version": "default@1", "criterion": "greeting", "status": "pass",
            "reviewer": "王", "comment": "客气", "created_at": at,
        }])  # fmt: skip
    engine.dispose()


@contextmanager
def _url(backend: str, tmp_path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
    else:
        with postgres_schema_url() as url:  # skips without ZHIJIAN_TEST_POSTGRES_URL (the CI sets it)
            yield url


@pytest.mark.parametrize("backend", BACKENDS)
def test_store_made_before_migrations_is_refused_until_upgraded_then_data_intact(backend, tmp_path):
    with _url(backend, tmp_path) as url:
        _upgrade_keeps_data(url, compare=backend == "sqlite")


def _upgrade_keeps_data(url: str, compare: bool) -> None:
    _pre_migration_store(url)
    with pytest.raises(StoreError, match=r"made before schema migrations.*zhijian db upgrade --store"):
        Store(url)
    engine = make_engine(url)
    assert migrate.upgrade(engine, url) == (None, migrate.HEAD)
    if compare:
        assert _diff(engine) == []
    engine.dispose()
    with Store(url) as store:
        assert store.get_run("r1")["read"] == 9
        assert store.load_results(["h001"], "default@1", None)["h001"]["criteria"]["greeting"]["status"] == "fail"
        (c,) = store.list_corrections("h001")
        assert (c["reviewer"], c["status"], c["comment"]) == ("王", "pass", "客气")
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(review_users)).scalar() == 0


def test_upgrade_twice_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    _pre_migration_store(url)
    engine = make_engine(url)
    migrate.upgrade(engine, url)
    assert migrate.upgrade(engine, url) == (migrate.HEAD, migrate.HEAD)


def test_store_at_the_baseline_is_refused_with_the_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'base.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine, url, migrate.BASELINE)
    with pytest.raises(StoreError, match=rf"at schema revision 0001_baseline.*needs {migrate.HEAD}.*zhijian db upgrade"):
        Store(url)


def test_store_newer_than_this_zhijian_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    Store(url).close()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(StoreError, match="newer than this zhijian knows.*upgrade zhijian"):
        Store(url)


def _refuses_changes_to_corrections(url: str) -> None:
    Store(url).close()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(corrections.insert(), [{"conversation_id": "x", "rubric_version": "v", "reviewer": "王",
                                             "created_at": datetime(2026, 10, 1, tzinfo=timezone.utc)}])  # fmt: skip
    for statement in (corrections.update().values(status="pass"), corrections.delete()):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(statement)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(corrections.c.reviewer, corrections.c.status).where(corrections.c.conversation_id == "x"))
        assert rows.all() == [("王", None)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_corrections_are_append_only_in_a_new_store_and_an_upgraded_one(backend, tmp_path):
    with _url(backend, tmp_path) as url:
        _refuses_changes_to_corrections(url)  # new: create_all
    with _url(backend, tmp_path / "up") as url:
        engine = make_engine(url)
        _pre_migration_store(url)
        migrate.upgrade(engine, url)
        _refuses_changes_to_corrections(url)  # upgraded: migration 0002


def test_store_at_0003_upgrades_to_the_appeals_tables_with_its_data_intact(tmp_path):
    """A shop's store at the release before appeals (0003): upgrade adds empty, append-only appeal tables."""
    from pipeline.store.appeals import appeal_decisions, appeals, turn_labels

    url = f"sqlite:///{tmp_path / 'at3.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine, url, "0003_ingest_notes_run_processes")
    at = datetime(2026, 10, 1, 8, tzinfo=timezone.utc)
    with engine.begin() as conn:
        conn.execute(results.insert(), [{"conversation_id": "h001", "rubric_version": "default@1", "model_version": "",
                                         "scored_at": at, "flagged": True, "score": 70.0}])  # fmt: skip
        conn.execute(corrections.insert(), [{"conversation_id": "h001", "rubric_version": "default@1",
                                             "criterion": "greeting", "status": "pass", "reviewer": "王", "created_at": at}])  # fmt: skip
    with pytest.raises(StoreError, match="0003_ingest_notes_run_processes.*zhijian db upgrade"):
        Store(url)
    assert migrate.upgrade(engine, url) == ("0003_ingest_notes_run_processes", migrate.HEAD)
    assert _diff(engine) == []
    with engine.begin() as conn:
        for table in (appeals, appeal_decisions, turn_labels):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
        conn.execute(turn_labels.insert(), [{"conversation_id": "h001", "seq": 1, "label": "negative",
                                             "reviewer": "王", "created_at": at}])  # fmt: skip
    for statement in (turn_labels.update().values(label="positive"), turn_labels.delete()):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(statement)
    engine.dispose()
    with Store(url) as store:
        assert store.load_results(["h001"], "default@1", None)["h001"]["score"] == 70.0
        assert [(c["reviewer"], c["status"]) for c in store.list_corrections("h001")] == [("王", "pass")]
