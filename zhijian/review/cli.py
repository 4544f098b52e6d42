"""Commands of the reviewer workspace: `zhijian review`, `zhijian users …`, `zhijian db upgrade`.

Registered in zhijian/cli.py; bodies import lazily so `zhijian --help` stays fast.
"""
from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from zhijian.common import StoreOpt, fail as _fail, open_store as _store  # noqa: E402
from zhijian.typer_style import typer_app  # noqa: E402

users_app = typer_app(help="Accounts of the reviewer workspace (zhijian review).")
db_app = typer_app(help="The store's schema.")


@db_app.command("upgrade")
def db_upgrade(store: StoreOpt = None) -> None:
    """Bring the store's schema to this zhijian's newest revision (back the store up first).

    A store made before schema migrations is recognised and stamped at the baseline first; data stays.
    """
    from pipeline.errors import StoreError
    from pipeline.settings import get_settings
    from pipeline.store import migrate, safe_url
    from pipeline.store.schema import make_engine
    from pipeline.store.urls import check_url

    url = store or get_settings().store_url
    try:
        check_url(url, create=False)  # upgrading a mistyped URL must not create a new, empty store
        engine = make_engine(url)
        before, after = migrate.upgrade(engine, url)
    except StoreError as err:
        raise _fail(str(err)) from None
    except Exception as err:  # SQLAlchemy / driver errors: one line, what to do
        raise _fail(f"cannot upgrade store {safe_url(url)}: {str(err).splitlines()[0]} — check --store or ZHIJIAN_STORE_URL") from None
    if before == after:
        typer.echo(f"store {safe_url(url)} is at schema revision {after}: nothing to do")
    else:
        typer.echo(f"store {safe_url(url)} upgraded: {before or 'before migrations'} → {after}")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, . _ - @).")],
    role: Annotated[str, typer.Option("--role", help="reviewer, team_lead, agent or admin.")],
    agent_id: Annotated[Optional[str], typer.Option("--agent-id", help="For --role agent: the agent id in the chat logs.")] = None,
    store: StoreOpt = None,
) -> None:
    """Add an account; the password is read from standard input (one line), never from the command line."""
    from zhijian.review.accounts import AccountError, add_user

    password = sys.stdin.readline().rstrip("\r\n")
    st = _store(store)
    try:
        user = add_user(st.engine, name, role, password, agent_id)
    except AccountError as err:
        raise _fail(str(err)) from None
    finally:
        st.close()
    bound = f" bound to agent {user.agent_id}" if user.agent_id else ""
    typer.echo(f"user {user.username} added as {user.role}{bound}")


@users_app.command("list")
def users_list(store: StoreOpt = None) -> None:
    """Every account: name, role, agent id, enabled or not."""
    from zhijian.review.accounts import list_users

    st = _store(store)
    try:
        users = list_users(st.engine)
    finally:
        st.close()
    if not users:
        typer.echo("no users yet — add one with: zhijian users add NAME --role reviewer")
    for u in users:
        state = "disabled" if u["disabled"] else "active"
        typer.echo(f"{u['username']}\t{u['role']}\t{u['agent_id'] or '-'}\t{state}")


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="The user to disable.")], store: StoreOpt = None) -> None:
    """Disable an account and end its sessions (what it did stays on record)."""
    from zhijian.review.accounts import AccountError, disable_user

    st = _store(store)
    try:
        disable_user(st.engine, name)
    except AccountError as err:
        raise _fail(str(err)) from None
    finally:
        st.close()
    typer.echo(f"user {name} disabled")


def review(
    store: StoreOpt = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
) -> None:
    """The reviewer workspace in the browser: flagged-conversation queue, conversation view, corrections."""
    import uvicorn

    from zhijian.review.app import create_app

    st = _store(store)
    typer.echo(f"reviewer workspace on http://{host}:{port}/login (Ctrl-C stops it)", err=True)
    try:
        uvicorn.run(create_app(st), host=host, port=port, log_level="warning")
    finally:
        st.close()


__all__ = ["db_app", "review", "users_app"]
