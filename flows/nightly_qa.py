"""Prefect flow for the nightly QA run: pipeline.scoring.run with tasks that wrap its step functions.

The sequence of steps and its failure handling live once, in `pipeline.scoring.run`; this
module only wraps each step in a task (prepare → ingest → store → score-batch-N … → finish),
wires retries and publishes a markdown artifact summarising the run. A task is retried only
when its error says it is worth it (`pipeline.errors.is_retryable`: a store that could not be
reached), never a bad input, rubric or model. Parameters are typed and Prefect validates them.
Runs without a Prefect server: Prefect starts a temporary local one when PREFECT_API_URL
is unset.

Batches run one after another: the sentiment model already batches internally and SQLite
takes one writer at a time, so concurrent batch tasks would only contend in one process. Each
score-batch task is told the next batch's ids, whose model work then runs on a model thread beside
this batch's rubric and store (pipeline.scoring.score_batch); each batch is still saved before the next.
On a DaskTaskRunner (`zhijian score --workers N` or `--dask tcp://HOST:PORT`: `dask_task_runner`)
the same batches become partitions: this process loads each one's stored messages, a worker
scores them (`score-partition-N` tasks; pipeline.partitions builds the stages once per worker
from the model's path and the rubric's text) and sends the scored conversations back, and this
process — the one writer, SQLite or PostgreSQL alike — saves them in batch order.

The temporary server is a child process (uvicorn) that Prefect stops from an atexit hook:
a CLI killed by SIGKILL, or by SIGTERM (Python runs no atexit hook then), left it running for
good, an orphan holding a port in 8000–8999. `guard_temporary_server` starts a tiny watchdog
beside it (flows/watchdog.py) that stops the server as soon as the process that started it is
gone. `zhijian score` starts the temporary server itself, first thing, and guards it the same way
(zhijian/prefect_server.py).
"""
from __future__ import annotations

import dataclasses
import itertools
import os
import sys
from collections import deque
from pathlib import Path
from typing import Annotated, Any, Optional

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.utilities.annotations import quote
from pydantic import Field

from flows.watchdog import watch_server
from pipeline.errors import is_retryable
from pipeline.partitions import Partition, PartitionSpec, ScoredPartition, score_messages, stages_for, strip_analysis
from pipeline.scoring import (
    RunContext,
    RunSteps,
    RunSummary,
    StorePlan,
    finish_run,
    ingest_step,
    prepare_run,
    run,
    save_partition,
    score_batch,
    store_step,
)

ARTIFACT_KEY = "nightly-qa-summary"

def guard_temporary_server() -> int | None:
    """Start a watchdog that stops Prefect's temporary server when this process dies; returns its pid.

    Nothing to do when PREFECT_API_URL points at a real server, or when `zhijian score` started the
    temporary server itself (zhijian/prefect_server.py guards that one as it starts it): Prefect then
    never imported its server module, and importing it here only to look (~2.5 s) would be waste.
    """
    module = sys.modules.get("prefect.server.api.server")
    if module is None:
        return None
    servers = [s.server_process for s in list(module.SubprocessASGIServer._instances.values()) if s.server_process]
    if not servers:
        return None
    return watch_server(servers[0].pid)


_MAX_FLAGGED_ROWS = 200  # the artifact is for a person: the full list is in the results file / store


def _retry_if_retryable(task: Any, task_run: Any, state: Any) -> bool:
    """Retry when the error (or one it was raised from) is retryable; decided by type, never by its text."""
    try:
        state.result()
    except BaseException as err:  # noqa: BLE001 - the state's own error, re-raised by result()
        return is_retryable(err)
    return False


# The ids of the task runs that ended in this process. A task run's final state reaches the server as an
# event that it records a moment later, on its own: `zhijian score` hands its flow's ids to
# zhijian/prefect_server.py, which stops the temporary server once it shows them final (sooner, it lost them).
FINISHED_TASK_RUNS: set[str] = set()


def _note_finished(task: Any, task_run: Any, state: Any) -> None:
    FINISHED_TASK_RUNS.add(str(task_run.id))


