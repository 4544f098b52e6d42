"""How a run holds the process while it scores: the garbage collector's settings and the progress bars.

Kept apart from pipeline/scoring.py (the run's steps) because both are process-wide settings a run
borrows and gives back, not steps of the run.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep what prepare built (model, rubric, jieba's dictionary of ~350k words) out of the garbage
    collector's full passes while the run allocates: each full pass walked all of it again. On the
    3,000-conversation bench the collector took 2.3–2.5 CPU s of ~20, 1.6 s with this (measured on the
    io branch). Unfrozen afterwards so a long-lived process (zhijian serve, a Dask worker) frees it normally.

    And full passes ten times rarer: at 10,000 conversations there were 26 of them, 3.5 CPU s, and from
    the first batch on they found no garbage (the run's objects are freed by reference counting; the one
    cycle that held data, an input file's decoded blocks, is gone), while the young generations' passes
    still run as before. 3 full passes, 0.45 CPU s, the same peak memory (measured, see the branch notes).
    Then every thousandth middle pass (one full pass per ~30,000 conversations): at 10,000 conversations
    4 full passes, 0.49 CPU s → 1, 0.02 CPU s, peak RSS 495 MiB both (benchmarks/thread_cpu.py, session 9).

    And now no passes at all inside: the run makes no cyclic garbage per conversation. With the collector off
    for a whole run, one collection afterwards found 2,416 objects at 333, 1,960 and 10,000 conversations alike
    (prepare's and the imports' leftovers); under `zhijian score`'s flow 7,293 at 1,960 and 7,229 at 10,000.
    The young and middle passes it saves found only those: ~4,000 and ~360 of them, 0.8–1.0 CPU s at 10,000
    conversations, ~12,300 and ~1,100, 2.7 CPU s at 30,000; peak RSS 509 → 509 and 581 → 578 MiB. A larger
    young threshold (20,000) instead cost as much: each pass walks what is alive, and the run's batches are.
    Session 10, benchmarks/thread_cpu.py."""
    collecting = gc.isenabled()  # nested windows (zhijian score's around the run's own) give back what they found
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        gc.unfreeze()


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
