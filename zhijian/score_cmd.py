"""`zhijian score`: the nightly run on chat-log files, through the Prefect flow (default) or its plain steps.

The steps of a run live in pipeline.scoring.run, which both `--no-flow` and the Prefect flow use;
this module parses, starts Prefect's temporary server early (zhijian/prefect_server.py), begins the run
while that server starts (prepared, its first pieces stored and the first batches' model work started:
pipeline.scoring.prepare_ahead, ReadAhead.store; on Dask only read: ReadAhead.fill), calls and prints.
The last line on stdout is the machine-readable summary (docs/results-contract.md).
"""
from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
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
    from pipeline.run_env import frozen_heap
    from zhijian.prefect_server import start_temporary_server_early

    prefect_quietly()
    # The temporary server boots in its own process while this one checks and loads (zhijian/prefect_server.py).
    server_ready = start_temporary_server_early()
    # The collector off from here on, not only from the run's first stored piece (below): the imports, checks and
    # loads before it (pipeline.scoring, the rubric, the model, jieba's dictionary) made 217 collector passes
    # that had next to nothing to free: 1.35 → 1.23 CPU s to the end of the preload (medians of 5 alternating
    # runs, session 11). What they leave is frozen with the rest where the run's own window opens.
    with frozen_heap():
        return _score_with_flow(paths, options, workers, dask, server_ready)


def _score_with_flow(paths: list[str], options: dict[str, Any], workers: int | None, dask: str | None,
                     server_ready: Any) -> Any:  # fmt: skip
    import uuid

    from pipeline import scoring
    from pipeline.run_env import frozen_heap
    from pipeline.store import Store

    # Fail fast, before the flow starts, on what the user can fix.
    checked = scoring.preflight(paths, options["store_url"], options["rubric_path"], options["mapping"],
                                results_path=options["results_path"])  # fmt: skip
    checked.store.close()
    # Held until the run is prepared: prepare_run finds the model, rubric and segmenter loaded.
    loaded = (checked.rubric, scoring.preload_run(options["model"], checked.rubric))
    run_id = str(uuid.uuid4())
    reader = ReadAhead.of(paths, checked.mapping)  # nothing read yet
    # While the server still starts, the run begins here: prepared (lock, run log) and its first pieces stored,
    # the first batches' model work started as they are (pipeline.scoring.store_ahead). The flow's prepare task
    # takes this very run, its ingest task stores on from there. Not on Dask: partitions are scored there, later.
    ahead = reader is not None and not (workers or dask)

    def via_flow() -> Any:
        from flows.nightly_qa import FINISHED_TASK_RUNS, dask_task_runner, nightly_qa

        from prefect.settings import PREFECT_API_URL, temporary_settings
        from zhijian.prefect_server import expect_recorded

        runner = dask_task_runner(workers, dask) if workers or dask else None
        if reader is not None and not ahead:  # while the temporary server starts, this process reads the run's first pieces
            reader.fill(server_ready.answering)
        api = server_ready()  # the temporary server's URL, for the Dask workers too (None: a real server or none)
        before = set(FINISHED_TASK_RUNS)
        # On the temporary server, no flow-run heartbeats: it lives exactly as long as this process and runs no
        # automation that would read them (zhijian/prefect_server.py), and the heartbeat thread sleeps in
        # 1 s steps, so joining it when the flow ends cost up to a second (0.7 s in a sampled 10,000 run).
        # No API version check either: this process started that server from its own Prefect, so the versions
        # match, and the check was the flow's first request to the just-started server (0.6 s at load ~13).
        quiet = ({PREFECT_API_URL: api, "flows.heartbeat_frequency": None, "client.server_version_check_enabled": False}
                 if api else {})  # fmt: skip
        try:
            with temporary_settings(quiet):
                return (nightly_qa.with_options(task_runner=runner) if runner else nightly_qa)(
                    paths, run_id=run_id, read_inputs=reader, **options
                )  # fmt: skip
        finally:
            ours = FINISHED_TASK_RUNS - before
            FINISHED_TASK_RUNS.difference_update(ours)  # handed on below, so the process-wide set does not grow
            if api:  # this flow's task runs: the temporary server is stopped once it shows them final
                expect_recorded(ours)

    def began(_err: BaseException) -> bool:  # the run's steps began once the flow's first step ran
        if ahead:  # prepared here: begun once the flow's prepare task took it
            return scoring.take_ahead(run_id, peek=True) is None
        with Store(options["store_url"]) as started:
            return started.get_run(run_id) is not None

    # The run's own steps hold the collector off (pipeline.run_env.frozen_heap); so does this, from the first
    # piece stored to the flow's end, so the stretches between them (Prefect and the flow imported, the flow run
    # started, the flow's end) no longer walk the model, the segmenter's dictionary and Prefect's modules: three
    # and one full passes there had cost 0.94 CPU s of a 10,000-conversation run. (Since session 11 the collector
    # is off from score_with_flow's start; this window freezes what the checks and loads built.)
    try:
        with frozen_heap():
            if ahead:
                reader.store(scoring.prepare_ahead(paths, run_id, read_inputs=reader, **options), server_ready.answering)
            return flow_or_plain("nightly", via_flow, lambda: scoring.run(paths, run_id=run_id, read_inputs=reader, **options), began)
    finally:
        left = scoring.take_ahead(run_id)  # prepared ahead, and neither the flow nor the plain steps took it
        if left is not None:
            _abandon(scoring, left, sys.exc_info()[1])
        del loaded, reader  # the preloaded objects (and pieces read ahead) live exactly as long as the run that uses them