# Tasks share a RunContext (store engine, model) in memory: nothing to cache or persist.
_TASK_OPTIONS: dict[str, Any] = {
    "cache_policy": NO_CACHE, "persist_result": False, "retry_delay_seconds": 5,
    "retry_condition_fn": _retry_if_retryable, "on_completion": [_note_finished], "on_failure": [_note_finished],
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
def score_batch_task(ctx: RunContext, conversation_ids: list[str], upcoming: Optional[list[str]] = None) -> int:
    ok = score_batch(ctx, conversation_ids, upcoming)
    failed = len(conversation_ids) - len(ok)
    logger = get_run_logger()
    logger.info("scored %d conversation(s)", len(ok))
    if failed:
        logger.warning("%d conversation(s) failed to score; recorded in the store (scoring_errors)", failed)
    return len(ok)


@task(name="finish", retries=2, **_TASK_OPTIONS)
def finish_task(ctx: RunContext, plan: StorePlan, results_path: str | None) -> RunSummary:
    return finish_run(ctx, plan, results_path)


@task(name="score-partition", retries=1, **_TASK_OPTIONS)
def score_partition_task(spec: PartitionSpec, partition: Partition) -> ScoredPartition:
    """On a Dask worker: score one partition's messages with this worker's cached stages; no store."""
    scored = strip_analysis(score_messages(stages_for(spec), partition.messages))
    get_run_logger().info("scored %d conversation(s), %d failed", len(scored.conversations), len(scored.errors))
    return scored


def dask_task_runner(workers: int | None = None, address: str | None = None) -> Any:
    """A DaskTaskRunner: an existing cluster's scheduler at `address`, or a local cluster of `workers`
    processes with one thread each (the model runs one batch per process; threads would share a GIL)."""
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers or 2, "threads_per_worker": 1})


def _dask_client() -> Any | None:
    """The flow run's Dask client when it runs on a DaskTaskRunner, else None."""
    if "prefect_dask" not in sys.modules:  # no DaskTaskRunner exists without it; dask is slow to import
        return None
    from prefect_dask import DaskTaskRunner

    runner = getattr(FlowRunContext.get(), "task_runner", None)
    return runner.client if isinstance(runner, DaskTaskRunner) else None


def _partition_spec(ctx: RunContext, model: Any, stages: list[Any] | None) -> PartitionSpec:
    """What the workers need: the model's directory or name (not the loaded model), the rubric's text."""
    from pipeline.settings import get_settings

    if model is None:
        model = get_settings().sentiment_model
    elif not isinstance(model, (str, Path)):
        model = ctx.model  # an object (tests): it travels with each partition
    if isinstance(model, (str, Path)) and Path(model).exists():
        model = Path(model).resolve()  # a worker's working directory is not this one's
    text = getattr(ctx.rubric, "source_text", None)
    return PartitionSpec(
        model=str(model) if isinstance(model, Path) else model, rubric_text=text,
        rubric_source=getattr(ctx.rubric, "source", None), rubric=None if text is not None else ctx.rubric,
        replace=tuple(stages or ()),
    )  # fmt: skip


def dask_dispatch(client: Any, model: Any, stages: list[Any] | None) -> Any:
    """RunSteps.dispatch on Dask: partitions scored on workers, saved here in batch order.

    Up to two partitions per worker thread are in flight, so a worker has its next partition while
    this process saves the last one, and memory stays bounded by the partitions in flight.
    """

    def dispatch(ctx: RunContext, batches: list[list[str]], _score: Any) -> Any:
        spec = _partition_spec(ctx, model, stages)
        slots = max(1, sum(client.nthreads().values()))
        in_flight: deque[tuple[list[str], Any]] = deque()
        for number, ids in enumerate(batches, 1):
            with ctx.timed("store"):
                messages = ctx.store.load_conversation_messages(ids)
            future = score_partition_task.with_options(task_run_name=f"score-partition-{number}").submit(
                spec, Partition(messages)
            )
            in_flight.append((ids, future))
            while len(in_flight) >= 2 * slots:
                yield _save(ctx, *in_flight.popleft())
        while in_flight:
            yield _save(ctx, *in_flight.popleft())

    return dispatch


