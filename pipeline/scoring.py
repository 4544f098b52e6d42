"""The nightly run, written once: prepare → ingest → store → score batches → finish.

`run` drives the steps and their failure handling; the plain path (`zhijian score --no-flow`,
`score_files`) gives it the step functions below, the Prefect flow (flows/nightly_qa.py)
gives it tasks that wrap the very same functions:

    ctx = prepare_run(paths, ...)          # check inputs, rubric, mapping, store; load the model;
                                           #   build and order-check the stages; log the run
    ingest = ingest_step(ctx)              # read files in pieces (masking happens in ingest), each piece
                                           #   stored as it comes: memory holds one piece (pipeline/spill.py)
    plan = store_step(ctx, ingest)         # quarantine; which conversations to (re)score
    for ids in plan.batches(batch_size):   # settings.batch_size conversations per batch
        score_batch(ctx, ids, next_ids)    # load ALL stored messages → stages (pipeline/stages.py):
                                           #   assemble → normalise → segment → sentiment → rubric → save;
                                           #   the next batch's sentiment runs on a model thread beside
                                           #   this one's rubric and save (pipeline.partitions.ModelThread);
                                           #   a big run's rubric partly in a worker process (pipeline/local_worker.py)
    summary = finish_run(ctx, plan, results_path)   # results JSONL (from the on-disk spool) + run log
    # any error on the way: fail_run(ctx, err) marks the run failed; the store is always closed

Why conversations are re-assembled from the store: a conversation continued in a later
night's file must be scored with all its messages, not just tonight's.

A conversation whose processing raises is recorded (store table `scoring_errors`, run
status 'partial', a `scoring_error` flag in the results file) and the run goes on. Errors
that stop a run are pipeline.errors.RunError ("what happened — what to do").
"""
from __future__ import annotations

import logging
import shlex
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import preload, timeline
from pipeline.errors import RunError, StoreError
from pipeline.local_worker import model_thread_for
from pipeline.outputs import check_output_path
from pipeline.partitions import EarlyBatches, ModelThread, ScoredPartition
from pipeline.run_env import frozen_heap, progress_bar
from pipeline.run_summary import RunSummary
from pipeline.results import result_row_to_contract, write_result_lines
from pipeline.settings import get_settings, load_settings
from pipeline.spill import ResultSpool, SpilledIngest, spill_inputs
from pipeline.stages import STAGE_ORDER, Stage, build_stages
from pipeline.store import Store, lock as run_lock

__all__ = [
    "STAGES", "RunError", "RunSummary", "RunContext", "StorePlan", "RunSteps", "PLAIN_STEPS", "check_inputs",
    "load_rubric_or_fail", "load_model_or_fail", "load_mapping_or_fail", "open_store_or_fail", "preflight", "preload_run",
    "prepare_run", "prepare_ahead", "take_ahead", "store_ahead", "ingest_step", "store_step", "score_batch",
    "save_partition", "score_in_turn", "finish_run", "fail_run", "run", "score_files",
]  # fmt: skip

log = logging.getLogger("zhijian.scoring")

# where a run spends its time (RunSummary.stage_seconds): the steps around the stages, and each stage
STAGES = ("ingest", "store", *STAGE_ORDER, "results")


class RunContext:
    """What the steps of one run share (a plain class: Prefect passes it between tasks untouched)."""

    def __init__(
        self,
        paths: list[Path],
        store: Store,
        rubric: Any,
        model: Any,
        stages: Sequence[Stage],
        run_id: str,
        mapping: Any = None,
        rescore: bool = False,
        progress: bool = False,
        read_inputs: Callable[..., Any] | None = None,
    ) -> None:
        self.paths = paths
        self.store = store
        self.rubric = rubric
        self.model = model
        self.stages = list(stages)  # assemble first, then the conversation stages (order checked)
        self.run_id = run_id
        self.mapping = mapping
        self.rescore = rescore
        self.progress = progress
        self.read_inputs = read_inputs
        self.stage_seconds: dict[str, float] = {s: 0.0 for s in STAGES}
        # conversation_id -> contract object, on disk: memory must not grow with the night (pipeline/spill.py)
        self.results: ResultSpool = ResultSpool()
        self.on_rows: Callable[[int], None] | None = None  # told the rows read so far (a progress bar)
        self.errors: list[tuple[str, str, str]] = []
        self.scored = 0
        self.started = time.perf_counter()

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            with timeline.span(stage):
                yield
        finally:
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + time.perf_counter() - t0

    model_thread: ModelThread | None = None  # set by score_batch (section "steps") or run, closed by run
    on_piece: EarlyBatches | None = None  # told each stored ingest piece (pipeline/spill.py), set by run
    ingested: SpilledIngest | None = None  # pieces stored before the ingest step (zhijian score); it counts on


