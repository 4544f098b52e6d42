"""The scheduled deployments `zhijian serve` registers and serves, and the inbox flow behind `nightly-qa`.

    nightly-qa      flow nightly-inbox   cron ZHIJIAN_NIGHTLY_CRON (02:00)  in ZHIJIAN_SCHEDULE_TIMEZONE
    monthly-cards   flow monthly_cards   cron ZHIJIAN_CARDS_CRON (06:00 on the 1st), the previous month

`nightly_inbox` is thin: pipeline.inbox picks the inbox's new files, the nightly run itself is
the `nightly-qa` flow (flows/nightly_qa.py, a subflow: its tasks, logs and run-summary
artifact appear under it in the UI), and pipeline.inbox records how it ended for those files.

Deployment parameters are shown in Prefect's UI, so a store URL with a password is never one:
the served flow runs inherit the serving process's environment and read ZHIJIAN_STORE_URL there.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Optional
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.deployments.runner import EntrypointType
from prefect.schedules import Cron

from flows.monthly_cards import monthly_cards
from flows.nightly_qa import nightly_qa
from pipeline import inbox as inbox_files
from pipeline.errors import RunError
from pipeline.settings import get_settings
from pipeline.store import Store, safe_url

NIGHTLY = "nightly-qa"
CARDS = "monthly-cards"
INBOX_ARTIFACT_KEY = "nightly-inbox"


@flow(name="nightly-inbox", validate_parameters=True)
def nightly_inbox(
    inbox: Optional[str] = None,
    store_url: Optional[str] = None,
    results_dir: Optional[str] = None,
    rubric_path: Optional[str] = None,
    model: Optional[str] = None,
    settle_seconds: float = inbox_files.SETTLE_SECONDS,
) -> dict[str, Any]:
    """Score the inbox's new chat exports (each file once) and write tonight's dated results file."""
    settings = get_settings()
    inbox = inbox or settings.inbox
    if not inbox:
        raise RunError("no inbox: set ZHIJIAN_INBOX (or `zhijian serve --inbox`) to the folder or glob of the day's exports")
    logger = get_run_logger()
    with Store(store_url) as store:
        files = inbox_files.new_files(inbox, store, settle_seconds)
    if not files:
        logger.info("inbox %s: no new files", inbox)
        create_markdown_artifact(key=INBOX_ARTIFACT_KEY, markdown=f"# Nightly inbox\n\n`{inbox}`: no new files.\n")
        return {"files": [], "run_id": None, "status": "nothing to do"}
    logger.info("inbox %s: %d new file(s): %s", inbox, len(files), ", ".join(f.path.name for f in files))
    day = datetime.now(ZoneInfo(settings.schedule_timezone)).date()
    results_path = inbox_files.results_path_for(results_dir or settings.results_dir, day)
    run_id = str(uuid.uuid4())
    with Store(store_url) as store:
        inbox_files.take(store, files, run_id)
    status = "failed"
    try:
        summary = nightly_qa([str(f.path) for f in files], store_url=store_url, results_path=str(results_path),
                             rubric_path=rubric_path, model=model, run_id=run_id, command=f"zhijian serve ({NIGHTLY})")  # fmt: skip
        status = summary.status
    finally:  # a killed process leaves them 'running': the next run retries them all the same
        with Store(store_url) as store:
            inbox_files.settle(store, files, run_id, status)
    rows = "\n".join(f"| {f.path.name} | {f.size} |" for f in files)
    create_markdown_artifact(
        key=INBOX_ARTIFACT_KEY,
        markdown=f"# Nightly inbox\n\nRun `{run_id}` ({status}) scored {len(files)} new file(s) of `{inbox}`; results in "
                 f"`{results_path}`.\n\n| file | bytes |\n|---|---:|\n{rows}\n",  # fmt: skip
    )
    return {"files": [str(f.path) for f in files], "run_id": run_id, "status": status, "results_path": str(results_path)}


@dataclass(frozen=True)
class ServeOptions:
    """What the schedules run on; None takes the setting."""

    inbox: str | None = None
    store_url: str | None = None
    results_dir: str | None = None
    nightly_cron: str | None = None
    cards_cron: str | None = None
    timezone: str | None = None


def _schedule(cron: str, timezone: str, setting: str) -> Any:
    try:
        return Cron(cron, timezone=timezone)
    except ValueError as err:  # Prefect's own cron and time-zone check
        raise RunError(f"{setting}={cron} ({timezone}): {err} — give a cron string such as \"0 2 * * *\" and an IANA "
                       f"time zone such as Asia/Shanghai")  # fmt: skip


def build_deployments(options: ServeOptions = ServeOptions()) -> list[Any]:
    """The two RunnerDeployments, schedules and parameters resolved from options over settings; RunError on a bad one."""
    settings = get_settings()
    inbox = options.inbox or settings.inbox
    if not inbox:
        raise RunError("no inbox: set ZHIJIAN_INBOX or pass --inbox with the folder or glob where the day's chat "
                       "exports arrive (e.g. /data/exports or '/data/exports/*.jsonl')")  # fmt: skip
    timezone = options.timezone or settings.schedule_timezone
    results_dir = str(Path(options.results_dir or settings.results_dir).expanduser().resolve())
    store_url = options.store_url or settings.store_url
    # A password would be shown in the UI: such a URL reaches the flow runs through the environment instead.
    shown_store = store_url if safe_url(store_url) == store_url else None
    nightly = nightly_inbox.to_deployment(
        name=NIGHTLY,
        schedule=_schedule(options.nightly_cron or settings.nightly_cron, timezone, "ZHIJIAN_NIGHTLY_CRON"),
        parameters={"inbox": str(inbox), "store_url": shown_store, "results_dir": results_dir},
        description="Score the inbox's new chat exports every night (each file once); results in the results folder.",
        tags=["zhijian"],
        entrypoint_type=EntrypointType.MODULE_PATH,
        _sync=True,  # a caller inside a Prefect run context (or a running loop) would otherwise get a coroutine
    )
    cards = monthly_cards.to_deployment(
        name=CARDS,
        schedule=_schedule(options.cards_cron or settings.cards_cron, timezone, "ZHIJIAN_CARDS_CRON"),
        parameters={"store_url": shown_store, "out_dir": str(Path(results_dir) / "cards")},
        description="Build the previous month's QA cards on the 1st.",
        tags=["zhijian"],
        entrypoint_type=EntrypointType.MODULE_PATH,
        _sync=True,  # a caller inside a Prefect run context (or a running loop) would otherwise get a coroutine
    )
    return [nightly, cards]
