"""A second local process that scores the rubric of the run's batches beside the run's own (issue 16).

On one machine the run's Python work shares one GIL: the run's thread (load, assemble, normalise,
segment, rubric, results, store) and the model thread's tokenizing and customer-state reading. At
6,000 conversations that thread was the critical path at ~10 CPU s, the rubric ~5.7 of it, while the
second core sat idle a third of the time. So where it pays (`LocalWorker.for_run`: two usable cores or
more, `ZHIJIAN_LOCAL_WORKER` on; `expect`: a run of at least two batches and `MIN_CONVERSATIONS` to score,
and a core to spare, `room_for_worker`), a worker process with the run's rubric stage scores each batch:

    run's thread:  … sentiment done → batch cut in CHUNK-conversation pieces, all handed to the worker →
                   the next batch's normalise and segment → on the last batch, or with the next batch's
                   model work done, pieces the worker has not begun, from the end, scored here → the
                   worker's pieces back, in order → save (as before)
    worker:        pieces from the front: rubric, then each result's fields and JSON (what the run's
                   save would compute), sent back instead of the criteria objects

What stays as it was: the batches the sentiment model sees (the rubric runs after it, on the batch's
conversations, however cut: each conversation's result depends on its own messages only, and the rubric's
judgement models keep a row per distinct text), the run's thread as the store's one writer, batches saved
in order, a conversation that fails recorded with its stage and error (`RemoteError` carries the
worker's type name and text, so the record reads the same). Nothing is lost or done twice: a piece is
the worker's or the run's, never both (`Future.cancel` decides), and a worker that dies or cannot start
leaves its pieces to the run's thread (`BrokenExecutor`: the process pool notices a dead process and
fails its futures; nothing waits for it). A killed run's worker ends by itself (`_watch_parent`), Ctrl-C
ends the run, which shuts the worker down (the worker ignores SIGINT itself).

The worker is started by `spawn` (a fresh interpreter: never a fork of a process whose ONNX Runtime or
torch threads exist) as soon as the run knows it is big enough (pipeline.partitions.EarlyBatches during
ingest, or the run's plan), so its start (imports, the rubric and its judgement models: ~1 CPU s) runs
beside ingest; until it answers, the run's thread scores every piece itself.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from pipeline.conversation import Conversation
from pipeline.partitions import ModelThread, RemoteError, run_stage
from pipeline.results import encoded_result
from pipeline.stages import Stage

__all__ = ["CHUNK", "MIN_CONVERSATIONS", "LocalWorker", "WorkerSpec", "model_thread_for", "usable_cpus"]

log = logging.getLogger("zhijian.local_worker")

# Fewest conversations to score before a worker is started: below it the worker's start (~1 CPU s on the other
# core, ~100 MB) buys little. Tests set it to 0 to force the worker on a small input.
MIN_CONVERSATIONS = 3000
# Conversations per piece: small enough that the two processes finish a batch together (the last piece is the
# wait), large enough that a piece's judgement-model pass stays one numpy call over many rows.
CHUNK = 200


@dataclass(frozen=True)
class WorkerSpec:
    """What the worker builds its stages from: the rubric's text (as Dask workers do, pipeline.partitions), or
    the stages themselves, pickled (a replacement rubric stage: tests)."""

    rubric_text: str | None = None
    rubric_source: str | None = None
    stages: tuple[Any, ...] = ()


def room_for_worker() -> bool:
    """A core to spare: the last minute's load average below the usable cores less half a core (1.5 on two
    cores: this run and a little else). Where other work keeps the cores busy, the worker's own cost (its start,
    pieces pickled both ways: ~2–3 CPU s at 6,000 conversations) only adds to the wall time: at load 4 on two
    cores, 17.0 / 17.4 s without it against 17.9–19.9 s with it."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # no load average here: assume room
        return True
    return load < usable_cpus() - 0.5


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass
class _Piece:
    """What comes back for one piece: per conversation scored, its result encoded (pipeline.results.encoded_result)
    with the fields the run's save reads; the failures, in order; the worker's seconds per stage."""

    done: list[tuple[str, Any, dict, Any, bytes]] = field(default_factory=list)  # (cid, score, fields, columns, line)
    failed: list[tuple[str, str, RemoteError]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


class LocalWorker:
    """The run's one worker process, started on demand (`expect`), shut down by `close`."""

    def __init__(self, spec: WorkerSpec, batch_size: int) -> None:
        self.spec = spec
        self.batch_size = batch_size
        self._pool: ProcessPoolExecutor | None = None
        self._started: Future | None = None  # the worker's first answer: its stages are built
        self.broken = False
        self.counts = {"worker": 0, "here": 0}  # conversations whose after-model stages ran where (the log's last line)

    @classmethod
    def for_run(cls, stages: Sequence[Stage], rubric: Any, batch_size: int) -> LocalWorker | None:
        """A worker for a run with these stages, or None where it cannot pay: the setting off, one usable core, or
        after-model stages that cannot travel (not the rubric stage of a rubric with its text, and do not pickle)."""
        from pipeline.settings import get_settings
        from pipeline.stages import split_ahead

        if not get_settings().local_worker or usable_cpus() < 2:
            return None
        after = split_ahead(stages[1:])[2]
        if not after:
            return None
        text = getattr(rubric, "source_text", None)
        if len(after) == 1 and after[0].name == "rubric" and text is not None and getattr(after[0], "func", None) == getattr(rubric, "score", None):
            return cls(WorkerSpec(rubric_text=text, rubric_source=getattr(rubric, "source", None)), batch_size)
        import pickle

        try:
            pickle.dumps(tuple(after))
        except Exception:  # a stage made of closures (tests): it stays in the run's process
            return None
        return cls(WorkerSpec(stages=tuple(after)), batch_size)

    def expect(self, conversations: int) -> None:
        """Told how many conversations the run will score (so far): start the worker once that is enough, and
        only on a machine with a core to spare (decided once)."""
        if self._pool is None and not self.broken and conversations >= max(MIN_CONVERSATIONS, self.batch_size + 1):
            if room_for_worker():
                self._start()
            else:
                self.broken = True
                log.info("not starting the scoring worker process: the machine is busy (load average %.1f on %d cores)",
                         os.getloadavg()[0], usable_cpus())  # fmt: skip

    def _start(self) -> None:
        import multiprocessing
        import sys
        import types

        main = sys.modules["__main__"]
        try:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker,
                initargs=(self.spec, os.getpid()),
            )  # fmt: skip
            # The process starts in this submit. A spawned process imports the parent's __main__ again unless it has
            # no file: a script calling pipeline.scoring.run without a main guard would start a second run there,
            # and `zhijian`'s own would import the CLI for nothing. The worker needs nothing from it.
            sys.modules["__main__"] = types.ModuleType("__main__")
            try:
                self._started = self._pool.submit(os.getpid)
            finally:
                sys.modules["__main__"] = main
        except Exception as err:  # cannot start a process here: the run scores alone, as before
            self._give_up(err)

    def ready(self) -> bool:
        """Started and answering: pieces handed over now are begun at once, not after the worker's start."""
        started = self._started
        if self.broken or started is None or not started.done():
            return False
        if started.exception() is not None:
            self._give_up(started.exception())
            return False
        return True

    def share(self, stages: Sequence[Stage], convs: list[Conversation]) -> _Shared | None:
        """Hand every piece of `convs` to the worker (it begins at the front); `_Shared.collect` takes back what
        the worker has not begun. None when the worker is not ready (the caller runs the stages itself)."""
        if not convs or not self.ready():
            return None
        pieces = [convs[i : i + CHUNK] for i in range(0, len(convs), CHUNK)]
        futures: list[Future | None] = []
        for piece in pieces:
            try:
                futures.append(self._pool.submit(_score_piece, piece))
            except Exception as err:  # broken meanwhile, or shut down: the rest are the run's
                self._give_up(err)
                futures.extend([None] * (len(pieces) - len(futures)))
                break
        return _Shared(self, stages, pieces, futures)

    def _give_up(self, err: BaseException) -> None:
        if not self.broken:
            log.warning("the scoring worker process stopped (%s: %s): this run scores on in its own process",
                        type(err).__name__, err)  # fmt: skip
        self.broken = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """End the worker: pieces not begun are dropped, a begun one is finished first (a second at most)."""
        pool, self._pool = self._pool, None
        self._started = None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if self.counts["worker"]:
            log.info("the worker process scored %d conversation(s), the run's own %d while it helped", self.counts["worker"], self.counts["here"])