@dataclass
class StorePlan:
    """Outcome of storing tonight's rows, and what is left to score."""

    read: int
    stored: int
    duplicates: int
    quarantined: int
    input_ids: list[str]  # conversations in the input files, in first-appearance order
    to_score: list[str]  # touched by new messages, or without a current result
    reused: int
    notes: int = 0  # ingest notes (a value dropped or cut from a kept row), stored in ingest_notes

    def batches(self, size: int) -> list[list[str]]:
        return [self.to_score[i : i + size] for i in range(0, len(self.to_score), size)]


# ---------------------------------------------------------------------- setup
def check_inputs(paths: Sequence[str | Path]) -> list[Path]:
    """The input files, or RunError naming what is missing."""
    if not paths:
        raise RunError("no input files: give one or more chat-log files (.jsonl, .csv, .parquet, .json)")
    files = [Path(p) for p in paths]
    missing = [str(p) for p in files if not p.exists()]
    if missing:
        raise RunError(f"input file not found: {', '.join(missing)} — check the path(s)")
    folders = [str(p) for p in files if p.is_dir()]
    if folders:
        raise RunError(f"input is a folder, not a file: {', '.join(folders)} — pass the files (e.g. {folders[0]}/*.jsonl)")
    return files


def load_rubric_or_fail(rubric_path: str | Path | None) -> Any:
    path = Path(rubric_path) if rubric_path else get_settings().rubric_path
    if not path.exists():
        raise RunError(f"rubric file not found: {path} — pass --rubric PATH or set ZHIJIAN_RUBRIC_PATH")
    from pipeline.rubric import load_rubric
    try:  # the CLI's preflight and prepare_run read the same file: loaded once (pipeline/preload.py)
        return preload.cached(("rubric", *preload.files_key(path)), lambda: load_rubric(path))
    except Exception as err:  # RubricError lists every problem with its location
        raise RunError(f"invalid rubric {path}:\n{err}\nFix the rubric file (check it with `zhijian rubric check {path}`).") from err


def load_model_or_fail(model: Any) -> Any:
    if model is not None and not isinstance(model, (str, Path)):
        return model  # already a classifier
    from models.sentiment import load_sentiment_model

    # The model's own default is the shipped directory; the pipeline's is the setting.
    where = str(model) if model is not None else get_settings().sentiment_model
    threads = get_settings().threads or None
    try:  # loaded once while held (pipeline/preload.py): the CLI loads it before the flow starts
        return preload.cached(("model", where, threads, *preload.files_key(where)),
                              lambda: load_sentiment_model(where, num_threads=threads))
    except Exception as err:
        raise RunError(
            f"cannot load sentiment model {where}: {err} — pass --model PATH_OR_NAME, set ZHIJIAN_SENTIMENT_MODEL, "
            f"or train the default one (zhijian train-sentiment)"
        ) from err


def preload_run(model: Any, rubric: Any) -> tuple[Any, list[Stage]]:
    """Load the model and build the stages now, as prepare_run will; hold the result until the run is
    prepared. The CLI does this while Prefect's temporary server starts: prepare_run then finds the
    model in pipeline/preload.py's cache and the segmenter in pipeline.segment.segmenter_for's."""
    loaded = load_model_or_fail(model)
    return loaded, build_stages(rubric, loaded)


def open_store_or_fail(store_url: str | None) -> Store:
    try:
        return Store(store_url)
    except StoreError as err:  # keeps the cause: a StoreUnavailable stays retryable
        raise RunError(str(err)) from err


@dataclass
class Checked:
    """What `preflight` found usable: the input files, the rubric, the column mapping and the open store."""

    files: list[Path]
    rubric: Any
    mapping: Any
    store: Store


