"""Score a partition of conversations away from the store: the work a Dask worker does.

`pipeline.scoring.score_batch` is load → `score_messages` → `save_partition` in one process.
Scaled out (flows/nightly_qa.py on a DaskTaskRunner), the flow loads a partition's stored
messages, a worker runs `score_messages` on them with stages from `stages_for(spec)`, and the
flow — the only writer, so SQLite stays correct — saves what comes back. A partition is one
of the run's batches (settings.batch_size), the same batches in the same order as a
single-process run, so the sentiment model sees the same texts together and the results are
identical.

Invariant: `score_messages` touches no store and no global state except the per-process
stage cache, and everything it returns pickles (errors travel as text, not as exception
objects, which need not pickle).

Why a cache per worker process: the stages hold the sentiment model (hundreds of MB, seconds to
load), a jieba tokenizer and the rubric. Sending them with every partition would pickle the
model per task; instead a partition carries a small `PartitionSpec` (the model's directory or
name, the rubric's text) and each worker builds the stages once per model + rubric and reuses
them for every partition it gets.
"""
from __future__ import annotations

import hashlib
import itertools
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from pipeline.conversation import Conversation, Flag, Message
from pipeline.errors import RunError
from pipeline.results import conversation_to_result
from pipeline.stages import Stage, build_stages, split_ahead
from pipeline.timeline import span

__all__ = [
    "EarlyBatches", "ModelThread", "Partition", "PartitionSpec", "PartitionWork", "RemoteError", "ScoredPartition",
    "run_stage", "score_messages", "stages_for", "strip_analysis",
]

log = logging.getLogger("zhijian.partitions")

Loader = Callable[[Sequence[str]], list[Message]]  # a batch's ids -> its stored messages (the caller's store)


@dataclass(frozen=True)
class PartitionSpec:
    """What a worker needs to build the run's stages: small, picklable, sent with every partition."""

    model: Any  # the sentiment model's directory or hub name (loaded on the worker), or a model object (tests)
    rubric_text: str | None  # the rubric file's text: workers need no copy of the rubric file
    rubric_source: str | None = None  # where the text came from, for error messages
    rubric: Any = None  # a rubric object, only when there is no text (tests pass fakes)
    replace: tuple[Any, ...] = ()  # stage replacements by name (tests)

    def cache_key(self) -> tuple[str, str] | None:
        """(model path or name, rubric text digest) when the stages can be cached; None for objects."""
        if not isinstance(self.model, str) or self.rubric_text is None or self.replace:
            return None
        return self.model, hashlib.sha256(self.rubric_text.encode("utf-8")).hexdigest()


class Partition:
    """A partition's stored messages in a plain box, the way they travel to a worker.

    Not a list, tuple or dataclass on purpose: Prefect walks those in a task's arguments (every
    field of every Message, seconds per partition) and Dask unpacks tuples in what it submits."""

    def __init__(self, messages: list[Message]) -> None:
        self.messages = messages
        self._token = uuid.uuid4().hex

    def __dask_tokenize__(self) -> str:
        # Dask names a submitted task by hashing its arguments, which would pickle every message once
        # more; each partition is scored once, so a random name serves.
        return self._token


@dataclass
class ScoredPartition:
    """What comes back from a worker: the scored conversations and the ones that failed."""

    conversations: list[Conversation]
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (conversation_id, stage, error text)
    error_results: dict[str, dict] = field(default_factory=dict)  # conversation_id -> contract object
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # conversation_id -> (fields, JSON columns, results-file line) of the conversations whose results another
    # process encoded already (pipeline/local_worker.py); their criteria and flags are only there
    prepared: dict[str, tuple[dict, Any, bytes]] = field(default_factory=dict)


class RemoteError(Exception):
    """An error raised in another process, as text: the scoring error it records reads as the original's would."""

    def __init__(self, type_name: str, message: str, formatted: str, trace: str = "") -> None:
        super().__init__(message)
        self.type_name, self.message, self.formatted, self.trace = type_name, message, formatted, trace

    @classmethod
    def of(cls, err: BaseException) -> RemoteError:
        return cls(type(err).__name__, str(err), _formatted(err), "".join(traceback.format_exception(err)))

    def __reduce__(self) -> tuple:
        return (RemoteError, (self.type_name, self.message, self.formatted, self.trace))

    def __str__(self) -> str:
        return self.message


def _formatted(err: BaseException) -> str:
    """The error's one-line form, as a scoring error records it."""
    if isinstance(err, RemoteError):
        return err.formatted
    return "".join(traceback.format_exception_only(type(err), err)).strip()


