"""CPU seconds of the rubric stage, criterion by criterion, inside a whole run (issue 16: the judgement models' share).

    .venv/bin/python -m zhijian bench --sizes 6000 --no-flow --no-usual --keep /tmp/b   # builds the input once
    .venv/bin/python benchmarks/rubric_cpu.py /tmp/b/n6000/input --out /tmp/rc

Runs `pipeline.scoring.run` (what `zhijian score --no-flow` runs) in this process on every chat-log file of the folder,
with every registered criterion's `score` and `prime` and every flag's `detect` timed by the run's thread's CPU clock
(`time.thread_time`: the model thread and ONNX Runtime's workers beside it are not counted, nor is waiting for the
GIL), and prints the rubric stage's CPU seconds, then each criterion's, largest first. CPU seconds, not wall: several
people share the machine. For an A/B run it from each worktree in turn, alternating, on the same input.
"""
from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, os.getcwd())  # the worktree it is run from, as `python -m zhijian` would import it


def _timed(table: dict[str, float], key: str, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        start = time.thread_time()
        try:
            return func(*args, **kwargs)
        finally:
            table[key] += time.thread_time() - start

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", help="a folder of chat-log files (zhijian bench --keep DIR: DIR/nN/input)")
    parser.add_argument("--out", required=True, help="path prefix for the store (.db) and results (.jsonl)")
    args = parser.parse_args()

    from pipeline.ingest.readers import is_supported
    from pipeline.rubric.engine import Rubric
    from pipeline.rubric.registry import CRITERIA, FLAGS
    from pipeline.scoring import run

    cpu: dict[str, float] = defaultdict(float)
    for name, cls in list(CRITERIA.items()) + list(FLAGS.items()):
        for method in ("score", "prime", "detect"):
            if method in vars(cls):  # only what the class defines itself: an inherited one is timed once, on its owner
                setattr(cls, method, _timed(cpu, f"{name} {method}", vars(cls)[method]))
    Rubric.score_many = _timed(cpu, "rubric stage (score_many)", Rubric.score_many)  # type: ignore[method-assign]

    db, results = Path(f"{args.out}.db"), Path(f"{args.out}.jsonl")
    for path in (db, results):
        path.unlink(missing_ok=True)
    files = sorted(str(p) for p in Path(args.inputs).iterdir() if p.is_file() and is_supported(p))
    summary = run(files, store_url=f"sqlite:///{db}", results_path=results)
    print(f"{summary.conversations:,} conversations: run's thread {time.thread_time():.2f} CPU s, load {os.getloadavg()[0]:.1f}")
    for key, seconds in sorted(cpu.items(), key=lambda kv: -kv[1]):
        print(f"{seconds:8.3f}  {key}")


if __name__ == "__main__":
    main()
