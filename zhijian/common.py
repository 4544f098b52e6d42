"""What every command group shares: the --store option, the one-line error exit, opening a store.

Only commands that write a run (`score`, `demo`) create a store; every other command opens one
with `open_store(url)`, which refuses a store that does not exist and says which URL was meant.
"""
from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

StoreOpt = Annotated[
    Optional[str],
    typer.Option("--store", metavar="URL", help="Store URL (sqlite:///path/qa.db, postgresql://…); default: ZHIJIAN_STORE_URL / settings."),
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
