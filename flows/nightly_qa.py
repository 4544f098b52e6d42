"""Prefect flow for the nightly QA run: pipeline.scoring.run with tasks that wrap its step functions.

The sequence of steps and its failure handling live once, in `pipeline.scoring.run`; this
module only wraps each step in a task (prepare → ingest → store → score-batch-N … → finish),
wires retries and publishes a markdown artifact summarising the run. A task is retried only
when its error says it is worth it (`pipeline.errors.is_retryable`: a store that could not be
reached), never a bad input, rubric or model. Parameters are typed and Prefect validates them.
Runs without a Prefect server: Prefect starts a temporary local one when PREFECT_API_URL
is unset.

Batches run one after another: the sentiment model already batches internally and SQLite
takes one writer at a time, so concurrent batch tasks would only contend.

The temporary server is a child process (uvicorn) that Prefect stops from an atexit hook:
a CLI killed by SIGKILL, or by SIGTERM (Python runs no atexit hook then), left it running for
good, an orphan holding a port in 8000–8999. `guard_temporary_server` starts a tiny watchdog
beside it (its own session, so a kill of the CLI's process group does not take it first) that
stops the server as soon as the process that started it is gone.
"""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import Field

from pipeline.errors import is_retryable
from pipeline.scoring import (
    RunContext,
    RunSteps,
    RunSummary,
    StorePlan,
    finish_run,
    ingest_step,
    prepare_run,
    run,
    score_batch,
    store_step,
)

ARTIFACT_KEY = "nightly-qa-summary"

# The watchdog: argv = owner pid, server pid. Polls each second; when the owner is gone (this
# process is re-parented) it terminates the server (SIGKILL after 5 s); it exits with the server.
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


def guard_temporary_server() -> int | None:
    """Start a watchdog that stops Prefect's temporary server when this process dies; returns its pid.

    Nothing to do when PREFECT_API_URL points at a real server (no temporary one was started).
    """
    try:
        from prefect.server.api.server import SubprocessASGIServer
    except ImportError:  # pragma: no cover - another Prefect layout: nothing to guard
        return None
    servers = [s.server_process for s in list(SubprocessASGIServer._instances.values()) if s.server_process]
    if not servers:
        return None
    watchdog = subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(servers[0].pid)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    return watchdog.pid
_MAX_FLAGGED_ROWS = 200  # the artifact is for a person: the full list is in the results file / store


def _retry_if_retryable(task: Any, task_run: Any, state: Any) -> bool:
    """Retry when the error (or one it was raised from) is retryable; decided by type, never by its text."""
    try:
        state.result()
    except BaseException as err:  # noqa: BLE001 - the state's own error, re-raised by result()
        return is_retryable(err)
    return False


# Tasks share a RunContext (store engine, model) in memory: nothing to cache or persist.
_TASK_OPTIONS: dict[str, Any] = {
    "cache_policy": NO_CACHE, "persist_result": False, "retry_delay_seconds": 5,
    "retry_condition_fn": _retry_if_retryable,
}  # fmt: skip


@task(name="prepare", retries=2, **_TASK_OPTIONS)
def prepare_task(paths: list[str], store_url: str | None, rubric_path: str | None, model: Any, mapping: Any,
                 **options: Any) -> RunContext:  # fmt: skip
    ctx = prepare_run(paths, store_url, rubric_path, model, mapping, **options)
    get_run_logger().info(
        "run %s: %d file(s), rubric %s, model %s, store %s",
        ctx.run_id, len(ctx.paths), ctx.rubric.id, getattr(ctx.model, "model_id", None), ctx.store.url,
    )  # fmt: skip
    return ctx


@task(name="ingest", retries=2, **_TASK_OPTIONS)
def ingest_task(ctx: RunContext) -> Any:
    ingest = ingest_step(ctx)
    get_run_logger().info("read %d rows, %d quarantined", ingest.read, len(ingest.quarantined))
    return ingest


@task(name="store", retries=2, **_TASK_OPTIONS)
def store_task(ctx: RunContext, ingest: Any) -> StorePlan:
    plan = store_step(ctx, ingest)
    get_run_logger().info(
        "stored %d new messages (%d duplicates); %d conversation(s) to score, %d unchanged",
        plan.stored, plan.duplicates, len(plan.to_score), plan.reused,
    )  # fmt: skip
    return plan


