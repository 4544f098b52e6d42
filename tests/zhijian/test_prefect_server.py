"""The temporary server `zhijian score` starts itself is guarded from the start: a CLI killed with kill -9 leaves no server."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.flows.test_orphan_server import assert_server_gone
from zhijian import prefect_server

REPO = Path(__file__).resolve().parents[2]
CHILD = """
import os, signal, sys
import zhijian.prefect_server as server
server.start_temporary_server_early()
print(server._server.process.pid, 'prefect' in sys.modules, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process checks through /proc")
def test_kill_9_right_after_the_early_start_stops_the_server(tmp_path):
    env = {**os.environ, "PREFECT_HOME": str(tmp_path), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, env=env, cwd=REPO)
    assert proc.returncode == -9, proc.stderr[-2000:]
    pid, prefect_loaded = proc.stdout.split()
    assert prefect_loaded == "False"  # launched before Prefect is imported: that is the point
    server = int(pid)
    assert_server_gone(server)


USED = """
import sys
import zhijian.prefect_server as server
wait = server.start_temporary_server_early()
from prefect import flow, task
from prefect.settings import PREFECT_API_URL, temporary_settings
from flows.nightly_qa import FINISHED_TASK_RUNS, _TASK_OPTIONS

@task(**_TASK_OPTIONS)
def step(i):
    return i

@flow
def night():
    return [step(i) for i in range(3)]

api = wait()
server.expect_recorded(FINISHED_TASK_RUNS)
with temporary_settings({PREFECT_API_URL: api}):
    night()
process, terminate = server._server.process, server._server.process.terminate


def look_then_terminate():  # what the server shows at the moment it is told to stop
    import httpx

    rows = httpx.post(f"{api}/task_runs/filter", json={"task_runs": {"id": {"any_": sorted(FINISHED_TASK_RUNS)}}}).json()
    print(len(FINISHED_TASK_RUNS), *sorted(row["state_type"] for row in rows), flush=True)
    terminate()


process.terminate = look_then_terminate
"""


@pytest.mark.slow
def test_a_used_server_is_stopped_once_it_has_recorded_every_task_runs_final_state(tmp_path):
    """At exit the server is told to stop once its API shows every task run final (no fixed pause), not before."""
    import sqlite3

    # The server records task-run states in batches, flushed every 4 s: a slow recorder, made certain (on
    # an idle machine it records within milliseconds; on the loaded build machine it once did not in time).
    slow_recorder = {"PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "1000",
                     "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "4"}  # fmt: skip
    env = {**os.environ, "PREFECT_HOME": str(tmp_path), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **slow_recorder}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.run([sys.executable, "-c", USED], capture_output=True, text=True, timeout=180, env=env, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["3", "COMPLETED", "COMPLETED", "COMPLETED"], proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "had not recorded" not in proc.stderr, proc.stderr[-3000:]
    with sqlite3.connect(tmp_path / "prefect.db") as db:
        states = db.execute("SELECT state_type FROM task_run").fetchall()
    assert states == [("COMPLETED",)] * 3


def _fake_api(monkeypatch, answers):
    """httpx.Client answering /task_runs/filter with the next of `answers` (the last repeats); returns the requests."""
    import json

    import httpx

    asked = []

    def handler(request):
        asked.append(json.loads(request.content)["task_runs"]["id"]["any_"])
        return httpx.Response(200, json=answers[min(len(asked), len(answers)) - 1])

    real = httpx.Client
    monkeypatch.setattr(httpx, "Client", lambda: real(transport=httpx.MockTransport(handler)))
    return asked


def test_settle_waits_until_every_expected_task_run_is_final_asking_only_for_the_rest(monkeypatch):
    asked = _fake_api(monkeypatch, [
        [{"id": "a", "state_type": "COMPLETED"}],  # b not recorded yet
        [{"id": "b", "state_type": "RUNNING"}],
        [{"id": "b", "state_type": "FAILED"}],
    ])  # fmt: skip
    s = prefect_server.TemporaryServer()
    s.port, s.expected = 8001, {"b", "a"}
    assert s.settle(30) is True
    assert asked == [["a", "b"], ["b"], ["b"]]


def test_settle_gives_up_after_its_limit_and_says_so(monkeypatch, capsys):
    asked = _fake_api(monkeypatch, [[{"id": "a", "state_type": "COMPLETED"}, {"id": "b", "state_type": "RUNNING"}]])
    s = prefect_server.TemporaryServer()
    s.port, s.expected = 8001, {"a", "b"}
    assert s.settle(0.2) is False
    assert "had not recorded the final state of 1 task run(s) after 0 s; stopping it" in capsys.readouterr().err
    assert asked[-1] == ["b"] and len(asked) > 1