def _abandon(scoring: Any, ctx: Any, err: BaseException | None) -> None:
    """A run prepared ahead whose steps never began: recorded failed, its lock given back, its work and store closed."""
    from pipeline.errors import RunError

    try:
        scoring.fail_run(ctx, err or RunError("the run stopped before its steps began — run it again"))
    finally:
        if ctx.model_thread is not None:
            ctx.model_thread.close()
        ctx.store.close()


class ReadAhead:
    """pipeline.ingest.read_inputs for one run, whose first pieces are read while Prefect's temporary server starts.

    The server takes seconds to answer (its own process, on the other core), and this process had done all
    it could (inputs checked, model and segmenter loaded, Prefect imported) well before: at 10,000
    conversations it then waited while the run's ingest (read, decode, mask, key: pipeline.ingest) still lay
    ahead of it. `fill` reads pieces until the server answers (or `AHEAD` pieces are held; nothing is
    stored: the run is not even recorded yet), and the run's ingest step (pipeline.scoring.ingest_step, a
    task of the flow) takes them first and reads on from where they stopped: the same pieces, stored in the
    same order, by the same step. Memory holds at most AHEAD pieces more than usual, and only until the flow
    starts. An error met while reading ahead is raised in the ingest step, where it would have been met; a
    retried ingest step reads afresh. The time spent reading ahead still counts as ingest (prepare_run).

    `store` goes further where the batches are scored in this process (not on Dask): the run is prepared
    first (pipeline.scoring.prepare_ahead) and the pieces are stored as they are read, until the server
    answers, so the first batches' model work starts then (EarlyBatches) instead of seconds after the
    flow started: the model thread is the run's longest path at 10,000 conversations. The flow's prepare
    task takes that run, its ingest task stores on from the next piece (`RunContext.ingested`).

    No instance dict: Prefect records a flow's parameters as JSON where it can, and would walk the pieces.
    """

    __slots__ = ("_read", "_paths", "_pieces", "_ahead", "_error", "seconds_ahead")
    AHEAD = 3  # pieces of pipeline.ingest.CHUNK_MESSAGES messages (tens of MB each)

    def __init__(self, read: Any, paths: list[str], mapping: Any) -> None:
        self._read = read
        self._paths = [str(Path(p)) for p in paths]
        self._pieces: Iterator[Any] | None = read.chunks(paths, mapping=mapping)  # a generator: reads nothing yet
        self._ahead: deque[Any] = deque()
        self._error: BaseException | None = None
        self.seconds_ahead = 0.0

    @classmethod
    def of(cls, paths: list[str], mapping: Any) -> ReadAhead | None:
        """For the project's reader (one that reads in pieces); None for a replacement (tests)."""
        import pipeline.ingest

        read = pipeline.ingest.read_inputs
        return cls(read, paths, mapping) if getattr(read, "chunks", None) is not None else None

    def fill(self, done: Callable[[], bool]) -> None:
        """Read pieces until `done()` (asked before each piece), the input ends or AHEAD pieces are held."""
        t0 = time.perf_counter()
        try:
            while self._pieces is not None and self._error is None and len(self._ahead) < self.AHEAD and not done():
                try:
                    piece = next(self._pieces, None)
                except Exception as err:  # the ingest step raises it
                    self._error = err
                    break
                if piece is None:
                    break
                self._ahead.append(piece)
        finally:
            self.seconds_ahead += time.perf_counter() - t0

    def store(self, ctx: Any, done: Callable[[], bool]) -> None:
        """Store pieces into `ctx`, a run prepared ahead (pipeline.scoring.store_ahead), until `done()` (asked
        before each piece) or the input ends; its ingest step stores on from the next piece. An error met
        on the way is raised in the ingest step, which then reads afresh when retried."""
        from pipeline.scoring import store_ahead

        def pieces() -> Iterator[Any]:
            while self._pieces is not None and self._error is None and not done():
                try:
                    piece = next(self._pieces, None)
                except Exception as err:  # the ingest step raises it
                    self._error = err
                    return
                if piece is None:
                    return
                yield piece

        try:
            store_ahead(ctx, pieces())
        except Exception as err:  # storing failed: the ingest step raises it, and its retry reads afresh
            self._error, ctx.ingested = err, None

    def __call__(self, paths: Any, mapping: Any = None) -> Any:
        return self._read(paths, mapping=mapping)

    def chunks(self, paths: Any, mapping: Any = None, **kwargs: Any) -> Iterator[Any]:
        pieces, self._pieces = self._pieces, None
        if pieces is None or kwargs or [str(Path(p)) for p in paths] != self._paths:  # a retry, or another input: afresh
            self._ahead.clear()
            return self._read.chunks(paths, mapping=mapping, **kwargs)
        return self._taken(pieces)

    def _taken(self, pieces: Iterator[Any]) -> Iterator[Any]:
        while self._ahead:
            yield self._ahead.popleft()  # handed on, not kept: memory holds what the step holds
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        yield from pieces