@task(name="score-batch", retries=1, **_TASK_OPTIONS)
def score_batch_task(ctx: RunContext, conversation_ids: list[str]) -> int:
    ok = score_batch(ctx, conversation_ids)
    failed = len(conversation_ids) - len(ok)
    logger = get_run_logger()
    logger.info("scored %d conversation(s)", len(ok))
    if failed:
        logger.warning("%d conversation(s) failed to score; recorded in the store (scoring_errors)", failed)
    return len(ok)


@task(name="finish", retries=2, **_TASK_OPTIONS)
def finish_task(ctx: RunContext, plan: StorePlan, results_path: str | None) -> RunSummary:
    return finish_run(ctx, plan, results_path)


def flow_steps() -> RunSteps:
    """The run's steps as tasks; batches are named score-batch-1, -2, … in the Prefect UI."""
    numbers = itertools.count(1)

    def batch(ctx: RunContext, ids: list[str]) -> int:
        return score_batch_task.with_options(task_run_name=f"score-batch-{next(numbers)}")(ctx, ids)

    return RunSteps(prepare=prepare_task, ingest=ingest_task, store=store_task, score_batch=batch, finish=finish_task)


def summary_markdown(summary: RunSummary) -> str:
    """The run as a person reads it in the Prefect UI."""
    lines = [
        f"# Nightly QA run `{summary.run_id}`",
        "",
        f"Rubric `{summary.rubric_version}`, model `{summary.model_version}`, status **{summary.status}**.",
        "",
        "| read | stored | duplicates | quarantined | conversations | scored | unchanged | flagged | scoring errors |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {summary.read} | {summary.stored} | {summary.duplicates} | {summary.quarantined} | {summary.conversations} "
        f"| {summary.scored} | {summary.reused} | {summary.flagged} | {summary.scoring_errors} |",
        "",
    ]
    if summary.quarantined:
        lines += [f"Quarantined rows: `zhijian quarantine --run {summary.run_id}`.", ""]
    if summary.notes:
        lines += [f"{summary.notes} row(s) kept with a value dropped or cut: `zhijian quarantine --run {summary.run_id}`.", ""]
    if summary.flagged_conversations:
        lines += ["## Flagged conversations", "", "| conversation | flags |", "|---|---|"]
        for cid, codes in summary.flagged_conversations[:_MAX_FLAGGED_ROWS]:
            lines.append(f"| {cid} | {', '.join(codes)} |")
        more = len(summary.flagged_conversations) - _MAX_FLAGGED_ROWS
        if more > 0:
            lines.append(f"| … {more} more | see {summary.results_path or 'the store'} |")
        lines.append("")
    if summary.errors:
        lines += ["## Scoring errors", "", "| conversation | stage | error |", "|---|---|---|"]
        for cid, stage, err in summary.errors[:_MAX_FLAGGED_ROWS]:
            lines.append(f"| {cid} | {stage} | {err.replace('|', '/').splitlines()[0]} |")
        lines.append("")
    return "\n".join(lines)


@flow(name="nightly-qa", validate_parameters=True)
def nightly_qa(
    paths: list[str],
    store_url: Optional[str] = None,
    results_path: Optional[str] = None,
    rubric_path: Optional[str] = None,
    model: Any = None,  # a model directory or name (str), or a classifier object (tests)
    mapping: Optional[str] = None,
    rescore: bool = False,
    batch_size: Optional[Annotated[int, Field(ge=1)]] = None,
    command: Optional[str] = None,
    rubric: Any = None,  # a loaded rubric instead of rubric_path (tests)
    stages: Optional[list[Any]] = None,  # pipeline.stages.Stage replacements (tests)
    read_inputs: Any = None,  # replaces pipeline.ingest.read_inputs (tests)
    run_id: Optional[str] = None,
) -> RunSummary:
    """Score chat-log files into the store (and a results JSONL): pipeline.scoring.run, each step a task."""
    guard_temporary_server()  # a killed CLI must not leave the temporary Prefect server behind
    summary = run(
        paths, store_url, results_path, rubric_path, model, mapping, rubric=rubric, stages=stages or (),
        read_inputs=read_inputs, rescore=rescore, batch_size=batch_size, command=command, run_id=run_id,
        steps=flow_steps(),
    )  # fmt: skip
    create_markdown_artifact(
        markdown=summary_markdown(summary), key=ARTIFACT_KEY, description=f"Nightly QA run {summary.run_id}"
    )
    get_run_logger().info(summary.summary_line())
    return summary


if __name__ == "__main__":  # python -m flows.nightly_qa FILE... (the CLI is the usual way in)
    import sys

    print(nightly_qa([str(Path(p)) for p in sys.argv[1:]]).summary_line())
