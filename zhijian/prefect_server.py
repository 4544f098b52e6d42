"""Start Prefect's temporary server first thing in `zhijian score`, and hand its URL to the flow.

Without PREFECT_API_URL a flow run starts a temporary Prefect server (a uvicorn subprocess) and
waits for it. Left to Prefect, that start comes after everything else the CLI does and costs the
main process its own ~2.5 s import of the server's code (FastAPI, the server's models) just to
launch it: on a busy 2-core machine the start-up before any work was ~16 s of a 3,000-conversation
run. So `zhijian score` launches the server process itself, with the command and environment
Prefect uses, before it has imported Prefect at all; while the server boots (its own process, on the
other core) the CLI imports Prefect, checks the inputs and loads the model, the rubric and the
segmenter (pipeline.scoring.preload_run); wait() then waits for the server's health check, and the
flow runs with PREFECT_API_URL set to it (`prefect.settings.temporary_settings`).

Dask workers get the flow's settings, not its client: with the URL set they report to this server
instead of each starting a temporary server of its own (minutes on a loaded machine, its task runs
invisible). The server is guarded by the watchdog as soon as it exists (flows/watchdog.py) and
stopped at exit, as Prefect stops its own. One server per process: a second run in the same process
(tests, `zhijian serve`) reuses it.
"""
from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import random
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from flows.watchdog import watch_server

_PORTS = range(8000, 9000)  # Prefect's own range for the temporary server
_PORT_IN_USE = 3  # uvicorn's exit status when it cannot bind: pick another port, as Prefect does
_FALSE = ("0", "false", "no", "off")
_SETTLE_LIMIT = 10.0  # s: the most a used server is given to record the final states it was sent (TemporaryServer.stop)
_FINAL_STATES = ("COMPLETED", "FAILED", "CANCELLED", "CRASHED")
_FILTER_LIMIT = 200  # the API's most rows per read
# What the temporary server leaves out of its start, unless the environment says otherwise. It lives only as
# long as this process and runs one flow: it needs the API and the recorder of task-run states, not
# - block registration: on every start it imports every installed Prefect collection to hash its blocks
#   (prefect-dask, so Dask and NumPy) even when nothing changed; no step of ours uses a block, and a server
#   started with `prefect server start` registers them itself;
# - automations (the triggers and actions services): the actions service builds a second in-process API
#   app as it starts (settings hashed again, the logging config parsed again); an automation needs a
#   server that outlives the run (`zhijian serve`, PREFECT_API_URL).
# Both were on the path to the first health answer: without them the server's CPU up to that answer went
# 4.35 → 4.08 s (medians of 5 alternating starts on the shared 2-core machine, load 8–13).
# Session 11 adds two more, neither of which a one-run server needs:
# - the anonymous telemetry heartbeat (PREFECT_SERVER_ANALYTICS_ENABLED): a docket task at every start that
#   reads its session from the database and POSTs to sens-o-matic.prefect.io, so every nightly run phoned
#   out (on a machine without network it logged "Failed to send telemetry" on stderr instead);
# - runtime type checks in py-key-value (the Docket store's library): it installs beartype over its whole
#   package as it is imported, and its own switch (PY_KEY_VALUE_DISABLE_BEARTYPE) turns the checks, which
#   only warn, into no-ops. Importing docket 0.57 / 0.60 → 0.36 / 0.36 CPU s; the server's CPU to its
#   first health answer 3.31 → 3.16 s (medians of 4 alternating starts, load 11–12).
_LEAN_SERVER = {"PREFECT_API_BLOCKS_REGISTER_ON_START": "false", "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PY_KEY_VALUE_DISABLE_BEARTYPE": "true"}
# With registration off, Prefect's memo of it still ran first: it imports every installed collection
# (prefect-dask, so Dask and NumPy) and hashes the block registry to decide whether to skip a registration
# that then returns at once. Off with it unless the environment asks for registration or names the memo.
_MEMO = "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION"
# The server's interpreter: uvicorn's own command line (`python -m uvicorn …`), with the server's code imported
# first with the cyclic garbage collector off, and what that import built (some 420,000 objects: modules,
# classes, schemas, all alive as long as the server) frozen out of later collections. The collector made ~630
# passes over that growing heap during the import and the app's creation: 3.44 / 3.19 → 2.80 / 2.68 CPU s for
# both (two runs each, loaded 2-core machine); later passes no longer walk the frozen heap either.
_LAUNCH = """
import gc, sys
gc.disable()
import prefect.server.api.server
gc.freeze()
gc.enable()
from uvicorn.main import main
sys.argv[0] = "uvicorn"
main()
"""


