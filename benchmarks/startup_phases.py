"""Wall and CPU seconds of each phase of `zhijian score` with its Prefect flow, start-up and end included (issue 16).

    .venv/bin/python benchmarks/startup_phases.py INPUT_DIR --out /tmp/sp [--repeat 3] [--against /work/base-wt]

Runs what `zhijian bench` measures (zhijian.bench_child: `score_with_flow` on a fresh SQLite store, a
results file) in a child process per run, from the worktree it is started in and, with `--against`, from
that worktree too, alternating, and prints per phase the median wall and CPU seconds of the run's process
(all its threads) — the phases between the marks below, in the order the process reaches them:

    start               the interpreter starts (the child's exec)
    preflight           zhijian.score_cmd imported, the temporary server spawned; inputs, rubric, store checked
    preload             the model loaded, the stages (jieba) built
    flow imports        Prefect and the flow imported (and whatever else the CLI does before reading ahead)
    read ahead          the input's first pieces read (or stored) while the server starts (ReadAhead)
    server wait         the server's /health answers (its own CPU to that point is the "server to health" row)
    prepare             the flow started, its run created on the server, the prepare task ran
    work                ingest, store, every batch, finish (the run's steps: not start-up)
    flow end            the finish task returned → the flow call returned (artifact, final states)
    exit                → the process is gone (atexit: event and log workers drain, the server settles, stops)

The process's CPU includes the server's only at "exit" (the server is reaped there), so the server's own
CPU is read from /proc as well: to its first health answer and in total. "first model work" is when the
first batch went to the model thread (wall seconds from the start). `STARTUP_PROFILE=DIR` also writes
cProfile files (main thread CPU) of the start (to the end of prepare) and of the end (after finish).
CPU seconds, not wall: several people share the machine; compare figures of one invocation (alternating
runs), medians.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """user+sys CPU seconds of a live process, from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def child(spec_json: str, marks_path: str, t_spawn: float) -> None:
    """The measured process: zhijian.bench_child.main with marks at the phase boundaries."""
    import atexit

    marks: list[tuple[str, float, float]] = [("start", t_spawn, 0.0)]
    server_cpu: dict[str, float] = {}

    def mark(name: str) -> None:
        marks.append((name, time.time(), time.process_time()))

    profile_dir = os.environ.get("STARTUP_PROFILE")  # cProfile the main thread's start (to "prepare") and end
    profiler = None
    if profile_dir:
        import cProfile

        profiler = cProfile.Profile(time.thread_time)  # CPU of the main thread, not wall (a loaded machine)
        profiler.enable()

    def dump() -> None:  # registered first, so it runs last of the atexit hooks
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(os.path.join(profile_dir, "end.prof"))
        mark("exit")
        times = os.times()
        server_cpu.setdefault("total", times.children_user + times.children_system)
        Path(marks_path).write_text(json.dumps({"marks": marks, "server": server_cpu}))

    atexit.register(dump)
    sys.path.insert(0, os.getcwd())  # the worktree it runs in, as `python -m zhijian` would import it
    import pipeline.scoring as scoring
    import zhijian.prefect_server as ps
    import zhijian.score_cmd as sc

    def wrap(owner: object, name: str, before: str | None, after: str | None) -> None:
        original = getattr(owner, name)

        def wrapped(*args, **kwargs):
            if before and not any(m[0] == before for m in marks):
                mark(before)
            try:
                return original(*args, **kwargs)
            finally:
                if after and not any(m[0] == after for m in marks):
                    mark(after)

        wrapped.__wrapped__ = original  # type: ignore[attr-defined]
        setattr(owner, name, wrapped)

    # the flow imports these from pipeline.scoring when it is first imported (after this)
    wrap(scoring, "preflight", None, "preflight")
    wrap(scoring, "preload_run", None, "preload")
    wrap(sc.ReadAhead, "fill", "flow imports", "read ahead")
    original_call = ps.ServerWait.__call__

    def server_wait(self):
        try:
            return original_call(self)
        finally:
            mark("server wait")
            if self.server is not None and self.server.process is not None:
                server_cpu["to health"] = _proc_cpu(self.server.process.pid)

    ps.ServerWait.__call__ = server_wait
    if hasattr(scoring, "prepare_ahead"):  # the run prepared and its first pieces stored while the server starts
        wrap(scoring, "prepare_ahead", None, "prepare ahead")
        wrap(sc.ReadAhead, "store", None, "store ahead")
        original_wait = ps.ServerWait.__call__

        def flow_imported(self):  # the CLI imports Prefect and the flow after storing ahead
            mark("flow imports")
            return original_wait(self)

        ps.ServerWait.__call__ = flow_imported
    original_prepare = scoring.prepare_run

    def prepare_run(*args, **kwargs):  # the flow's prepare (a run prepared ahead is only taken there)
        try:
            return original_prepare(*args, **kwargs)
        finally:
            if any(m[0] == "server wait" for m in marks) and not any(m[0] == "prepare" for m in marks):
                mark("prepare")

    scoring.prepare_run = prepare_run
    wrap(scoring, "finish_run", None, "work")
    if profiler is not None:
        def profile_phase(owner: object, name: str, save: str | None) -> None:
            original = getattr(owner, name)

            def wrapped(*args, **kwargs):
                try:
                    return original(*args, **kwargs)
                finally:
                    if save:
                        profiler.disable()
                        profiler.dump_stats(os.path.join(profile_dir, save))
                        profiler.clear()
                    else:
                        profiler.enable()

            setattr(owner, name, wrapped)

        profile_phase(scoring, "prepare_run", "start.prof")  # to the end of prepare
        profile_phase(scoring, "finish_run", None)  # from the end of finish on
    import pipeline.partitions as partitions

    original_start_ahead = partitions.PartitionWork.start_ahead

    def start_ahead(self, executor):
        if not any(m[0] == "first model work" for m in marks):
            marks.append(("first model work", time.time(), time.process_time()))
        return original_start_ahead(self, executor)

    partitions.PartitionWork.start_ahead = start_ahead
    original_stop = ps.TemporaryServer.stop

    def stop(self):
        if self.process is not None:
            server_cpu["before stop"] = _proc_cpu(self.process.pid)
        return original_stop(self)

    ps.TemporaryServer.stop = stop
    import zhijian.bench_child as bc

    bc.main(spec_json)
    mark("flow end")
    from zhijian.common import freeze_heap_for_exit

    freeze_heap_for_exit()


