"""Prefect flow for the nightly QA run: thin tasks over pipeline.scoring's plain functions.

One task per stage per batch (never per message): prepare → ingest → store → score-batch-N
… → finish. I/O tasks retry; the flow publishes a markdown artifact summarising the run.
Runs without a Prefect server: Prefect starts a temporary local one when PREFECT_API_URL
is unset.

Batches run one after another: the sentiment model already batches internally and SQLite
takes one writer at a time, so concurrent batch tasks would only contend.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from pipeline.scoring import (
    RunContext,
    RunError,
    RunSummary,
    StorePlan,
    fail_run,
    finish_run,
    ingest_step,
    prepare_run,
    score_batch,
    store_step,
)
from pipeline.settings import get_settings

ARTIFACT_KEY = "nightly-qa-summary"
_MAX_FLAGGED_ROWS = 200  # the artifact is for a person: the full list is in the results file / store


def _retry_unless_config_error(task: Any, task_run: Any, state: Any) -> bool:
    """Retry transient I/O (an unreachable store); never retry a bad input, rubric or model."""
    try:
        state.result()
    except RunError as err:
        return str(err).startswith("cannot open store")
    except Exception:
        return True
    return False


# Tasks share a RunContext (store engine, model) in memory: nothing to cache or persist.
_TASK_OPTIONS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


@task(name="prepare", retries=2, retry_delay_seconds=5, retry_condition_fn=_retry_unless_config_error, **_TASK_OPTIONS)
def prepare_task(paths: list[str], store_url: str | None, rubric_path: str | None, model: Any, mapping: Any,
                 options: dict[str, Any]) -> RunContext:  # fmt: skip
    ctx = prepare_run(paths, store_url, rubric_path, model, mapping, **options)
    get_run_logger().info(
        "run %s: %d file(s), rubric %s, model %s, store %s",
        ctx.run_id, len(ctx.paths), ctx.rubric.id, getattr(ctx.model, "model_id", None), ctx.store.url,
    )  # fmt: skip
    return ctx


@task(name="ingest", retries=2, retry_delay_seconds=5, **_TASK_OPTIONS)
def ingest_task(ctx: RunContext) -> Any:
    ingest = ingest_step(ctx)
    get_run_logger().info("read %d rows, %d quarantined", ingest.read, len(ingest.quarantined))
    return ingest


@task(name="store", retries=2, retry_delay_seconds=5, **_TASK_OPTIONS)
def store_task(ctx: RunContext, ingest: Any) -> StorePlan:
    plan = store_step(ctx, ingest)
    get_run_logger().info(
        "stored %d new messages (%d duplicates); %d conversation(s) to score, %d unchanged",
        plan.stored, plan.duplicates, len(plan.to_score), plan.reused,
    )  # fmt: skip
    return plan


@task(name="score-batch", retries=1, retry_delay_seconds=5, **_TASK_OPTIONS)
def score_batch_task(ctx: RunContext, conversation_ids: list[str]) -> int:
    ok = score_batch(ctx, conversation_ids)
    failed = len(conversation_ids) - len(ok)
    logger = get_run_logger()
    logger.info("scored %d conversation(s)", len(ok))
    if failed:
        logger.warning("%d conversation(s) failed to score; recorded in the store (scoring_errors)", failed)
    return len(ok)


@task(name="finish", retries=2, retry_delay_seconds=5, **_TASK_OPTIONS)
def finish_task(ctx: RunContext, plan: StorePlan, results_path: str | None) -> RunSummary:
    return finish_run(ctx, plan, results_path)


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


@flow(name="nightly-qa", validate_parameters=False)
def nightly_qa(
    paths: list[str],
    store_url: str | None = None,
    results_path: str | None = None,
    rubric_path: str | None = None,
    model: Any = None,
    mapping: Any = None,
    rescore: bool = False,
    batch_size: int | None = None,
    command: str | None = None,
    rubric: Any = None,
    stages: Any = None,
    run_id: str | None = None,
) -> RunSummary:
    """Score chat-log files into the store (and a results JSONL); same steps as pipeline.scoring.score_files."""
    logger = get_run_logger()
    paths = [str(p) for p in paths]
    options = {"rubric": rubric, "stages": stages, "rescore": rescore, "command": command, "run_id": run_id}
    ctx = prepare_task(paths, store_url, rubric_path, model, mapping, options)
    try:
        ingest = ingest_task(ctx)
        plan = store_task(ctx, ingest)
        size = batch_size or get_settings().batch_size
        for n, ids in enumerate(plan.batches(size), start=1):
            score_batch_task.with_options(task_run_name=f"score-batch-{n}")(ctx, ids)
        summary = finish_task(ctx, plan, str(results_path) if results_path is not None else None)
    except BaseException as err:
        fail_run(ctx, err)
        raise
    finally:
        ctx.store.close()
    create_markdown_artifact(
        markdown=summary_markdown(summary), key=ARTIFACT_KEY, description=f"Nightly QA run {summary.run_id}"
    )
    logger.info(summary.summary_line())
    return summary


if __name__ == "__main__":  # python -m flows.nightly_qa FILE... (the CLI is the usual way in)
    import sys

    print(nightly_qa([str(Path(p)) for p in sys.argv[1:]]).summary_line())
