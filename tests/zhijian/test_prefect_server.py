"""The temporary server `zhijian score` starts itself is guarded from the start: a CLI killed with kill -9 leaves no server."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.flows.test_orphan_server import assert_server_gone

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
