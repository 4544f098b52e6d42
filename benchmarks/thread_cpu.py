"""CPU seconds of the run's two threads, peak RSS and full garbage-collection passes (issue 16: balance the threads).

    .venv/bin/python -m zhijian bench --sizes 10000 --no-flow --no-usual --keep /tmp/b   # builds the input once
    .venv/bin/python benchmarks/thread_cpu.py /tmp/b/n10000/input --out /tmp/tc

Runs `pipeline.scoring.run` (what `zhijian score --no-flow` runs) in this process on every chat-log file
of the folder and prints one line: the run's own thread's CPU seconds (ingest, store, normalise, segment, rubric,
results), the model thread's (sentiment and customer state; ONNX Runtime's own worker threads are in the
process's total, not in either), the process's user+sys, its peak RSS, and the full collections the
garbage collector made with their CPU seconds. CPU seconds, not wall: several people share the machine.
For an A/B run it from each worktree in turn, alternating, on the same input.
"""
from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())  # the worktree it is run from, as `python -m zhijian` would import it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", help="a folder of chat-log files (zhijian bench --keep DIR: DIR/nN/input)")
    parser.add_argument("--out", required=True, help="path prefix for the store (.db) and results (.jsonl)")
    args = parser.parse_args()

    full = {"passes": 0, "cpu": 0.0, "start": 0.0}

    def on_gc(phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            full["start"] = time.thread_time()
        else:
            full["passes"] += 1
            full["cpu"] += time.thread_time() - full["start"]

    gc.callbacks.append(on_gc)
    import pipeline.partitions as partitions
    from pipeline.ingest.readers import is_supported
    from pipeline.scoring import run

    model_cpu: dict[str, float] = {}
    close = partitions.ModelThread.close

    def close_and_measure(self: partitions.ModelThread) -> None:  # the model thread's CPU, asked on that thread
        if self.executor is not None:
            model_cpu["s"] = self.executor.submit(time.thread_time).result()
        close(self)

    partitions.ModelThread.close = close_and_measure  # type: ignore[method-assign]
    db, results = Path(f"{args.out}.db"), Path(f"{args.out}.jsonl")
    for path in (db, results):
        path.unlink(missing_ok=True)
    files = sorted(str(p) for p in Path(args.inputs).iterdir() if p.is_file() and is_supported(p))
    t0 = time.perf_counter()
    summary = run(files, store_url=f"sqlite:///{db}", results_path=results)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run's worker process (pipeline/local_worker.py)
    print(f"{summary.conversations:,} conversations: run's thread {time.thread_time():.1f} CPU s | model thread "
          f"{model_cpu.get('s', 0.0):.1f} CPU s | process {usage.ru_utime + usage.ru_stime:.1f} CPU s | worker "
          f"{workers.ru_utime + workers.ru_stime:.1f} CPU s, peak {workers.ru_maxrss // 1024} MiB | peak RSS "
          f"{usage.ru_maxrss // 1024} MiB | full GC passes {full['passes']} ({full['cpu']:.2f} CPU s) | wall "
          f"{time.perf_counter() - t0:.1f} s | load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
