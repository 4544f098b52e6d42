"""The watchdog that stops a temporary Prefect server when the process that started it is gone.

Prefect stops its temporary server (a uvicorn child process) from an atexit hook: a process killed by
SIGKILL, or by SIGTERM (Python runs no atexit hook then), left it running for good, an orphan holding
a port in 8000–8999. `watch_server` starts a tiny watchdog beside it, in its own session so that a
kill of the owner's process group does not take it first. No Prefect import here: `zhijian score`
guards the server it starts before it has imported Prefect (zhijian/prefect_server.py), the flow
guards one Prefect started (flows/nightly_qa.py guard_temporary_server).
"""
from __future__ import annotations

import os
import subprocess
import sys

# argv = owner pid, server pid. Polls each second; when the owner is gone (the watchdog is
# re-parented) it terminates the server (SIGKILL after 5 s); it exits with the server.
_WATCHDOG = """
import os, signal, sys, time
owner, server = int(sys.argv[1]), int(sys.argv[2])
def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass
    return True
while alive(server):
    if os.getppid() != owner:
        os.kill(server, signal.SIGTERM)
        for _ in range(50):
            if not alive(server):
                sys.exit(0)
            time.sleep(0.1)
        os.kill(server, signal.SIGKILL)
        sys.exit(0)
    time.sleep(1)
"""


def watch_server(server_pid: int) -> int:
    """Start the watchdog for the server process `server_pid`, owned by this process; returns its pid."""
    watchdog = subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(server_pid)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    return watchdog.pid
