"""How a run holds the process while it scores: the garbage collector's settings and the progress bars.

Kept apart from pipeline/scoring.py (the run's steps) because both are process-wide settings a run
borrows and gives back, not steps of the run.
"""
from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def frozen_heap() -> Iterator[None]:
    """The cyclic garbage collector off for the run's window, and what was built before it (model, rubric,
    jieba's dictionary of ~350k words, Prefect's modules) frozen out of any collection asked for inside it;
    both given back afterwards, so a long-lived process (zhijian serve, a Dask worker) collects normally.

    Why off: the run makes no cyclic garbage per conversation (its objects are freed by reference counting;
    the one cycle that held data, an input file's decoded blocks, is gone). With the collector off for a whole
    run, one collection afterwards found 2,416 objects at 333, 1,960 and 10,000 conversations alike (prepare's
    and the imports' leftovers); under `zhijian score`'s flow 7,293 at 1,960 and 7,229 at 10,000. The passes
    it saves found only those: at 10,000 conversations ~4,000 young and ~360 middle passes, 0.8–1.0 CPU s; at
    30,000 ~12,300 and ~1,100, 2.7 CPU s; peak RSS 509 → 509 and 581 → 578 MiB, and 695 MiB at 100,000 with
    the flow as before (session 10, benchmarks/thread_cpu.py, zhijian bench). A larger young threshold (20,000)
    instead cost as much: each pass walks what is alive, and the run's batches are.

    Earlier rounds, for the record: freezing alone took the 3,000-conversation bench's collector from 2.3–2.5
    to 1.6 CPU s; rarer full passes took 10,000 conversations from 26 full passes (3.5 CPU s) to 3, then 1."""
    collecting = gc.isenabled()  # nested windows (zhijian score's around the run's own) give back what they found
    gc.freeze()
    gc.disable()
    try:
        with short_gil_turns():
            yield
    finally:
        if collecting:
            gc.enable()
        gc.unfreeze()


SWITCH_INTERVAL = 0.001  # seconds; Python's default is 0.005


@contextmanager
def short_gil_turns() -> Iterator[None]:
    """The interpreter's thread switch interval shortened for the run's window and given back afterwards.

    Why: the run's thread (ingest, store, rubric) and the model thread (tokenizing, the customer-state layer) share
    one GIL, and each waits for the other's turn before its next step — the store's wall was 2.5× its CPU from such
    waits (session 13, spd13e). Shorter turns let the thread that is ready go sooner. Measured on the quiet build
    machine, `zhijian score --no-flow` on the bench's 10,000-conversation input, five alternating pairs (session 13):
    0.001 s 21.2 / 20.6 / 20.6 / 20.2 / 21.0 s against the default 0.005 s 22.9 / 21.4 / 20.7 / 21.5 / 21.4 s —
    lower in all five, median −0.8 s (−3.7 %); 0.02 s was no better than the default. Results do not depend on it
    (the run's batches are read and stored in order whatever the interleaving). ZHIJIAN_SWITCH_INTERVAL (seconds)
    overrides it; 0 keeps the interpreter's own."""
    wanted = float(os.environ.get("ZHIJIAN_SWITCH_INTERVAL", SWITCH_INTERVAL))
    before = sys.getswitchinterval()
    if wanted > 0:
        sys.setswitchinterval(wanted)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    # stderr: stdout's last line belongs to the machine-readable summary.
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        yield bar
