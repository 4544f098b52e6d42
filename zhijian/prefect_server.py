"""Start Prefect's temporary server before a Dask run's flow, and hand its URL to the workers.

Without PREFECT_API_URL, a flow run starts a temporary Prefect server (a uvicorn subprocess)
that only its own process knows about: Dask workers get the flow's settings, not its client, so
each worker started a temporary server of its own (minutes on a loaded machine, and the
partitions' task runs landed there, invisible). `zhijian score --workers/--dask` therefore starts
the server itself, on a thread so its boot overlaps the CLI's preflight, and runs the flow with
PREFECT_API_URL set to it. A plain run keeps Prefect's own start.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable


def start_temporary_server_early() -> Callable[[], str | None]:
    """Start the temporary server on a thread when one will be needed; returns wait() → its API URL.

    wait() must come before the flow: Prefect marks the server running before it answers, and a
    flow that found it half-started would fail instead of waiting. Run the flow with
    PREFECT_API_URL set to the URL wait() returns (`prefect.settings.temporary_settings`): Dask
    workers get the flow's settings, not its client, and without the URL each worker started a
    temporary server of its own (minutes on a loaded machine, its task runs invisible). A start
    that failed raises its error from wait(), before the flow, so the caller falls back to the
    plain run at once instead of waiting for a second start to time out.
    """
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return lambda: None  # a real server, or none allowed: nothing to start
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    failed: list[Exception] = []

    def start() -> None:
        try:
            # the setting as the CLI set it (zhijian.cli._prefect_quietly): Prefect read its settings at import
            server.start(timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")))
        except Exception as err:  # noqa: BLE001 - raised again by wait(), in the caller's thread
            failed.append(err)

    thread = threading.Thread(target=start, name="prefect-temporary-server", daemon=True)
    thread.start()

    def wait() -> str | None:
        thread.join()
        if failed:
            raise failed[0]
        return server.api_url

    return wait
