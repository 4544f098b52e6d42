"""`zhijian serve`: register the two scheduled deployments with a Prefect server and run them when due.

The deployments (schedules, parameters, the inbox flow) are built in flows/deployments.py;
this module only checks what a user can fix before Prefect starts (the server address, the
inbox, the store), registers, and serves until stopped. `--register-only` registers and exits
(a deployment whose schedule a server already runs elsewhere, or a check of what would run).
"""
from __future__ import annotations

import os
from typing import Annotated, Optional

import typer

from zhijian.common import StoreOpt, fail


def _api_url() -> str | None:
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


def serve(
    inbox: Annotated[Optional[str], typer.Option("--inbox", metavar="DIR|GLOB", help="Folder or glob of the day's chat exports; default: ZHIJIAN_INBOX.")] = None,
    store: StoreOpt = None,
    results_dir: Annotated[Optional[str], typer.Option("--results-dir", metavar="DIR", help="Where nightly results and monthly cards go; default: ZHIJIAN_RESULTS_DIR.")] = None,
    nightly_cron: Annotated[Optional[str], typer.Option("--nightly-cron", metavar="CRON", help="When nightly-qa runs; default: ZHIJIAN_NIGHTLY_CRON (0 2 * * *).")] = None,
    cards_cron: Annotated[Optional[str], typer.Option("--cards-cron", metavar="CRON", help="When monthly-cards runs; default: ZHIJIAN_CARDS_CRON (0 6 1 * *).")] = None,
    timezone: Annotated[Optional[str], typer.Option("--timezone", metavar="TZ", help="Time zone of both schedules; default: ZHIJIAN_SCHEDULE_TIMEZONE (Asia/Shanghai).")] = None,
    register_only: Annotated[bool, typer.Option("--register-only", help="Register (or update) the two deployments and exit, without serving them.")] = False,
) -> None:
    """Schedule the nightly QA over an inbox (nightly-qa) and the monthly cards (monthly-cards) on a Prefect server, and run them when due."""
    from pipeline.errors import ZhijianError
    from pipeline.inbox import inbox_paths
    from pipeline.settings import get_settings
    from pipeline.store import Store, safe_url

    if not _api_url():
        raise fail("no Prefect server: start one (`prefect server start`) and set PREFECT_API_URL=http://127.0.0.1:4200/api "
                   "— a schedule needs a server that outlives this command")  # fmt: skip
    settings = get_settings()
    try:
        n = len(inbox_paths(inbox or settings.inbox)) if (inbox or settings.inbox) else None
        with Store(store):  # reachable, and at this zhijian's schema, before anything is scheduled on it
            pass
        from flows.deployments import ServeOptions, build_deployments

        options = ServeOptions(inbox, store, results_dir, nightly_cron, cards_cron, timezone)
        deployments = build_deployments(options)
    except ZhijianError as err:
        raise fail(str(err)) from None
    if store and safe_url(store) != store:
        os.environ["ZHIJIAN_STORE_URL"] = store  # the flow runs inherit it; never a parameter (shown in the UI)
    for d in deployments:
        schedule = d.schedules[0].schedule
        typer.echo(f"{d.flow_name}/{d.name}: cron {schedule.cron!r} in {schedule.timezone}")
    typer.echo(f"inbox {inbox or settings.inbox} ({n} file(s) there now), store {safe_url(store or settings.store_url)}")
    if register_only:
        for d in deployments:
            typer.echo(f"registered {d.flow_name}/{d.name}: {d.apply(_sync=True)}")
        return
    from prefect import serve as prefect_serve

    typer.echo(f"serving on {_api_url()} (Ctrl-C stops; the schedules are paused until the next `zhijian serve`)")
    prefect_serve(*deployments)