class _Shared:
    """One batch's pieces, handed to the worker; `collect` gives back the batch scored, in order."""

    def __init__(self, worker: LocalWorker, stages: Sequence[Stage], pieces: list[list[Conversation]],
                 futures: list[Future | None]) -> None:  # fmt: skip
        self.worker = worker
        self.stages = stages
        self.pieces = pieces
        self.futures = futures

    def collect(self, run_here: Callable[..., list[Conversation]], failed: dict, seconds: dict[str, float],
                steal: bool = True) -> tuple[list[Conversation], dict[str, tuple[dict, Any, bytes]]]:  # fmt: skip
        """Score from the end here the pieces the worker has not begun (`run_here(stages, convs, failed, seconds)`,
        the caller's own stage runner; not when `steal` is false), then take the worker's back. Returns the scored
        conversations in batch order and, for the worker's, their encoded results; failures go to `failed` in batch
        order."""
        here: dict[int, tuple[list[Conversation], dict, dict]] = {}
        for i in reversed(range(len(self.pieces)) if steal else []):
            future = self.futures[i]
            if future is not None and not future.cancel():
                break  # begun (or queued to the process): the worker's; so are the ones before it
            here[i] = self._run_here(run_here, i)
        out: list[Conversation] = []
        prepared: dict[str, tuple[dict, Any, bytes]] = {}
        for i, piece in enumerate(self.pieces):
            if i not in here:
                try:
                    got: _Piece = self.futures[i].result()
                except (BrokenProcessPool, OSError, RuntimeError, EOFError) as err:
                    # the worker died, or the piece could not travel: the run scores it itself, as if never sent
                    self.worker._give_up(err)
                    here[i] = self._run_here(run_here, i)
                else:
                    out.extend(self._take(piece, got, failed, seconds, prepared))
                    self.worker.counts["worker"] += len(piece)
                    continue
            convs, piece_failed, piece_seconds = here[i]
            self.worker.counts["here"] += len(self.pieces[i])
            failed.update(piece_failed)
            for name, s in piece_seconds.items():
                seconds[name] = seconds.get(name, 0.0) + s
            out.extend(convs)
        return out, prepared

    def _run_here(self, run_here: Callable[..., list[Conversation]], i: int) -> tuple[list[Conversation], dict, dict]:
        piece_failed: dict = {}
        piece_seconds: dict[str, float] = {}
        return run_here(self.stages, self.pieces[i], piece_failed, piece_seconds), piece_failed, piece_seconds

    @staticmethod
    def _take(piece: list[Conversation], got: _Piece, failed: dict, seconds: dict[str, float],
              prepared: dict) -> list[Conversation]:  # fmt: skip
        """This process's conversations of a piece the worker scored: the fields the store's rows read from
        the conversation (score, rubric version) set, the encoded result kept for the save."""
        by_id = {c.conversation_id: c for c in piece}
        out = []
        for cid, score, fields, columns, line in got.done:
            conv = by_id[cid]
            conv.score, conv.rubric_version = score, fields["rubric_version"]
            prepared[cid] = (fields, columns, line)
            out.append(conv)
        for cid, stage_name, err in got.failed:
            failed[cid] = (stage_name, err)
        for name, s in got.seconds.items():
            seconds[name] = seconds.get(name, 0.0) + s
        return out


