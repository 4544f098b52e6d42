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
with temporary_settings({PREFECT_API_URL: api}):
    night()
server.expect_recorded(FINISHED_TASK_RUNS)
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


def _fake_api(monkeypatch, answers, status=200):
    """httpx.Client answering /task_runs/filter with the next of `answers` (the last repeats); returns the requests."""
    import json

    import httpx

    asked = []

    def handler(request):
        asked.append(json.loads(request.content)["task_runs"]["id"]["any_"])
        return httpx.Response(status, json=answers[min(len(asked), len(answers)) - 1])

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
    s.port = 8001
    prefect_server._server, saved = s, prefect_server._server
    try:
        prefect_server.expect_recorded(["b"])
        prefect_server.expect_recorded({"a"})  # a second run's task runs add to the first's
    finally:
        prefect_server._server = saved
    assert s.settle(30) is True
    assert asked == [["a", "b"], ["b"], ["b"]]


def test_settle_gives_up_after_its_limit_and_says_so(monkeypatch, capsys):
    asked = _fake_api(monkeypatch, [[{"id": "a", "state_type": "COMPLETED"}, {"id": "b", "state_type": "RUNNING"}]])
    s = prefect_server.TemporaryServer()
    s.port, s.expected = 8001, {"a", "b"}
    assert s.settle(0.2) is False
    assert "had not recorded the final state of 1 task run(s) after 0 s; stopping it" in capsys.readouterr().err
    assert asked[-1] == ["b"] and len(asked) > 1


# ---------------------------------------------------------------------- a configured server: nothing started early
def _profiles(tmp_path, monkeypatch, text):
    for key in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH", "PREFECT_SERVER_EPHEMERAL_ENABLED",
                "PREFECT_TEST_MODE", "PREFECT_UNIT_TEST_MODE"):  # fmt: skip
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    if text is not None:
        (tmp_path / "home" / "profiles.toml").write_text(text, encoding="utf-8")


PROFILES = """
active = "nightly"

[profiles.nightly]
PREFECT_API_URL = "http://127.0.0.1:4200/api"

[profiles.laptop]
PREFECT_SERVER_EPHEMERAL_ENABLED = "true"
"""


def test_the_active_profile_naming_a_server_is_read_without_prefect(tmp_path, monkeypatch):
    _profiles(tmp_path, monkeypatch, PROFILES)
    assert prefect_server._settings_without_prefect() == {"PREFECT_API_URL": "http://127.0.0.1:4200/api"}
    monkeypatch.setenv("PREFECT_PROFILE", "laptop")  # the environment picks another profile: a temporary server
    assert prefect_server._settings_without_prefect() == {"PREFECT_SERVER_EPHEMERAL_ENABLED": "true"}
    monkeypatch.setenv("PREFECT_API_URL", "http://10.0.0.5:4200/api")  # the environment wins over the profile
    assert prefect_server._settings_without_prefect()["PREFECT_API_URL"] == "http://10.0.0.5:4200/api"


def test_without_a_profiles_file_prefect_s_default_is_a_temporary_server(tmp_path, monkeypatch):
    _profiles(tmp_path, monkeypatch, None)
    assert prefect_server._settings_without_prefect() == {}


@pytest.mark.parametrize("where, text", [(".env", "PREFECT_API_URL=http://h/api\n"), ("prefect.toml", "[api]\n"),
                                          ("pyproject.toml", "[tool.prefect.api]\nurl = 'http://h/api'\n")])  # fmt: skip
def test_a_settings_file_in_the_working_directory_leaves_the_decision_to_prefect(tmp_path, monkeypatch, where, text):
    _profiles(tmp_path, monkeypatch, "")
    (tmp_path / "work" / where).write_text(text, encoding="utf-8")
    assert prefect_server._settings_without_prefect() is None


def test_a_profiles_file_that_does_not_parse_leaves_the_decision_to_prefect(tmp_path, monkeypatch):
    _profiles(tmp_path, monkeypatch, "active = [unclosed\n")
    assert prefect_server._settings_without_prefect() is None


PROFILE_CHILD = """
import sys
import zhijian.prefect_server as server
wait = server.start_temporary_server_early()
print(server._server is None, 'prefect' in sys.modules, flush=True)
"""


def test_a_profile_naming_a_server_starts_no_temporary_server(tmp_path, monkeypatch):
    _profiles(tmp_path, monkeypatch, PROFILES)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", PROFILE_CHILD], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["True", "False"]  # nothing started, and Prefect was not imported to decide


