"""`zhijian score` killed with SIGKILL half-way and started again; two runs started at once (issue 16).

Real processes on the bundled sample data (333 conversations, 3,340 messages), real ingest, rubric
and store; a lexicon sentiment model keeps each run to seconds. Batches of 20 conversations, so
a kill lands between committed batches as it would in a night's run.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.pipeline._scoring_fakes import postgres_schema_url

REPO = Path(__file__).resolve().parents[2]
INPUTS = sorted(str(p) for p in (REPO / "data" / "sample").glob("chats-*.jsonl"))
CONVERSATIONS = 333  # in data/sample


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from models.baseline import LexiconSentiment

    texts = ["太差了", "好的谢谢", "在吗", "垃圾", "非常满意", "请问发货了吗"]
    labels = ["negative", "positive", "neutral", "negative", "positive", "neutral"]
    return str(LexiconSentiment().fit(texts, labels).save(tmp_path_factory.mktemp("model") / "lexicon"))


def _score(store: str, model_dir: str, results: Path, **env: str) -> subprocess.Popen:
    environ = {**os.environ, "ZHIJIAN_BATCH_SIZE": "20", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "zhijian", "score", *INPUTS, "--no-flow", "--model", model_dir,
         "--store", store, "--results", str(results)],
        cwd=REPO, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


_engines: dict[str, sa.Engine] = {}


def _query(store: str, sql: str) -> list[tuple]:
    """Read the store while a run writes it (SQLite WAL: a reader never blocks the writer); [] before the tables exist."""
    if store.startswith("sqlite:///"):
        db = Path(store.removeprefix("sqlite:///"))
        if not db.exists():
            return []
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute(sql).fetchall()
        except sqlite3.OperationalError:
            return []
        finally:
            conn.close()
    from pipeline.store import engine_url

    engine = _engines.setdefault(store, sa.create_engine(engine_url(store)))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    except sa.exc.ProgrammingError:  # no such table yet
        return []


def _count(store: str, table: str) -> int:
    rows = _query(store, f"SELECT count(*) FROM {table}")
    return rows[0][0] if rows else 0


def _finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def _contents(store: str) -> dict:
    """What a run leaves in the store, without run ids and times (sorted here: collations differ by backend)."""
    return {
        "messages": _query(store, "SELECT count(*), count(DISTINCT message_key) FROM messages")[0],
        "conversations": sorted(_query(store, "SELECT conversation_id, message_count FROM conversations")),
        "results": sorted(_query(store, "SELECT conversation_id, rubric_version, model_version, message_count, score, "
                                        "flagged FROM results")),  # fmt: skip
        "quarantine": _count(store, "quarantine"),
        "scoring_errors": _count(store, "scoring_errors"),
    }


@pytest.fixture(scope="module")
def uninterrupted(model_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("uninterrupted")
    store = f"sqlite:///{folder / 'qa.db'}"
    code, out, err = _finish(_score(store, model_dir, folder / "results.jsonl"))
    assert code == 0, err
    contents = _contents(store)
    assert len(contents["results"]) == CONVERSATIONS and contents["messages"] == (3340, 3340)
    return contents


def _kill_when(proc: subprocess.Popen, ready, what: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"the run ended (exit {proc.returncode}) before {what}: {proc.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no {what} within {timeout} s")
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL


@contextmanager
def _store(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'qa.db'}"
        return
    with postgres_schema_url() as url:  # skips without ZHIJIAN_TEST_POSTGRES_URL
        try:
            yield url
        finally:  # before the schema is dropped
            engine = _engines.pop(url, None)
            if engine is not None:
                engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("backend, moment", [
    ("sqlite", "the run is recorded"), ("sqlite", "some results are stored"), ("postgresql", "some results are stored"),
])  # fmt: skip
def test_a_run_killed_half_way_and_started_again_stores_everything_exactly_once(
    model_dir, uninterrupted, tmp_path, backend, moment
):
    with _store(backend, tmp_path) as db:
        _kill_and_resume(db, model_dir, tmp_path / "results.jsonl", moment, uninterrupted)


def _kill_and_resume(db: str, model_dir: str, results: Path, moment: str, uninterrupted: dict) -> None:
    proc = _score(db, model_dir, results)
    if moment == "the run is recorded":
        _kill_when(proc, lambda: _count(db, "runs") > 0, moment)
    else:
        _kill_when(proc, lambda: _count(db, "results") > 0, moment)
    stored = _count(db, "results")
    assert stored < CONVERSATIONS, "killed too late: every conversation was already scored"

    code, out, err = _finish(_score(db, model_dir, results))
    assert code == 0, err
    summary = dict(kv.split("=") for kv in out.strip().splitlines()[-1].removeprefix("summary: ").split())
    # what the killed run stored counts as duplicates now; nothing is lost or counted twice
    assert int(summary["stored"]) + int(summary["duplicates"]) == int(summary["read"]) == 3340
    assert summary["conversations"] == str(CONVERSATIONS) and summary["flagged"] == str(_flagged(uninterrupted))
    assert _contents(db) == uninterrupted
    assert len(results.read_text(encoding="utf-8").splitlines()) == CONVERSATIONS
    runs = _query(db, "SELECT status, error FROM runs ORDER BY started_at")
    assert [r[0] for r in runs] == ["failed", "ok"] and runs[0][1].startswith("killed (process ")
    assert _count(db, "run_lock") == 0  # the killed run's lock was taken over, and given back


def _flagged(contents: dict) -> int:
    return sum(1 for r in contents["results"] if r[5])


@pytest.mark.slow
def test_two_runs_at_once_the_second_refuses_naming_the_first_or_waits_for_it(model_dir, uninterrupted, tmp_path):
    db = f"sqlite:///{tmp_path / 'qa.db'}"
    first = _score(db, model_dir, tmp_path / "first.jsonl")
    deadline = time.monotonic() + 240
    while not _query(db, "SELECT run_id FROM run_lock"):
        assert first.poll() is None and time.monotonic() < deadline, "the first run never took the store"
        time.sleep(0.05)
    (run_id,) = _query(db, "SELECT run_id FROM run_lock")[0]
    refused = _score(db, model_dir, tmp_path / "refused.jsonl", ZHIJIAN_RUN_LOCK_WAIT="0")
    waiting = _score(db, model_dir, tmp_path / "waiting.jsonl", ZHIJIAN_RUN_LOCK_WAIT="240")
    code, _, err = _finish(refused)
    assert code == 1
    assert f"is busy: run {run_id} (pid {first.pid} on " in err and "wait for it to finish" in err
    assert first.poll() is None, "the first run ended before the second was refused: the check proved nothing"
    assert _finish(first)[0] == 0
    code, out, err = _finish(waiting)
    assert code == 0, err
    assert f"waiting up to 240 s for run {run_id} (pid {first.pid} on " in err  # the user sees why nothing happens
    assert out.strip().splitlines()[-1].startswith("summary: read=3340 stored=0 duplicates=3340 ")
    assert _contents(db) == uninterrupted
    runs = _query(db, "SELECT run_id, status, started_at, finished_at FROM runs ORDER BY started_at")
    assert [r[1] for r in runs] == ["ok", "ok"] and runs[0][0] == run_id
    assert runs[1][2] >= runs[0][3], "the waiting run started writing before the first had finished"
