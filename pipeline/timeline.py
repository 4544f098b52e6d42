"""An opt-in timeline of a run: when each thread was busy in which stage, and when the run's thread waited.

    ZHIJIAN_TRACE=/tmp/run.tsv zhijian score --no-flow ...      # off (the default): nothing is recorded
    .venv/bin/python benchmarks/timeline.py /tmp/run.tsv          # fill, drain, both threads busy, per stage

Why: the run's thread (ingest, store, normalise, segment, rubric, results) and the model thread (sentiment) share
one GIL and hand batches to each other (pipeline.partitions.ModelThread). Stage totals (RunSummary.stage_seconds)
cannot say how long one thread waited for the other — at the start (fill: the first batch's model work not done),
at the end (drain: the model thread idle while the run's thread finishes the last batch) — nor how long both ran
Python at once. Each span records its thread, its stage, its wall start and end (`time.perf_counter`) and its
thread CPU (`time.thread_time`), so a span's wall less its CPU is time its thread was off the CPU (the GIL, I/O,
or another process on the core).

Cheap when off: `span` is a shared no-op context manager unless the variable was set when the run began
(`start`, called by pipeline.scoring.run); when on, one tuple appended per span (a few hundred per 10,000
conversations) and the file written once when the run ends. Results never depend on it.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

__all__ = ["ENV", "span", "start", "stop", "active"]

ENV = "ZHIJIAN_TRACE"

# (thread name, stage, wall start, wall end, thread CPU start, thread CPU end); None while not tracing
_spans: list[tuple[str, str, float, float, float, float]] | None = None
_path: str | None = None
_t0 = 0.0
_OFF = nullcontext()


def active() -> bool:
    return _spans is not None


def start() -> bool:
    """Begin recording if ZHIJIAN_TRACE names a file (a run in progress keeps its own trace); True if this call began it."""
    global _spans, _path, _t0
    path = os.environ.get(ENV, "").strip()
    if not path or _spans is not None:
        return False
    _spans, _path, _t0 = [], path, time.perf_counter()
    _watch_onnx(True)
    return True


_onnx_run: Any = None  # onnxruntime's own Session.run while tracing wraps it


def _watch_onnx(on: bool) -> None:
    """While tracing, each ONNX Runtime call is an "onnx" span inside its thread's stage: the model thread's
    time outside them is its Python (tokenizing, the customer-state layer), the part that holds the GIL."""
    global _onnx_run
    try:
        from onnxruntime.capi.onnxruntime_inference_collection import Session
    except ImportError:  # no ONNX Runtime here: nothing to watch
        return
    if on and _onnx_run is None:
        _onnx_run = Session.run

        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            with span("onnx"):
                return _onnx_run(self, *args, **kwargs)

        Session.run = run
    elif not on and _onnx_run is not None:
        Session.run, _onnx_run = _onnx_run, None


def stop() -> None:
    """Write the spans (tab-separated, seconds from the run's start, one span a line) and stop recording."""
    global _spans, _path
    spans, path = _spans, _path
    _spans, _path = None, None
    _watch_onnx(False)
    if spans is None or path is None:
        return
    with open(path, "w", encoding="utf-8") as out:
        out.write("thread\tstage\tstart\tend\tcpu\n")
        for thread, stage, w0, w1, c0, c1 in sorted(spans, key=lambda s: s[2]):
            out.write(f"{thread}\t{stage}\t{w0 - _t0:.6f}\t{w1 - _t0:.6f}\t{c1 - c0:.6f}\n")


@contextmanager
def _record(stage: str) -> Iterator[None]:
    w0, c0 = time.perf_counter(), time.thread_time()
    try:
        yield
    finally:
        spans = _spans
        if spans is not None:  # list.append is atomic under the GIL: both threads append
            spans.append((threading.current_thread().name, stage, w0, time.perf_counter(), c0, time.thread_time()))


def span(stage: str) -> Any:
    """A context manager recording `stage` on this thread while tracing; a shared no-op otherwise."""
    return _record(stage) if _spans is not None else _OFF