def test_settle_outlasts_an_api_that_answers_with_an_error(monkeypatch, capsys):
    _fake_api(monkeypatch, [{"detail": "validation error"}], status=422)
    s = prefect_server.TemporaryServer()
    s.port, s.expected = 8001, {"a"}
    assert s.settle(0.2) is False  # no exception out of the atexit hook: the server is still stopped after it
    assert "had not recorded the final state of 1 task run(s)" in capsys.readouterr().err


def _started_envs(monkeypatch) -> list[dict]:
    """Start no process: the environments TemporaryServer().start() would start its server with, in order."""
    envs: list[dict] = []

    class Started:
        pid = 12345

        def __init__(self, argv, env):
            envs.append(env)

    monkeypatch.setattr(prefect_server.subprocess, "Popen", Started)
    monkeypatch.setattr(prefect_server, "watch_server", lambda pid: None)
    return envs


def test_the_temporary_server_starts_without_blocks_or_automations_unless_the_environment_asks(monkeypatch):
    """It serves one run and dies with it: no block registration, no automation services; the user's setting wins."""
    envs = _started_envs(monkeypatch)
    monkeypatch.delenv("PREFECT_API_BLOCKS_REGISTER_ON_START", raising=False)
    monkeypatch.setenv("PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED", "true")
    prefect_server.TemporaryServer().start()
    assert envs[0]["PREFECT_API_BLOCKS_REGISTER_ON_START"] == "false"
    assert envs[0]["PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED"] == "true"
    monkeypatch.delenv("PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED")
    prefect_server.TemporaryServer().start()
    assert envs[1]["PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED"] == "false"


def test_the_block_registration_memo_is_skipped_only_while_registration_is_off(monkeypatch):
    """The memo imports every Prefect collection to decide whether to skip a registration that is off anyway."""
    envs = _started_envs(monkeypatch)
    monkeypatch.delenv("PREFECT_API_BLOCKS_REGISTER_ON_START", raising=False)
    monkeypatch.delenv("PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION", raising=False)
    prefect_server.TemporaryServer().start()
    assert envs[-1]["PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION"] == "false"
    monkeypatch.setenv("PREFECT_API_BLOCKS_REGISTER_ON_START", "true")  # registering: the memo spares repeats
    prefect_server.TemporaryServer().start()
    assert "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION" not in envs[-1]
    monkeypatch.delenv("PREFECT_API_BLOCKS_REGISTER_ON_START")
    monkeypatch.setenv("PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION", "true")  # the user's setting wins
    prefect_server.TemporaryServer().start()
    assert envs[-1]["PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION"] == "true"


def test_answering_asks_health_once_without_waiting_and_only_while_its_process_lives():
    import http.server
    import threading

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/api/health" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    class Process:
        code = None

        def poll(self):
            return self.code

    s = prefect_server.TemporaryServer()
    s.port, s.process = httpd.server_address[1], Process()
    try:
        s.process.code = 3  # exited: its port answers for someone else
        assert s.answering() is False and not s.healthy
        s.process.code = None
        assert s.answering() is True and s.healthy
        s.port = _closed_port()
        assert s.answering() is True  # known healthy: not asked again
        s.healthy = False
        assert s.answering() is False
    finally:
        httpd.shutdown()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_temporary_server_sends_no_telemetry_and_skips_type_checks_unless_the_environment_asks(monkeypatch):
    """A one-run server: no heartbeat to Prefect, no beartype checks in the Docket store; the user's setting wins."""
    envs = _started_envs(monkeypatch)
    monkeypatch.delenv("PREFECT_SERVER_ANALYTICS_ENABLED", raising=False)
    monkeypatch.delenv("PY_KEY_VALUE_DISABLE_BEARTYPE", raising=False)
    prefect_server.TemporaryServer().start()
    assert envs[-1]["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert envs[-1]["PY_KEY_VALUE_DISABLE_BEARTYPE"] == "true"
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "true")
    monkeypatch.setenv("PY_KEY_VALUE_DISABLE_BEARTYPE", "false")
    prefect_server.TemporaryServer().start()
    assert envs[-1]["PREFECT_SERVER_ANALYTICS_ENABLED"] == "true"
    assert envs[-1]["PY_KEY_VALUE_DISABLE_BEARTYPE"] == "false"