def _save(ctx: RunContext, ids: list[str], future: Any) -> int:
    save_partition(ctx, future.result())
    FINISHED_TASK_RUNS.add(str(future.task_run_id))  # its hook ran on the worker, not here
    return len(ids)


def flow_steps(dispatch: Any = None) -> RunSteps:
    """The run's steps as tasks; batches are named score-batch-1, -2, … in the Prefect UI."""
    numbers = itertools.count(1)

    # quote(): Prefect walks every task argument twice (upstream runs to link, futures to resolve);
    # through the ingest result that is every field of every Message. At 33,400 rows the store task
    # took 26–54 s in the flow, 3–4 s with the walk skipped (benchmarks, same loaded machine). Our
    # arguments hold no futures or states: nothing to find. A batch's ids and the next batch's are
    # thousands of strings each: those walks were most of the flow's own time on the run's thread
    # while it scored (sampled at 10,000 conversations), so they are skipped too.
    def batch(ctx: RunContext, ids: list[str], upcoming: list[str] | None = None) -> int:
        name = f"score-batch-{next(numbers)}"
        return score_batch_task.with_options(task_run_name=name)(ctx, quote(ids), quote(upcoming) if upcoming else upcoming)

    def store(ctx: RunContext, ingest: Any) -> StorePlan:
        return store_task(ctx, quote(ingest))

    def finish(ctx: RunContext, plan: StorePlan, results_path: str | None) -> RunSummary:
        return finish_task(ctx, quote(plan), results_path)

    steps = RunSteps(prepare=prepare_task, ingest=ingest_task, store=store, score_batch=batch, finish=finish)
    return steps if dispatch is None else dataclasses.replace(steps, dispatch=dispatch)


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
    client = _dask_client()  # on a DaskTaskRunner (dask_task_runner): partitions go to its workers
    summary = run(
        paths, store_url, results_path, rubric_path, model, mapping, rubric=rubric, stages=stages or (),
        read_inputs=read_inputs, rescore=rescore, batch_size=batch_size, command=command, run_id=run_id,
        steps=flow_steps(dask_dispatch(client, model, stages) if client is not None else None),
    )  # fmt: skip
    create_markdown_artifact(
        markdown=summary_markdown(summary), key=ARTIFACT_KEY, description=f"Nightly QA run {summary.run_id}"
    )
    get_run_logger().info(summary.summary_line())
    return summary


_JSON_VALUES = (str, int, float, bool, type(None))


def _json_value(value: Any) -> bool:
    kind = type(value)  # exact types: a str enum or a Path is Prefect's to encode, not passed on as it is
    if kind in _JSON_VALUES:
        return True
    if kind is list:
        return all(_json_value(v) for v in value)
    return kind is dict and all(type(k) is str and _json_value(v) for k, v in value.items())


def _recorded_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """The flow run's parameters as Prefect records them on the server, without FastAPI.

    Prefect's Flow.serialize_parameters encodes each value with FastAPI's jsonable_encoder, and importing it
    imports all of FastAPI (its app, routing and OpenAPI models): in `zhijian score` nothing else does, and
    it cost ~0.25 CPU s on the run's thread for a dozen parameters. Ours are JSON values as they are (paths,
    URLs, flags, a batch size: what jsonable_encoder returns for them too) or objects (the CLI's reader; a
    model, rubric or stages from tests), which are recorded by their type name, as Prefect records what
    it cannot encode; a path as its text, as jsonable_encoder writes it.
    """
    return {k: _recorded(v) for k, v in parameters.items()}


def _recorded(value: Any) -> Any:
    if _json_value(value):
        return value
    if isinstance(value, os.PathLike):  # jsonable_encoder writes a path as its text: so do we
        return os.fspath(value)
    return f"<{type(value).__name__}>"


nightly_qa.serialize_parameters = _recorded_parameters  # type: ignore[method-assign]


if __name__ == "__main__":  # python -m flows.nightly_qa FILE... (the CLI is the usual way in)
    print(nightly_qa([str(Path(p)) for p in sys.argv[1:]]).summary_line())