def preflight(
    paths: Sequence[str | Path],
    store_url: str | None = None,
    rubric_path: str | Path | None = None,
    mapping: Any = None,
    *,
    rubric: Any = None,
    results_path: str | Path | None = None,
) -> Checked:
    """Check what the user can fix, in this order: settings, inputs, results path, rubric, mapping, store.

    RunError says what to fix. The results path is checked against the inputs and the store's
    files before the store is opened (pipeline.outputs.check_output_path).

    The CLI calls it before starting Prefect (~6 s) so a typo fails at once; `prepare_run` calls it too.
    The caller closes the returned store.
    """
    load_settings()  # every bad ZHIJIAN_* setting in one line, before any work
    files = check_inputs(paths)
    if results_path is not None:
        check_output_path(results_path, files, store_url or get_settings().store_url)
    rubric = rubric if rubric is not None else load_rubric_or_fail(rubric_path)
    if isinstance(mapping, (str, Path)):
        mapping = load_mapping_or_fail(mapping)
    return Checked(files, rubric, mapping, open_store_or_fail(store_url))


def prepare_run(
    paths: Sequence[str | Path],
    store_url: str | None = None,
    rubric_path: str | Path | None = None,
    model: Any = None,
    mapping: Any = None,
    *,
    rubric: Any = None,
    stages: Iterable[Stage] = (),
    read_inputs: Callable[..., Any] | None = None,
    rescore: bool = False,
    progress: bool = False,
    command: str | None = None,
    run_id: str | None = None,
    results_path: str | Path | None = None,
) -> RunContext:
    """Check everything a run needs before touching data; record the run as started.

    `stages` replace the project's stages of the same name (tests pass fakes); `read_inputs`
    replaces pipeline.ingest.read_inputs.
    """
    if run_id is not None and run_id in _PREPARED:  # prepared ahead with these arguments (prepare_ahead)
        return take_ahead(run_id)
    timeline.start()  # ZHIJIAN_TRACE: the run's timeline from here (off by default; pipeline/timeline.py)
    checked = preflight(paths, store_url, rubric_path, mapping, rubric=rubric, results_path=results_path)
    store = checked.store
    run_id = run_id or str(uuid.uuid4())
    try:
        # One run writes a store at a time (pipeline/store/lock.py); given back by finish_run / fail_run.
        run_lock.acquire(store.engine, run_id, get_settings().run_lock_wait, store.url)
    except BaseException:
        store.close()
        raise
    try:
        model = load_model_or_fail(model)
        t0 = time.perf_counter()
        run_stages = build_stages(checked.rubric, model, replace=stages)
        log.info("stages ready in %.2f s: %s", time.perf_counter() - t0, " → ".join(s.name for s in run_stages))
        run_id = store.start_run(
            checked.files,
            command=command if command is not None else shlex.join(["zhijian", *sys.argv[1:]]),
            rubric_version=checked.rubric.id,
            model_version=getattr(model, "model_id", None),
            run_id=run_id,
        )
        if getattr(checked.rubric, "source_text", None) is not None:
            # the cards of a month read the rubric its results were scored with, not today's file
            store.save_rubric_snapshot(checked.rubric.id, checked.rubric.source_text, checked.rubric.source)
    except BaseException:
        run_lock.release(store.engine, run_id)
        store.close()
        raise
    ctx = RunContext(checked.files, store, checked.rubric, model, run_stages, run_id, checked.mapping, rescore,
                     progress, read_inputs)  # fmt: skip
    ctx.stage_seconds["ingest"] += getattr(read_inputs, "seconds_ahead", 0.0)  # read before the run (zhijian score)
    return ctx


_PREPARED: dict[str, RunContext] = {}  # runs prepared before their driver asked (prepare_ahead), by run id


def prepare_ahead(paths: Sequence[str | Path], run_id: str, **options: Any) -> RunContext:
    """`prepare_run` now, for a driver that starts later with the same arguments and `run_id` and takes it.

    `zhijian score` prepares its run (lock, run log, rubric snapshot) and stores the input's first pieces
    while Prefect's temporary server starts (zhijian/score_cmd.py); the flow's prepare task then gets this
    context from prepare_run instead of preparing a second run.
    """
    ctx = prepare_run(paths, run_id=run_id, **options)
    _PREPARED[ctx.run_id] = ctx
    return ctx


def take_ahead(run_id: str, peek: bool = False) -> RunContext | None:
    """The context prepared ahead for `run_id`, once (`peek`: without taking it); None when none is left."""
    return _PREPARED.get(run_id) if peek else _PREPARED.pop(run_id, None)


