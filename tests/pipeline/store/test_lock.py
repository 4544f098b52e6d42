"""The run lock: one run writes a store at a time; a dead holder's lock is taken over (issue 16)."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pytest

from pipeline.store import lock
from pipeline.store.lock import StoreLocked, run_lock
from pipeline.store.rows import now
from tests.pipeline.store.helpers import BACKENDS, open_store


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with open_store(request.param, tmp_path) as s:
        yield s
        for run_id in list(lock._pg_sessions):  # a failed test must not keep a session open
            lock.release(s.engine, run_id)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_second_run_is_refused_with_the_holder_named_and_gets_the_lock_once_it_is_given_back(store):
    first = store.start_run(["a.jsonl"])
    lock.acquire(store.engine, first, wait=0)
    second = "22222222-2222-2222-2222-222222222222"
    with pytest.raises(StoreLocked) as info:
        lock.acquire(store.engine, second, wait=0)
    message = str(info.value)
    assert f"run {first} (pid " in message and f"on {socket.gethostname()}, started 20" in message
    assert "is busy" in message and "ZHIJIAN_RUN_LOCK_WAIT" in message
    lock.release(store.engine, first)
    lock.acquire(store.engine, second, wait=0)
    assert lock.holder(store.engine).run_id == second
    lock.release(store.engine, second)
    assert lock.holder(store.engine) is None


def test_a_waiting_run_gets_the_lock_when_the_holder_finishes(store):
    first = store.start_run(["a.jsonl"])
    lock.acquire(store.engine, first, wait=0)
    threading.Timer(1.0, lock.release, (store.engine, first)).start()
    t0 = time.monotonic()
    lock.acquire(store.engine, "second", wait=30, poll=0.1)
    assert 0.9 <= time.monotonic() - t0 < 20
    assert lock.holder(store.engine).run_id == "second"
    lock.release(store.engine, "second")


def test_the_lock_of_a_closed_run_is_taken_over(store):
    # a holder that closed its run but never gave the lock back (it died between the two)
    closed = store.start_run(["a.jsonl"])
    with store.engine.begin() as conn:
        conn.execute(run_lock.insert(), [{"name": lock.LOCK_NAME, "run_id": closed, "host": "another-host", "pid": 1,
                                          "process_started": None, "acquired_at": now()}])  # fmt: skip
    store.finish_run(closed, status="failed")
    lock.acquire(store.engine, "next", wait=0)
    assert lock.holder(store.engine).run_id == "next"
    lock.release(store.engine, "next")


def test_sqlite_the_lock_of_a_process_gone_from_this_host_is_taken_over(tmp_path):
    with open_store("sqlite", tmp_path) as store:
        killed = store.start_run(["a.jsonl"])  # still 'running': only the process tells it is dead
        with store.engine.begin() as conn:
            conn.execute(run_lock.insert(), [{"name": lock.LOCK_NAME, "run_id": killed, "host": socket.gethostname(),
                                              "pid": _dead_pid(), "process_started": None, "acquired_at": now()}])  # fmt: skip
        lock.acquire(store.engine, "next", wait=0)
        assert lock.holder(store.engine).run_id == "next"
        # a live holder on another host cannot be checked from here: waited for, never taken
        with store.engine.begin() as conn:
            conn.execute(run_lock.update().values(run_id=killed, host="another-host", pid=1))
        with pytest.raises(StoreLocked, match=f"run {killed} \\(pid 1 on another-host"):
            lock.acquire(store.engine, "third", wait=0)


def test_postgresql_the_lock_dies_with_the_holders_connection(tmp_path):
    from tests.pipeline._scoring_fakes import postgres_schema_url

    with postgres_schema_url() as url:
        code = ("import os, signal, sys\nfrom pipeline.store import Store, lock\n"
                f"s = Store({url!r}); run_id = s.start_run(['a.jsonl']); lock.acquire(s.engine, run_id, 0)\n"
                "print(run_id, flush=True); os.kill(os.getpid(), signal.SIGKILL)")  # fmt: skip
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert proc.returncode == -9, proc.stderr
        from pipeline.store import Store

        with Store(url) as store:
            dead = proc.stdout.split()[0]
            with store.engine.begin() as conn:  # as if on another host: only the server can tell it is gone
                conn.execute(run_lock.update().values(host="another-host"))
            assert lock.holder(store.engine).run_id == dead
            lock.acquire(store.engine, "next", wait=5)
            assert lock.holder(store.engine).run_id == "next"
            lock.release(store.engine, "next")
