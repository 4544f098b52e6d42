"""A CLI killed mid-flow does not leave Prefect's temporary server behind (issue 15)."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

CHILD = """
import os, signal
from prefect import flow
from flows.nightly_qa import guard_temporary_server
from prefect.server.api.server import SubprocessASGIServer

@flow
def f():
    guard_temporary_server()
    servers = [s.server_process.pid for s in SubprocessASGIServer._instances.values() if s.server_process]
    print(servers[0], flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

f()
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purpose
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def assert_server_gone(server: int) -> None:
    """The server process ends within 30 s of its parent's death (killed here if not, then the test fails)."""
    deadline = time.monotonic() + 30
    while _alive(server) and time.monotonic() < deadline:
        time.sleep(0.5)
    alive = _alive(server)
    if alive:
        os.kill(server, 9)
    assert not alive, "the temporary Prefect server survived its killed parent"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process checks through /proc")
def test_kill_9_of_the_flow_process_stops_the_temporary_server(tmp_path):
    env = {**os.environ, "PREFECT_HOME": str(tmp_path), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}  # fmt: skip
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == -9, proc.stderr[-2000:]
    server = int(proc.stdout.split()[0])
    assert_server_gone(server)