def store_ahead(ctx: RunContext, pieces: Iterable[Any]) -> None:
    """Store ingest pieces of a run prepared ahead; its ingest step counts on from them (`ctx.ingested`).

    The first batches' model work starts as they are stored (EarlyBatches, as in the ingest step): the
    model thread has work while Prefect's server still starts. Only where the batches are scored here, in order.
    """
    if ctx.on_piece is None:
        size = get_settings().batch_size
        ctx.model_thread = ctx.model_thread or model_thread_for(ctx.stages, ctx.rubric, size)
        ctx.on_piece = EarlyBatches(ctx.model_thread, ctx.stages, size, _loader(ctx), ctx.rescore)
    with frozen_heap():
        ctx.ingested = spill_inputs(ctx, pieces, on_rows=ctx.on_rows, out=ctx.ingested)


def load_mapping_or_fail(path: str | Path) -> Any:
    from pipeline.mapping import ColumnMapping

    if not Path(path).exists():
        raise RunError(f"mapping file not found: {path} — check --mapping")
    try:
        return ColumnMapping.load(path)
    except Exception as err:
        detail = str(err) if str(path) in str(err) else f"invalid column mapping {path}: {err}"
        raise RunError(f"{detail}\nFix the mapping file (see pipeline/mapping.py for its format).") from err


# ---------------------------------------------------------------------- steps
def ingest_step(ctx: RunContext) -> Any:
    """Read every input file; bad rows come back quarantined, never raised.

    The project's reader comes in pieces (`read_inputs.chunks`, pipeline.ingest.read_input_chunks)
    and each piece is stored as it is read (pipeline/spill.py), so memory holds one piece, not the
    night: the result is a `SpilledIngest` (counts and ids). A replacement reader without `.chunks`
    (tests) is called once and its IngestResult stored by `store_step`.
    """
    read_inputs = ctx.read_inputs
    if read_inputs is None:
        from pipeline.ingest import read_inputs
    chunks = getattr(read_inputs, "chunks", None)
    if chunks is None:
        with ctx.timed("ingest"):
            return read_inputs(ctx.paths, mapping=ctx.mapping)
    ahead, ctx.ingested = ctx.ingested, None  # once: a retried step reads afresh
    return spill_inputs(ctx, chunks(ctx.paths, mapping=ctx.mapping), on_rows=ctx.on_rows, out=ahead)


# conversations per lookup of earlier results: a re-run of a big night reads them back in pieces
_REUSE_LOOKUP = 1000


def store_step(ctx: RunContext, ingest: Any) -> StorePlan:
    """Store quarantine (and messages, unless ingest already did); decide which conversations to score and read back the rest."""
    spilled = ingest if isinstance(ingest, SpilledIngest) else spill_inputs(ctx, [ingest])
    with ctx.timed("store"):
        ctx.store.store_quarantine(spilled.quarantined, ctx.run_id)
    input_ids = list(spilled.input_ids)
    touched = spilled.touched
    to_score = [cid for cid in input_ids if cid in touched or ctx.rescore]
    untouched = [cid for cid in input_ids if cid not in touched and not ctx.rescore]
    reused = 0
    for i in range(0, len(untouched), _REUSE_LOOKUP):
        part = untouched[i : i + _REUSE_LOOKUP]
        with ctx.timed("store"):
            previous = ctx.store.load_results(part, ctx.rubric.id, getattr(ctx.model, "model_id", None))
            counts = ctx.store.message_counts(part)
        for cid in part:
            row = previous.get(cid)
            if row is not None and row["message_count"] == counts.get(cid):
                ctx.results[cid] = result_row_to_contract(row)
                reused += 1
            else:  # new rubric/model version, or an earlier run failed before scoring it
                to_score.append(cid)
    return StorePlan(
        read=spilled.read,
        stored=spilled.stored,
        duplicates=spilled.duplicates,
        quarantined=len(spilled.quarantined),
        input_ids=input_ids,
        to_score=to_score,
        reused=reused,
        notes=spilled.notes,
    )


def score_batch(ctx: RunContext, conversation_ids: Sequence[str], upcoming: Sequence[str] | None = None) -> list[str]:
    """Score one batch of conversations from ALL their stored messages; returns the ids scored OK.

    `upcoming`, the next batch's ids: its messages are loaded (and normalised and segmented) and its
    model work (the stages marked `ahead`: sentiment) starts on the model thread while this batch's
    rubric and store run (pipeline.partitions.ModelThread.score); the next call picks it up. This batch
    is saved before anything of the next one is. Store reads and writes stay on this thread (SQLite
    connections are per thread).
    """
    ctx.model_thread = ctx.model_thread or ModelThread()
    return save_partition(ctx, ctx.model_thread.score(ctx.stages, conversation_ids, upcoming, _loader(ctx)))


