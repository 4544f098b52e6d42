"""What every command group shares: the --store and --flow options, the one-line error exit, opening a
store, running through a Prefect flow with the plain path as fall-back, and how this shell calls zhijian.

Only commands that write a run (`score`, `demo`) create a store; every other command opens one
with `open_store(url)`, which refuses a store that does not exist and says which URL was meant.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

StoreOpt = Annotated[
    Optional[str],
    typer.Option("--store", metavar="URL", help="Store URL (sqlite:///path/qa.db, postgresql://…); default: ZHIJIAN_STORE_URL / settings."),
]

FlowOpt = Annotated[
    bool,
    typer.Option("--flow/--no-flow", help="Run as a Prefect flow run (seen in Prefect's UI; ~6 s start-up) or as plain functions."),
]

EXIT_RUN_FAILED = 1


def fail(message: str, code: int = EXIT_RUN_FAILED) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def open_store(url: str | None, create: bool = False) -> Any:
    """The store at `url`; only commands that write a run create one (a typo must not make an empty store)."""
    from pipeline.errors import StoreError
    from pipeline.store import Store

    try:
        return Store(url, create=create)
    except StoreError as err:
        raise fail(str(err)) from None


def prefect_quietly() -> None:
    # Offline machines otherwise wait ~10 s on the temporary server's telemetry DNS lookup, and a
    # loaded machine can take longer than Prefect's default 20 s to start that server.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def flow_or_plain(name: str, via_flow: Callable[[], Any], plain: Callable[[], Any],
                   began: Callable[[BaseException], bool]) -> Any:
    """Run `via_flow`; when Prefect itself could not start (began(err) is false), run `plain` instead.

    A flow that failed after its work began is reported, never run a second time behind the user's back.
    """
    from pipeline.errors import ZhijianError

    prefect_quietly()
    try:
        return via_flow()
    except ZhijianError:
        raise
    except Exception as err:
        if began(err):
            raise fail(
                f"the {name} flow failed: {type(err).__name__}: {err} — see the log above; "
                f"`--no-flow` runs the same steps without Prefect"
            ) from None
        typer.echo(f"warning: Prefect unavailable ({type(err).__name__}: {err}); running without the flow", err=True)
        return plain()


def body_ran(flow_obj: Any) -> Callable[[BaseException], bool]:
    """began() for flow_or_plain: did the error pass through the flow's own function (so Prefect had started)?"""
    code = getattr(getattr(flow_obj, "fn", flow_obj), "__code__", None)

    def began(err: BaseException) -> bool:
        seen: set[int] = set()
        exc: BaseException | None = err
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            tb = exc.__traceback__
            while tb is not None:
                if tb.tb_frame.f_code is code:
                    return True
                tb = tb.tb_next
            exc = exc.__cause__ or exc.__context__
        return False

    return began


def how_to_call_me() -> str:
    """How this shell reaches the zhijian command: `zhijian` when it is on PATH, else .venv/bin/zhijian or python -m."""
    import shutil

    script = Path(sys.prefix) / "bin" / "zhijian"
    on_path = shutil.which("zhijian")
    if on_path and Path(on_path).resolve() == script.resolve():
        return "zhijian"
    if script.exists():
        try:
            return str(script.relative_to(Path.cwd()))
        except ValueError:
            return str(script)
    return f"{Path(sys.executable).name} -m zhijian"


def freeze_heap_for_exit() -> None:
    """Once a command is done: keep what it leaves behind out of the interpreter's collections at exit.

    At exit Python runs full garbage collections over everything still alive (the model, jieba's
    dictionary, Prefect's modules): `zhijian score` of 3,000 conversations spent 0.8–1.3 s between its
    last line and its exit, 0.2 s with this (measured side by side). What is frozen is only never
    collected: the atexit hooks still run (Prefect's workers drain, the temporary server stops), and
    every file and store the command wrote is closed by then.
    """
    import gc

    gc.freeze()
