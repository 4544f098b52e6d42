"""Read a run's timeline (ZHIJIAN_TRACE, pipeline/timeline.py): fill, drain, both threads busy, stages per thread.

    ZHIJIAN_TRACE=/tmp/t.tsv .venv/bin/python -m zhijian score --no-flow ... ; .venv/bin/python benchmarks/timeline.py /tmp/t.tsv

The model thread is the one named zhijian-model*; every other thread's spans are the run's (under the flow its
tasks may run on another thread than the main one). Figures, in seconds:
  fill    the run's thread waiting for the model thread ("wait" spans; the first one is the start's fill)
  drain   the model thread idle from the end of its last span to the end of the run's last span
  starve  the model thread idle between its first and last span (it waited for the next batch)
  both    wall where both threads were in a span at once (the run's thread not waiting);
  python_both  the part of it where the model thread was outside ONNX Runtime ("onnx" spans): both threads ran
          Python, one GIL between them; `off` is the run's thread's wall less its CPU inside it (GIL waits, I/O, other
          processes on the core), beside `off alone`, the same where the model thread was idle.

Readings at 10,000 conversations (the bench's input, session 14, a shared machine at load 4-26: CPU is what
counts, walls are inflated): the run's thread never waited for the model thread once both were under way (fill
0.000-0.05 s over 5 batches, flow and --no-flow alike; 5.1 s once at load 26); the model thread started 1.4 s in
(during ingest) and idled 4.0 s at the end at load 3.7 (drain: the last batch's rubric, save and results). Of the
model thread's 11.8-13.5 CPU s, 8.6-10.0 were inside ONNX Runtime's calls (no GIL): its Python was 3.2-3.4 CPU s,
all the GIL time it could take from the run's thread (~16-20 CPU s). So the run is the run's thread's Python plus
what it waits for that 3 s: drain and fill cost it nothing; CPU cut on either thread is what shortens it.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict


def _union(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _minus(spans: list[tuple[float, float]], cut: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """`spans` (a union) less `cut` (a union)."""
    out = []
    for a, b in spans:
        pos = a
        for x, y in cut:
            if y <= pos or x >= b:
                continue
            if x > pos:
                out.append((pos, x))
            pos = max(pos, y)
        if pos < b:
            out.append((pos, b))
    return out


def _overlap(a: float, b: float, busy: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(b, y) - max(a, x)) for x, y in busy if x < b and y > a)


def analyse(path: str) -> dict:
    rows = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            thread, stage, s, e, cpu = line.rstrip("\n").split("\t")
            rows.append((thread, stage, float(s), float(e), float(cpu)))
    model = [r for r in rows if r[0].startswith("zhijian-model")]
    run = [r for r in rows if not r[0].startswith("zhijian-model")]
    model_busy = _union([(s, e) for _, stage, s, e, _ in model if stage != "onnx"])
    model_python = _minus(model_busy, _union([(s, e) for _, stage, s, e, _ in model if stage == "onnx"]))
    run_work = [r for r in run if r[1] not in ("wait", "onnx")]
    run_busy = _union([(s, e) for _, _, s, e, _ in run_work])
    py_both = sum(_overlap(a, b, model_python) for a, b in run_busy)
    end = max(e for _, _, _, e, _ in rows)
    stages: dict[str, dict[str, float]] = defaultdict(lambda: {"wall": 0.0, "cpu": 0.0})
    for thread, stage, s, e, cpu in rows:
        key = f"{'model' if thread.startswith('zhijian-model') else 'run'}:{stage}"
        stages[key]["wall"] += e - s
        stages[key]["cpu"] += cpu
    waits = [(s, e) for _, stage, s, e, _ in run if stage == "wait"]
    both = off_both = off_alone = alone = 0.0
    for _, _, s, e, cpu in run_work:
        wall = e - s
        if wall <= 0:
            continue
        shared = _overlap(s, e, model_busy)
        both += shared
        alone += wall - shared
        off = max(0.0, wall - cpu)
        off_both += off * shared / wall
        off_alone += off * (wall - shared) / wall
    gaps = [b[0] - a[1] for a, b in zip(model_busy, model_busy[1:])]
    return {
        "run_end": round(end, 3),
        "model_first": round(model_busy[0][0], 3) if model_busy else None,
        "model_busy": round(sum(b - a for a, b in model_busy), 3),
        "fill_first": round(waits[0][1] - waits[0][0], 3) if waits else 0.0,
        "fill_total": round(sum(b - a for a, b in waits), 3),
        "waits": len(waits),
        "drain": round(end - model_busy[-1][1], 3) if model_busy else None,
        "starve": round(sum(gaps), 3),
        "both": round(both, 3),
        "run_alone": round(alone, 3),
        "off_both": round(off_both, 3),
        "off_alone": round(off_alone, 3),
        "model_python": round(sum(b - a for a, b in model_python), 3),
        "model_python_cpu": round(sum(r[4] for r in model if r[1] != "onnx") - sum(r[4] for r in model if r[1] == "onnx"), 3),
        "python_both": round(py_both, 3),
        "run_cpu": round(sum(r[4] for r in run_work), 3),
        "model_cpu": round(sum(r[4] for r in model if r[1] != "onnx"), 3),
        "stages": {k: {"wall": round(v["wall"], 3), "cpu": round(v["cpu"], 3)} for k, v in sorted(stages.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace", nargs="+")
    parser.add_argument("--json", action="store_true", help="one JSON object per trace")
    args = parser.parse_args()
    for path in args.trace:
        res = analyse(path)
        if args.json:
            print(json.dumps(res))
            continue
        print(f"{path}: run's spans end at {res['run_end']} s; model thread busy {res['model_busy']} s from "
              f"{res['model_first']} s")
        print(f"  fill: first wait {res['fill_first']} s, all {res['waits']} waits {res['fill_total']} s | drain "
              f"{res['drain']} s | model starved between batches {res['starve']} s")
        print(f"  both threads busy {res['both']} s (run's thread off-CPU {res['off_both']} s); run's thread alone "
              f"{res['run_alone']} s (off-CPU {res['off_alone']} s) | CPU in spans: run {res['run_cpu']} s, "
              f"model thread {res['model_cpu']} s")
        print(f"  model thread outside ONNX Runtime (its Python) {res['model_python']} s wall, "
              f"{res['model_python_cpu']} CPU s; the run's thread busy beside it (both want the GIL) {res['python_both']} s")
        for name, v in res["stages"].items():
            print(f"    {name:24s} wall {v['wall']:7.3f}  cpu {v['cpu']:7.3f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