def _loader(ctx: RunContext) -> Callable[[Sequence[str]], list]:
    def load(ids: Sequence[str]) -> list:
        with ctx.timed("store"):
            return ctx.store.load_conversation_messages(ids)

    return load


def save_partition(ctx: RunContext, scored: ScoredPartition) -> list[str]:
    """Store a scored partition (conversations, results, scoring errors) and keep its results for
    the results file; returns the ids scored OK. The one writer, wherever the scoring ran."""
    for name, seconds in scored.stage_seconds.items():
        ctx.stage_seconds[name] = ctx.stage_seconds.get(name, 0.0) + seconds
    convs = scored.conversations
    with ctx.timed("results"):  # a result's fields and JSON once: its stored row and its results-file line
        fields, stored_json = ctx.results.put_scored(convs, scored.prepared)
    with ctx.timed("store"):
        ctx.store.save_scored(convs, ctx.run_id, fields, stored_json)
    with ctx.timed("results"):
        ctx.results.update(scored.error_results)
    if scored.errors:
        with ctx.timed("store"):
            ctx.store.record_scoring_errors(scored.errors, ctx.run_id)
        ctx.errors.extend(scored.errors)
    ctx.scored += len(convs)
    return [c.conversation_id for c in convs]


def finish_run(ctx: RunContext, plan: StorePlan, results_path: str | Path | None = None) -> RunSummary:
    """Write the results file (one object per input conversation, input order) and close the run log."""
    flagged: list[tuple[str, list[str]]] = []
    written = 0

    def ordered() -> Iterator[str]:  # one line at a time from the spool: the file is written as it goes
        nonlocal written
        spool = ctx.results
        for cid in filter(spool.__contains__, plan.input_ids):
            written += 1
            codes = spool.flag_codes(cid)
            if codes is not None:
                flagged.append((cid, list(codes)))
            yield spool.line(cid)

    with ctx.timed("results"):  # the spool's file copied where it is the results file already, else line by line
        if (copied := ctx.results.write_in_order(plan.input_ids, results_path)) is not None:
            written, flagged = copied
        elif results_path is not None:
            write_result_lines(ordered(), results_path)
        else:
            for _ in ordered():
                pass
    summary = RunSummary(
        run_id=ctx.run_id,
        read=plan.read,
        stored=plan.stored,
        duplicates=plan.duplicates,
        quarantined=plan.quarantined,
        conversations=written,
        flagged=len(flagged),
        scored=ctx.scored,
        reused=plan.reused,
        scoring_errors=len(ctx.errors),
        notes=plan.notes,
        status="partial" if ctx.errors else "ok",
        store_url=ctx.store.url,
        results_path=str(results_path) if results_path is not None else None,
        rubric_version=ctx.rubric.id,
        model_version=getattr(ctx.model, "model_id", None),
        flagged_conversations=flagged,
        errors=list(ctx.errors),
        stage_seconds={k: round(v, 4) for k, v in ctx.stage_seconds.items()},
        seconds=round(time.perf_counter() - ctx.started, 3),
    )
    ctx.store.finish_run(
        ctx.run_id,
        status=summary.status,
        error=f"{len(ctx.errors)} conversation(s) failed to score; see scoring_errors" if ctx.errors else None,
        read=summary.read,
        stored=summary.stored,
        duplicates=summary.duplicates,
        quarantined=summary.quarantined,
        conversations=summary.conversations,
        flagged=summary.flagged,
        scoring_errors=summary.scoring_errors,
    )
    run_lock.release(ctx.store.engine, ctx.run_id)
    if plan.notes:
        log.warning("%d row(s) kept with a value dropped or cut: zhijian quarantine --run %s", plan.notes, ctx.run_id)
    return summary


def fail_run(ctx: RunContext, err: BaseException) -> None:
    """Mark the run failed in the run log (the store may itself be the problem: never raise from here)."""
    try:
        ctx.store.finish_run(ctx.run_id, status="failed", error=f"{type(err).__name__}: {err}")
    except Exception:
        log.exception("could not record the failed run %s", ctx.run_id)
    run_lock.release(ctx.store.engine, ctx.run_id)