# The per-process cache: (model, rubric digest) -> stages. A worker serves one run's model and
# rubric at a time; keeping two lets a long-lived cluster switch rubric without reloading twice.
_STAGES: dict[tuple[str, str], list[Stage]] = {}
_STAGES_LOCK = threading.Lock()  # a worker with several threads loads the model once, not once per thread
_KEEP = 2


def _build(spec: PartitionSpec) -> list[Stage]:
    from models.sentiment import load_sentiment_model  # lazy: torch is heavy and tests pass objects
    from pipeline.rubric import load_rubric_text

    if spec.rubric_text is not None:
        rubric = load_rubric_text(spec.rubric_text, spec.rubric_source)
    elif spec.rubric is not None:
        rubric = spec.rubric
    else:
        raise RunError("a partition came without a rubric — this is a bug in the caller")
    model = spec.model
    if isinstance(model, str):
        try:
            model = load_sentiment_model(model)
        except Exception as err:
            raise RunError(
                f"this worker cannot load the sentiment model {model}: {err} — every Dask worker needs the "
                f"model directory at the same path as the machine that starts the run"
            ) from err
    return build_stages(rubric, model, replace=spec.replace)


def stages_for(spec: PartitionSpec) -> list[Stage]:
    """The run's stages in this process: built once per model + rubric text, then reused."""
    key = spec.cache_key()
    if key is None:
        return _build(spec)
    with _STAGES_LOCK:
        stages = _STAGES.get(key)
        if stages is None:
            t0 = time.perf_counter()
            stages = _build(spec)
            while len(_STAGES) >= _KEEP:
                _STAGES.pop(next(iter(_STAGES)))
            _STAGES[key] = stages
            log.info("stages built for model %s in %.1f s", spec.model, time.perf_counter() - t0)
        return stages


def _error_result(cid: str, stage: str, err: BaseException, msgs: list[Message]) -> dict:
    """A results-file object for a conversation that could not be scored, so it is not silently missing."""
    conv = Conversation(conversation_id=cid, messages=sorted(msgs, key=lambda m: m.timestamp))
    name = err.type_name if isinstance(err, RemoteError) else type(err).__name__
    conv.flags = [Flag("scoring_error", f"评分失败（{stage}）：{name}: {err}", None)]
    return conversation_to_result(conv)


def run_stage(stage: Any, convs: list[Conversation], failed: dict[str, tuple[str, BaseException]]) -> list[Conversation]:
    """Run one stage; the conversations it fails on go to `failed`, the rest come back in order."""
    pipe = getattr(stage, "pipe", None)
    if pipe is not None and getattr(stage, "batch", None) is not None:
        try:
            pipe(convs)
            return convs
        except Exception:  # isolate the conversation the stage chokes on
            pass
    ok = []
    for conv in convs:
        try:
            stage(conv)
            ok.append(conv)
        except Exception as err:
            failed[conv.conversation_id] = (stage.name, err)
    return ok