class TemporaryServer:
    """A Prefect API server in a child process, started the way Prefect starts its temporary one."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.port: int | None = None
        self.healthy = False
        self._lock = threading.Lock()
        self.expected: set[str] = set()  # task-run ids to see final before stopping (expect_recorded)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        self.port = _free_port()
        app_dir = Path(importlib.util.find_spec("prefect").origin).parent.parent  # Prefect: __module_path__.parent
        env = {**_LEAN_SERVER, **os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}  # fmt: skip
        env.pop("PREFECT_API_URL", None)  # empty or unset here; the server must not read one for itself
        if env["PREFECT_API_BLOCKS_REGISTER_ON_START"].strip().lower() in _FALSE:
            env.setdefault(_MEMO, "false")
        self.process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, "--app-dir", str(app_dir), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env=env,
        )  # fmt: skip
        watch_server(self.process.pid)

    def wait(self, timeout: float) -> str:
        """Its API URL once /health answers; RuntimeError when it exits or does not answer in `timeout` s."""
        import httpx

        with self._lock:
            if self.healthy:
                return self.api_url
            deadline = time.monotonic() + timeout
            with httpx.Client() as client:
                while time.monotonic() < deadline:
                    assert self.process is not None
                    code = self.process.poll()
                    if code == _PORT_IN_USE:
                        self.start()
                        continue
                    if code is not None:
                        raise RuntimeError(f"the temporary Prefect server exited with status {code}")
                    with contextlib.suppress(httpx.HTTPError):
                        if client.get(f"{self.api_url}/health", timeout=5).status_code == 200:
                            self.healthy = True
                            return self.api_url
                    time.sleep(0.1)
            raise RuntimeError(f"Timed out after {timeout:.0f} s while attempting to connect to the temporary Prefect server")

    def answering(self) -> bool:
        """Whether /health answers right now (one short try, no wait); the next wait() returns at once then."""
        import http.client

        if self.healthy:
            return True
        if not self.alive():  # exited (its port taken: wait() starts it again), or never started
            return False
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)  # no TLS context to build
        try:
            connection.request("GET", "/api/health")
            ok = connection.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            ok = False
        finally:
            connection.close()
        with self._lock:
            self.healthy = self.healthy or ok
        return ok

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Terminate it (SIGKILL after 5 s), as Prefect stops its own temporary server.

        A used server first records what the CLI's event worker sent as it drained at exit: a task
        run's final state reaches the server as an event that it writes a moment later. Terminated
        at once, it cancelled those writes (the run's last task-run states lost, tracebacks on
        stderr), seen on the loaded build machine. So it is stopped once its API shows every
        expected task run final (`settle`), not after a fixed pause.
        """
        process, used, self.process, self.healthy = self.process, self.healthy, None, False
        if process is None or process.poll() is not None:
            return
        if used:
            self.settle(_SETTLE_LIMIT)
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


    def settle(self, limit: float) -> bool:
        """Wait (at most `limit` s) until the API shows every expected task run in a final state."""
        import httpx

        ids = sorted(self.expected)
        deadline = time.monotonic() + limit
        with httpx.Client() as client:
            while ids:
                with contextlib.suppress(httpx.HTTPError, ValueError, KeyError, TypeError):  # asked again until the limit
                    ids = [i for k in range(0, len(ids), _FILTER_LIMIT) for i in self._not_final(client, ids[k : k + _FILTER_LIMIT])]
                if not ids:
                    break
                if time.monotonic() > deadline:
                    print(f"warning: the temporary Prefect server had not recorded the final state of {len(ids)} "
                          f"task run(s) after {limit:.0f} s; stopping it", file=sys.stderr)  # fmt: skip
                    return False
                time.sleep(0.05)
        return True

    def _not_final(self, client: Any, ids: list[str]) -> list[str]:
        response = client.post(f"{self.api_url}/task_runs/filter", timeout=5,
                               json={"task_runs": {"id": {"any_": ids}}, "limit": len(ids)})  # fmt: skip
        rows = response.raise_for_status().json()
        final = {row["id"] for row in rows if row.get("state_type") in _FINAL_STATES}
        return [i for i in ids if i not in final]


_server: TemporaryServer | None = None


def expect_recorded(task_run_ids: Collection[str]) -> None:
    """Before the temporary server is stopped, wait until it shows these task runs (of flows run on it) final."""
    if _server is not None:
        _server.expected.update(task_run_ids)