# ---------------------------------------------------------------------- the whole run
def score_in_turn(ctx: RunContext, batches: list[list[str]], score: Callable[..., Any]) -> Iterator[int]:
    """The batch dispatch of one process: each batch scored and saved before the next (told the next
    one's ids, so its model work starts beside this one's rubric and store); yields its size."""
    for number, ids in enumerate(batches):
        score(ctx, ids, batches[number + 1] if number + 1 < len(batches) else None)
        yield len(ids)


@dataclass(frozen=True)
class RunSteps:
    """The step functions `run` calls; the Prefect flow passes tasks that wrap these very functions.

    `dispatch(ctx, batches, score_batch)` decides where batches are scored and yields each one's size
    once it is saved: one after another here (`score_batch(ctx, ids, upcoming)`: the next batch's model
    work beside this one's rest), as partitions on Dask workers in the flow (flows/nightly_qa.py),
    saved by this process either way.
    """

    prepare: Callable[..., RunContext] = prepare_run
    ingest: Callable[[RunContext], Any] = ingest_step
    store: Callable[[RunContext, Any], StorePlan] = store_step
    score_batch: Callable[[RunContext, list[str], list[str] | None], Any] = score_batch
    finish: Callable[[RunContext, StorePlan, str | None], RunSummary] = finish_run
    dispatch: Callable[[RunContext, list[list[str]], Callable[..., Any]], Iterable[int]] = score_in_turn


PLAIN_STEPS = RunSteps()


def run(
    paths: Sequence[str | Path],
    store_url: str | None = None,
    results_path: str | Path | None = None,
    rubric_path: str | Path | None = None,
    model: Any = None,
    mapping: Any = None,
    *,
    rubric: Any = None,
    stages: Iterable[Stage] = (),
    read_inputs: Callable[..., Any] | None = None,
    rescore: bool = False,
    batch_size: int | None = None,
    command: str | None = None,
    run_id: str | None = None,
    progress: bool = False,
    steps: RunSteps = PLAIN_STEPS,
) -> RunSummary:
    """Run the nightly QA on chat-log files: store, score, write results. Invariant: read = stored + duplicates + quarantined.

    `model` is a classifier object, a path/name for models.sentiment.load_sentiment_model, or
    None for the default; `rubric` (an object with .id and .score) overrides `rubric_path`.
    `rescore=True` scores every input conversation again even when a current result exists.
    The one sequence of steps and its failure handling, whoever drives it.
    """
    ctx = steps.prepare(
        [str(p) for p in paths], store_url, rubric_path, model, mapping, rubric=rubric, stages=list(stages),
        read_inputs=read_inputs, rescore=rescore, progress=progress, command=command, run_id=run_id,
        results_path=results_path,
    )  # fmt: skip
    size = batch_size or get_settings().batch_size
    results = str(results_path) if results_path is not None else None
    if steps.dispatch is score_in_turn and ctx.on_piece is None:  # batches scored here, in order: the first
        ctx.model_thread = ctx.model_thread or model_thread_for(ctx.stages, ctx.rubric, size)  # ones' model work
        ctx.on_piece = EarlyBatches(ctx.model_thread, ctx.stages, size, _loader(ctx), ctx.rescore)  # starts in ingest
    try:
        with progress_bar(progress) as bar, frozen_heap():
            step = bar.add_task("reading chat logs", total=None) if bar else None
            if bar:  # ingest reads and stores in pieces: show the rows so far
                ctx.on_rows = lambda n: bar.update(step, description=f"reading and storing chat logs: {n:,} rows")
            ingest = steps.ingest(ctx)
            if bar:
                bar.update(step, description=f"storing {ingest.read} rows")
            plan = steps.store(ctx, ingest)
            if ctx.on_piece is not None:
                ctx.on_piece = ctx.on_piece.keep_if(plan.batches(size)[: EarlyBatches.AHEAD])
            if ctx.model_thread is not None and steps.dispatch is score_in_turn:
                ctx.model_thread.expect(len(plan.to_score))
            if bar:
                bar.update(step, description=f"scoring {len(plan.to_score)} conversations", total=len(plan.to_score))
            for done in steps.dispatch(ctx, plan.batches(size), steps.score_batch):
                if bar:
                    bar.advance(step, done)
            summary = steps.finish(ctx, plan, results)
    except BaseException as err:
        fail_run(ctx, err)
        raise
    finally:
        if ctx.model_thread is not None:
            ctx.model_thread.close()  # a failed run drops the look-ahead's queued model work
        ctx.store.close()
        timeline.stop()  # writes the trace, if one was recording
    return summary


# The library entry point benchmarks and scripts know: `run` with the plain step functions.
score_files = run