class PartitionWork:
    """One partition's stages, split so the model's stages can run on another thread.

    After `assemble` (here, in the caller's thread), the stages marked `ahead` (the sentiment model:
    ONNX Runtime releases the GIL while it computes) can run on the model thread (`start_ahead`) beside
    the stages before them (`run_before`: normalise, segment), which never read or write their fields
    (checked at start, pipeline.stages.check_order); `finish` runs the rest (rubric).

    Invariant: the result is the one the stages give in their order. The model stages see exactly the
    conversations that passed the stages before them, in the same order (the model's batches, hence its
    numbers, depend on which texts go together): when a conversation failed before, the model stages run
    again (on the model thread) on the ones left, with the fields they fill put back to their defaults.
    """

    def __init__(self, stages: Sequence[Stage], msgs: list[Message]) -> None:
        self.seconds: dict[str, float] = {}
        self._msgs = msgs
        self._by_id: dict[str, list[Message]] | None = None
        self.failed: dict[str, tuple[str, BaseException]] = {}
        assemble, *rest = stages
        self.before, self.ahead, self.after = split_ahead(rest)
        t0 = time.perf_counter()
        try:
            with span(assemble.name):
                self.assembled: list[Conversation] = assemble(msgs)
        except Exception:  # one broken conversation must not sink the batch: retry one by one
            self.assembled = []
            for cid, group in self.by_id.items():
                try:
                    self.assembled.extend(assemble(group))
                except Exception as err:
                    self.failed[cid] = (assemble.name, err)
        self._timed(self.seconds, assemble.name, t0)
        self.convs = self.assembled
        self._ahead: Future | None = None  # the model stages' run on the model thread, when started there
        self._before_done = False
        self._executor: Executor | None = None  # the model thread, once the model work started there

    @property
    def by_id(self) -> dict[str, list[Message]]:
        """The partition's messages per conversation: only a failure needs them (assemble groups its own)."""
        if self._by_id is None:
            self._by_id = {}
            for m in self._msgs:
                self._by_id.setdefault(m.conversation_id, []).append(m)
        return self._by_id

    @staticmethod
    def _timed(seconds: dict[str, float], name: str, t0: float) -> None:
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t0

    def _run(self, stages: Sequence[Stage], convs: list[Conversation], failed: dict, seconds: dict) -> list[Conversation]:
        for stage in stages:
            t0 = time.perf_counter()
            with span(stage.name):
                convs = run_stage(stage, convs, failed)
            self._timed(seconds, stage.name, t0)
        return convs

    def start_ahead(self, executor: Executor) -> None:
        """Run the model stages on `executor` (one thread) on every assembled conversation, now."""
        if self.ahead:
            self._executor = executor
            self._ahead = executor.submit(self._run_ahead, list(self.assembled))

    def _run_ahead(self, convs: list[Conversation]) -> tuple[list[Conversation], dict, dict]:
        failed: dict[str, tuple[str, BaseException]] = {}
        seconds: dict[str, float] = {}
        return self._run(self.ahead, convs, failed, seconds), failed, seconds

    def wait(self) -> None:
        """Wait for model work started on another thread, dropping its result."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead.result()

    def run_before(self) -> None:
        """The stages before the model's (normalise, segment), in the caller's thread; once."""
        if not self._before_done:
            self._before_done = True
            self.convs = self._run(self.before, self.convs, self.failed, self.seconds)

    def model_done(self) -> bool:
        """The model stages are done (or were never started on the model thread)."""
        return self._ahead is None or self._ahead.done()

    def finish(self, helper: Any = None, following: PartitionWork | None = None) -> ScoredPartition:
        """Wait for the model stages (or run them here), run the rest; the failed ones become errors.

        `helper` (pipeline.local_worker.LocalWorker) scores the rest in its process while this thread runs the
        next batch's normalise and segment (`following`); then this thread takes the pieces the helper has not
        begun only when nothing else waits for it: the last batch, or the next batch's model work done. (Taking
        them while the model thread still works slowed both on the GIL, and each process then read the same
        texts into its own judgement models' memos: 1.5–3 CPU s more at 6,000 conversations.)"""
        ahead, self._ahead = self._ahead, None
        passed = [c.conversation_id for c in self.convs] == [c.conversation_id for c in self.assembled]
        if ahead is not None and passed:
            with span("wait"):  # for the model thread (the timeline's fill, or a model thread behind)
                self.convs, failed, seconds = ahead.result()
            self.failed.update(failed)
            for name, s in seconds.items():
                self.seconds[name] = self.seconds.get(name, 0.0) + s
        elif ahead is not None:  # a conversation failed before the model: its labels must not exist
            ahead.result()
            _clear(self.assembled, [f for stage in self.ahead for f in stage.assigns])
            # on the model thread again: the next batch's model work may be running, and a model (its
            # tokenizer) is not for two threads at once
            self.convs = self._executor.submit(self._run, self.ahead, self.convs, self.failed, self.seconds).result()
        else:
            self.convs = self._run(self.ahead, self.convs, self.failed, self.seconds)
        shared = helper.share(self.after, self.convs) if helper is not None and self.after else None
        if following is not None:
            following.run_before()
        if shared is not None:
            steal = following is None or following.model_done()
            convs, prepared = shared.collect(self._run, self.failed, self.seconds, steal)
        else:
            convs, prepared = self._run(self.after, self.convs, self.failed, self.seconds), {}
        scored = ScoredPartition(convs, stage_seconds=self.seconds, prepared=prepared)
        for cid, (stage_name, err) in self.failed.items():
            trace = err.trace if isinstance(err, RemoteError) else None
            log.error("conversation %s failed at %s: %s%s", cid, stage_name, err, f"\n{trace}" if trace else "",
                      exc_info=None if trace is not None else err)  # fmt: skip
            scored.errors.append((cid, stage_name, _formatted(err)))
            scored.error_results[cid] = _error_result(cid, stage_name, err, self.by_id.get(cid, []))
        return scored