def _free_port() -> int:
    for _ in range(10):
        port = random.choice(_PORTS)
        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port for the temporary Prefect server in 8000–8999")


def _startup_timeout() -> float:
    # the setting as the CLI set it (zhijian.common.prefect_quietly)
    return float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90"))


def _needs_temporary_server() -> bool:
    """No API URL and temporary servers allowed: Prefect's settings when Prefect is loaded (a test's
    harness sets them in-process), else the environment and the active profile (`_settings_without_prefect`;
    wait() checks Prefect's own answer again)."""
    if "prefect" in sys.modules:
        from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

        return not PREFECT_API_URL.value() and bool(PREFECT_SERVER_EPHEMERAL_ENABLED.value())
    settings = _settings_without_prefect()
    return settings is not None and not settings.get("PREFECT_API_URL") and (
        str(settings.get("PREFECT_SERVER_EPHEMERAL_ENABLED", "true")).strip().lower() not in _FALSE
    )


def _settings_without_prefect() -> dict[str, Any] | None:
    """PREFECT_API_URL and PREFECT_SERVER_EPHEMERAL_ENABLED as Prefect will read them, without importing it
    (~2.5 s): the environment over the active profile (PREFECT_PROFILE, else the profiles file's `active`).

    None when Prefect may read them from somewhere else: a .env or prefect.toml in the working directory,
    pyproject.toml's [tool.prefect], a profiles file that does not parse, test mode. Prefect decides then,
    and no server is started early: a server started for nothing costs a core for seconds, and is stopped.
    """
    keys = ("PREFECT_API_URL", "PREFECT_SERVER_EPHEMERAL_ENABLED")
    env = {k: os.environ[k] for k in keys if os.environ.get(k)}
    if "PREFECT_API_URL" in env:
        return env
    here = Path.cwd()
    if (here / ".env").exists() or (here / "prefect.toml").exists() or os.environ.get("PREFECT_TEST_MODE"):
        return None
    try:
        if "[tool.prefect" in (here / "pyproject.toml").read_text(encoding="utf-8"):
            return None
    except (OSError, UnicodeDecodeError):
        pass
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        doc = tomllib.loads(profiles.read_text(encoding="utf-8"))
    except FileNotFoundError:  # Prefect's packaged default profile: a temporary server
        return env
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    profile = doc.get("profiles", {}).get(os.environ.get("PREFECT_PROFILE") or doc.get("active"), {})
    return {**{k: profile[k] for k in keys if k in profile}, **env}


def _prefect_started_one() -> bool:
    """Prefect's own temporary server is already up in this process (an earlier flow run here started it)."""
    module = sys.modules.get("prefect.server.api.server")
    return module is not None and any(s.server_process for s in list(module.SubprocessASGIServer._instances.values()))


class ServerWait:
    """What start_temporary_server_early returns: call it (with Prefect imported) for the API URL the flow runs
    on; `answering()` says, without waiting, whether a call would return at once."""

    def __init__(self, server: TemporaryServer | None) -> None:
        self.server = server

    def __call__(self) -> str | None:
        if self.server is None:
            return None
        from prefect.settings import PREFECT_API_URL

        if PREFECT_API_URL.value():  # Prefect's settings name a real server: this one is not needed
            self.server.stop()
            return None
        return self.server.wait(_startup_timeout())

    def answering(self) -> bool:
        return self.server is None or self.server.answering()


def start_temporary_server_early() -> ServerWait:
    """Start the temporary server now when the flow will need one; returns wait() → its API URL.

    No server is started when the environment or the active profile names an API server, or when a
    settings file Prefect reads may (`_settings_without_prefect`). wait() must come before the flow, with
    Prefect imported: it returns None when no temporary server is wanted after all (Prefect's own settings
    name a server: the one started is stopped), else the URL once the server answers. Run the flow with PREFECT_API_URL set to
    it. A start that failed raises from wait(), before the flow, so the caller falls back to the plain
    run at once instead of waiting for a second start to time out.
    """
    global _server
    if not _needs_temporary_server() or _prefect_started_one():
        return ServerWait(None)  # a real server, none allowed, or Prefect's own already running: nothing to start
    if _server is None or not _server.alive():
        _server = TemporaryServer()
        _server.start()
        atexit.register(_server.stop)  # after Prefect's log and event workers drained (threading's exit hooks run first)
    return ServerWait(_server)
