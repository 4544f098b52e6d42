"""`zhijian score`: the nightly run on chat-log files, through the Prefect flow (default) or its plain steps.

The steps of a run live in pipeline.scoring.run, which both `--no-flow` and the Prefect flow use;
this module parses, starts Prefect's temporary server early (zhijian/prefect_server.py), calls and
prints. The last line on stdout is the machine-readable summary (docs/results-contract.md).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from zhijian.common import FlowOpt, StoreOpt, fail, flow_or_plain, how_to_call_me, prefect_quietly


def score(
    inputs: Annotated[list[Path], typer.Argument(help="Chat-log files (.jsonl, .csv, .parquet, .json).", show_default=False)] = None,  # type: ignore[assignment]
    results: Annotated[Optional[Path], typer.Option("--results", metavar="FILE", help="Write one JSON object per conversation here (JSONL).")] = None,
    store: StoreOpt = None,
    rubric: Annotated[Optional[Path], typer.Option("--rubric", metavar="FILE", help="Rubric file; default: ZHIJIAN_RUBRIC_PATH / rubrics/default.yaml.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", metavar="DIR", help="Sentiment model directory or name; default: ZHIJIAN_SENTIMENT_MODEL.")] = None,
    mapping: Annotated[Optional[Path], typer.Option("--mapping", metavar="FILE", help="Column mapping (YAML/TOML) for exports with other column names.")] = None,
    flow: FlowOpt = True,
    rescore: Annotated[bool, typer.Option("--rescore", help="Score every input conversation again, even unchanged ones.")] = False,
    workers: Annotated[Optional[int], typer.Option("--workers", metavar="N", min=1, help="Score on a local Dask cluster of N worker processes.")] = None,
    dask: Annotated[Optional[str], typer.Option("--dask", metavar="tcp://HOST:PORT", help="Score on an existing Dask cluster (its scheduler's address).")] = None,
) -> None:
    """Run the nightly QA on chat-log files: store messages, score, write results.

    The last line on stdout is `summary: read=N stored=S duplicates=D quarantined=Q conversations=C flagged=F`.
    """
    from pipeline.errors import ZhijianError

    command = "zhijian " + " ".join(sys.argv[1:])
    options = dict(
        store_url=store, results_path=str(results) if results else None, rubric_path=str(rubric) if rubric else None,
        model=model, mapping=str(mapping) if mapping else None, rescore=rescore, command=command,
    )  # fmt: skip
    if (workers or dask) and not flow:
        raise fail("--workers and --dask run through the Prefect flow: drop --no-flow")
    try:
        if flow:
            summary = score_with_flow([str(p) for p in inputs or []], options, workers, dask)
        else:
            from pipeline.scoring import run

            summary = run([str(p) for p in inputs or []], progress=sys.stderr.isatty(), **options)
    except ZhijianError as err:
        raise fail(str(err)) from None
    out = typer.echo
    out(f"run {summary.run_id}: {summary.scored} scored, {summary.reused} unchanged, status {summary.status}")
    if summary.results_path:
        out(f"results: {summary.results_path}")
    if summary.quarantined:
        out(f"quarantined rows: {how_to_call_me()} quarantine --run {summary.run_id}")
    if summary.scoring_errors:
        out(f"{summary.scoring_errors} conversation(s) could not be scored: {how_to_call_me()} quarantine --run {summary.run_id}")
    sys.stderr.flush()
    out(summary.summary_line())


def score_with_flow(paths: list[str], options: dict[str, Any], workers: int | None = None, dask: str | None = None) -> Any:
    from zhijian.prefect_server import start_temporary_server_early

    prefect_quietly()
    # The temporary server boots in its own process while this one checks and loads (zhijian/prefect_server.py).
    server_ready = start_temporary_server_early()
    import uuid

    from pipeline.scoring import preflight, preload_run, run
    from pipeline.store import Store

    # Fail fast, before the flow starts, on what the user can fix.
    checked = preflight(paths, options["store_url"], options["rubric_path"], options["mapping"],
                        results_path=options["results_path"])  # fmt: skip
    checked.store.close()
    # Held until the run is prepared: prepare_run finds the model, rubric and segmenter loaded.
    loaded = (checked.rubric, preload_run(options["model"], checked.rubric))
    run_id = str(uuid.uuid4())

    def via_flow() -> Any:
        from flows.nightly_qa import FINISHED_TASK_RUNS, dask_task_runner, nightly_qa

        from prefect.settings import PREFECT_API_URL, temporary_settings
        from zhijian.prefect_server import expect_recorded

        runner = dask_task_runner(workers, dask) if workers or dask else None
        api = server_ready()  # the temporary server's URL, for the Dask workers too (None: a real server or none)
        before = set(FINISHED_TASK_RUNS)
        # On the temporary server, no flow-run heartbeats: it lives exactly as long as this process and runs no
        # automation that would read them (zhijian/prefect_server.py), and the heartbeat thread sleeps in
        # 1 s steps, so joining it when the flow ends cost up to a second (0.7 s in a sampled 10,000 run).
        quiet = {PREFECT_API_URL: api, "flows.heartbeat_frequency": None} if api else {}
        try:
            with temporary_settings(quiet):
                return (nightly_qa.with_options(task_runner=runner) if runner else nightly_qa)(paths, run_id=run_id, **options)
        finally:
            ours = FINISHED_TASK_RUNS - before
            FINISHED_TASK_RUNS.difference_update(ours)  # handed on below, so the process-wide set does not grow
            if api:  # this flow's task runs: the temporary server is stopped once it shows them final
                expect_recorded(ours)

    def began(_err: BaseException) -> bool:  # the run is in the store once the flow's first step ran
        with Store(options["store_url"]) as started:
            return started.get_run(run_id) is not None

    try:
        return flow_or_plain("nightly", via_flow, lambda: run(paths, run_id=run_id, **options), began)
    finally:
        del loaded  # the preloaded objects live exactly as long as the run that uses them