class ModelThread:
    """A run's one model thread and the batches whose model work it has started ahead: the next one,
    so memory holds two batches (during ingest, up to `EarlyBatches.AHEAD` first ones). `load(ids)`
    reads a batch's stored messages in the caller's thread (the store's connection is per thread). A
    look-ahead that fails to load is dropped: its own batch loads again and fails there, where the error
    belongs. `helper`: the run's worker process (pipeline/local_worker.py), which scores part of each batch's
    rubric once it is started (`expect`) and answering."""

    def __init__(self, helper: Any = None) -> None:
        self.executor: ThreadPoolExecutor | None = None
        self.pending: list[tuple[tuple[str, ...], PartitionWork]] = []  # started ahead, in batch order
        self.helper = helper

    def expect(self, conversations: int) -> None:
        """Told how many conversations the run will score: the helper starts where that pays."""
        if self.helper is not None:
            self.helper.expect(conversations)

    def _begin(self, stages: Sequence[Stage], ids: Sequence[str], load: Loader) -> PartitionWork:
        work = PartitionWork(stages, load(ids))
        if self.executor is None:
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhijian-model")
        work.start_ahead(self.executor)
        return work

    def take(self, stages: Sequence[Stage], ids: Sequence[str], load: Loader) -> PartitionWork:
        """This batch's work: the one started ahead for it, or a new one with its model work started now."""
        if self.pending and self.pending[0][0] == tuple(ids):
            return self.pending.pop(0)[1]
        # none started, or the next batch's (announced by an earlier try of this one): that one stays
        return self._begin(stages, ids, load)

    def start(self, stages: Sequence[Stage], ids: Sequence[str], load: Loader) -> PartitionWork | None:
        """Load the next batch and start its model work behind the current one's; None when it fails to load."""
        key = tuple(ids)
        for started, work in self.pending:
            if started == key:
                return work  # started by an earlier try of the current batch, or during ingest
        for _, work in self.pending:  # announced for another batch: done with (memory holds two batches)
            work.wait()
        self.pending = []
        return self.start_early(stages, ids, load)

    def start_early(self, stages: Sequence[Stage], ids: Sequence[str], load: Loader) -> PartitionWork | None:
        """Start a batch's model work behind those already started, keeping them (EarlyBatches, during
        ingest); None when it fails to load."""
        try:
            work = self._begin(stages, ids, load)
        except Exception:
            log.debug("look-ahead load failed; the batch loads again on its turn", exc_info=True)
            return None
        self.pending.append((tuple(ids), work))
        return work

    def drop(self, ids: Sequence[str]) -> None:
        """Forget the work started for `ids` without waiting for it: the model thread finishes it unread."""
        self.pending = [(started, work) for started, work in self.pending if started != tuple(ids)]

    def score(self, stages: Sequence[Stage], ids: Sequence[str], upcoming: Sequence[str] | None,
              load: Loader) -> ScoredPartition:
        """Score the batch `ids`, starting the next one's work (`upcoming`) beside it.

        This thread: the next batch's load, this batch's normalise and segment (unless done last time),
        the next batch's normalise and segment, then this batch's rubric once its model work is done. The model
        thread: this batch's model work, then the next one's (while this thread runs the rubric and
        the caller saves). Why the next batch's normalise and segment run here already: beside the first
        batch's model work this thread had only that batch's normalise and segment to do, and waited.
        """  # fmt: skip
        work = self.take(stages, ids, load)
        # the next batch to the model thread before this one's normalise and segment: when this batch's
        # model work started during ingest (EarlyBatches) it may be done already, and the model thread waits
        following = self.start(stages, upcoming, load) if upcoming else None
        work.run_before()
        helper = self.helper if self.helper is not None and self.helper.ready() else None
        # with a helper whose rubric pieces could start now, the next batch's normalise and segment run while it
        # scores them; otherwise while the model thread still works on this batch, as before
        if following is not None and (helper is None or not work.model_done()):
            following.run_before()
        return work.finish(helper, following)

    def close(self) -> None:
        """End the model thread and the helper; queued work is dropped (a failed run stops here)."""
        self.pending = []
        try:
            if self.executor is not None:
                self.executor.shutdown(wait=True, cancel_futures=True)
                self.executor = None
        finally:
            if self.helper is not None:
                self.helper.close()