PHASES = ("preflight", "preload", "prepare ahead", "store ahead", "flow imports", "read ahead", "server wait", "prepare",
          "work", "flow end", "exit")


def run_once(worktree: Path, inputs: list[Path], work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    for stale in ("bench.db", "zhijian.jsonl", "summary.json"):
        (work / stale).unlink(missing_ok=True)
    spec = {"paths": [str(p) for p in inputs], "store": f"sqlite:///{work / 'bench.db'}",
            "results": str(work / "zhijian.jsonl"), "flow": True, "model": None, "summary": str(work / "summary.json")}  # fmt: skip
    marks_path = work / "marks.json"
    t0 = time.time()
    with open(work / "log.txt", "wb") as log:
        proc = subprocess.Popen([sys.executable, __file__, "--child", json.dumps(spec), str(marks_path), repr(t0)],
                                cwd=worktree, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.time() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{worktree}: the run failed; see {work / 'log.txt'}")
    data = json.loads(marks_path.read_text())
    marks = {name: (t, cpu) for name, t, cpu in data["marks"]}
    out: dict[str, tuple[float, float]] = {}
    previous = marks["start"]
    for name, t, cpu in sorted((m for m in data["marks"] if m[0] in PHASES), key=lambda m: m[1]):  # each phase ends at its mark
        out[name] = (t - previous[0], cpu - previous[1])
        previous = (t, cpu)
    total_cpu = usage.ru_utime + usage.ru_stime
    server = data["server"]
    if "first model work" in marks:
        out["first model work (from start)"] = (marks["first model work"][0] - marks["start"][0], 0.0)
    return {"phases": out, "wall": wall, "cpu": total_cpu, "server_to_health": server.get("to health", 0.0),
            "server_total": server.get("total", 0.0), "start_up_wall": sum(out[p][0] for p in PHASES if p not in ("work",) and p in out),
            "work_wall": out.get("work", (0, 0))[0]}  # fmt: skip


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", help="a folder of chat-log files (zhijian bench --keep DIR: DIR/nN/input)")
    parser.add_argument("--out", required=True, help="a folder for the stores, results and logs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", help="another worktree (e.g. a base commit's), run alternately")
    args = parser.parse_args()
    inputs = sorted(Path(args.inputs).glob("*.jsonl"))
    trees = [Path.cwd()] + ([Path(args.against)] if args.against else [])
    runs: dict[Path, list[dict]] = {t: [] for t in trees}
    for k in range(args.repeat):
        for i, tree in enumerate(trees if k % 2 == 0 else trees[::-1]):
            result = run_once(tree, inputs, Path(args.out) / f"{tree.name}" / f"r{k}")
            runs[tree].append(result)
            print(f"{tree.name} #{k}: wall {result['wall']:.1f} s, CPU {result['cpu']:.1f} s", file=sys.stderr)
    med = statistics.median
    header = "| phase (median of %d; wall s / CPU s) | " % args.repeat + " | ".join(t.name for t in trees) + " |"
    lines = [header, "|---|" + "---:|" * len(trees)]
    for name in (*PHASES, "first model work (from start)"):
        cells = []
        for t in trees:
            vals = [r["phases"][name] for r in runs[t] if name in r["phases"]]
            cells.append(f"{med(v[0] for v in vals):.2f} / {med(v[1] for v in vals):.2f}" if vals else "—")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for key, label in (("server_to_health", "server CPU to health"), ("server_total", "server CPU in all"),
                       ("start_up_wall", "wall outside work"), ("wall", "wall"), ("cpu", "process CPU (server included)")):  # fmt: skip
        lines.append(f"| {label} | " + " | ".join(f"{med(r[key] for r in runs[t]):.2f}" for t in trees) + " |")
    print("\n".join(lines))
    (Path(args.out) / "phases.json").write_text(json.dumps({str(t): runs[t] for t in trees}, indent=1))


if __name__ == "__main__":
    main()