# ---------------------------------------------------------------------- in the worker process
_STAGES: list[Stage] = []


def _init_worker(spec: WorkerSpec, parent: int) -> None:
    """Build the stages once; hold SIGINT (the run's Ctrl-C ends the run, which ends this process); end with
    the run even when it is killed (a process pool's worker would wait on its queue for ever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), name="zhijian-watch-parent", daemon=True).start()
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core's worth: numpy's own
        os.environ.setdefault(name, "1")  # threads would only contend with the run's process
    if spec.rubric_text is not None:
        from pipeline.rubric import load_rubric_text
        from pipeline.stages import rubric_stage

        _STAGES[:] = [rubric_stage(load_rubric_text(spec.rubric_text, spec.rubric_source))]
    else:
        _STAGES[:] = list(spec.stages)
    import gc

    # as the run's own process does (pipeline.run_env.frozen_heap): pieces make no cyclic garbage, and what the
    # rubric built stays out of every collection
    gc.freeze()
    gc.disable()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _score_piece(convs: list[Conversation]) -> _Piece:
    """Run the stages on a piece, then encode each scored conversation's result as the run's save would."""
    failed: dict[str, tuple[str, BaseException]] = {}
    out = _Piece()
    for stage in _STAGES:
        t0 = time.perf_counter()
        convs = run_stage(stage, convs, failed)
        out.seconds[stage.name] = out.seconds.get(stage.name, 0.0) + time.perf_counter() - t0
    t0 = time.perf_counter()
    for conv in convs:
        fields, columns, line = encoded_result(conv)
        # criteria and sentiment travel only as JSON (columns, line): the save reads them from there
        out.done.append((conv.conversation_id, conv.score, {**fields, "criteria": None, "sentiment": None}, columns, line))
    out.seconds["results"] = time.perf_counter() - t0
    for cid, (stage_name, err) in failed.items():
        out.failed.append((cid, stage_name, RemoteError.of(err)))
    return out


def model_thread_for(stages: Sequence[Stage], rubric: Any, batch_size: int) -> ModelThread:
    """A run's model thread with its worker process where one can help (started later, by `LocalWorker.expect`)."""
    return ModelThread(LocalWorker.for_run(stages, rubric, batch_size))