class EarlyBatches:
    """The run's first batches, their model work started while ingest still reads the rest of the night.

    Until ingest is done the model thread had nothing to do: at 10,000 conversations the run read and
    stored for seconds before the model got its first text. Scoring must see a conversation whole, and
    only the whole input says which conversations are whole, so this is a guess that is checked:
    after each stored piece (the call), once k batches of conversations to score have been seen and a
    twentieth of a batch more after them (a conversation started that long ago has usually ended: on
    the 10,000-conversation bench input the first 20,000-message piece holds 2,140 conversations, and
    none of the first 2,000 gets a message later), the k-th batch's messages are loaded and its model
    work starts behind the ones before (`ModelThread.start_early`); at most `AHEAD` batches, each held
    in memory until it is scored.

    Invariant: a guess is used only for the batch it was loaded as, with the very messages that batch
    loads: `keep_if` keeps the guesses that are the plan's first batches (ids and order) and
    `ModelThread.take` matches the ids; a later piece that stores a new message of a guessed
    conversation drops that guess and the ones after it at once (`ModelThread.drop`), so the model
    thread never holds a later batch before an earlier one. The run's lock keeps other writers out, so
    nothing else changes those conversations' stored messages. A dropped guess costs model-thread time,
    some of it perhaps after ingest (work already running is finished, unread); after `TRIES` drops
    there are no more guesses.
    """

    AHEAD = 2
    TRIES = 2

    def __init__(self, model_thread: ModelThread, stages: Sequence[Stage], size: int, load: Loader,
                 rescore: bool = False) -> None:
        self.model_thread = model_thread
        self.stages = stages
        self.size = size
        self.load = load
        self.rescore = rescore
        self.guesses: list[tuple[str, ...]] = []  # the batches started, in order
        self.drops = 0

    def __call__(self, input_ids: Sequence[str] | dict[str, None], touched: set[str], touched_now: set[str]) -> None:
        """Told after each stored piece: every input conversation id so far (first-appearance order), those
        with new messages so far, and those this piece gave new messages."""
        for k, ids in enumerate(self.guesses):
            if not touched_now.isdisjoint(ids):
                self._drop_from(k)
                self.drops += 1
                return
        self.model_thread.expect(len(input_ids) if self.rescore else len(touched))
        k = len(self.guesses)
        if self.drops >= self.TRIES or k >= self.AHEAD:
            return
        if len(input_ids) < (k + 1) * self.size + max(1, self.size // 20):
            return
        # the plan's order (pipeline.scoring.store_step): input order, those with new messages
        order = (c for c in input_ids if self.rescore or c in touched)
        ids = tuple(itertools.islice(order, k * self.size, (k + 1) * self.size))
        if len(ids) == self.size and self.model_thread.start_early(self.stages, ids, self.load) is not None:
            self.guesses.append(ids)

    def _drop_from(self, k: int) -> None:
        for ids in self.guesses[k:]:
            self.model_thread.drop(ids)
        del self.guesses[k:]

    def keep_if(self, batches: Sequence[Sequence[str]]) -> None:
        """Once the plan is known (`batches`, its first ones in order): the guesses that are those batches
        stay, from the first one that is not on they go; no more guesses (returns None: the run's
        `on_piece` is cleared with it)."""
        kept = 0
        while kept < min(len(self.guesses), len(batches)) and tuple(batches[kept]) == self.guesses[kept]:
            kept += 1
        self._drop_from(kept)
        self.guesses = []
        self.drops = self.TRIES


def _clear(convs: Sequence[Conversation], assigned: Sequence[str]) -> None:
    """Put the fields named `Message.x` / `Conversation.x` back to their defaults, as if no stage had
    filled them (pipeline.conversation's dataclass defaults)."""
    defaults = {
        f"{cls.__name__}.{f.name}": f.default_factory if f.default_factory is not MISSING else (lambda d=f.default: d)
        for cls in (Conversation, Message) for f in fields(cls)
        if f.default is not MISSING or f.default_factory is not MISSING
    }  # fmt: skip
    on_conv = [(q.split(".", 1)[1], defaults[q]) for q in assigned if q.startswith("Conversation.") and q in defaults]
    on_msg = [(q.split(".", 1)[1], defaults[q]) for q in assigned if q.startswith("Message.") and q in defaults]
    for conv in convs:
        for name, default in on_conv:
            setattr(conv, name, default())
        for m in conv.messages:
            for name, default in on_msg:
                setattr(m, name, default())


def score_messages(stages: Sequence[Stage], msgs: list[Message]) -> ScoredPartition:
    """Assemble the messages into conversations and run the stages in order, in this thread; a
    conversation that raises is recorded with its stage and error and the rest go on."""
    work = PartitionWork(stages, msgs)
    work.run_before()
    return work.finish()


def strip_analysis(scored: ScoredPartition) -> ScoredPartition:
    """Drop the analysis-only fields (norm, offsets, tokens) before a partition travels back:
    no stored column and no results field reads them, and they are most of the bytes."""
    for conv in scored.conversations:
        for m in conv.messages:
            m.norm, m.norm_to_text, m.tokens = "", [], []
    return scored
