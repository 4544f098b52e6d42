"""`zhijian bench`: the nightly run beside the script a shop would write, on the same input, on this machine.

For each size (conversations) it writes an input by replicating the bundled sample
(data/sample/*.jsonl, conversation ids rewritten so every copy is a new conversation; a
conversation continued across midnight stays spread over two day files, as in a real export),
then runs, one after the other, each in its own process so its peak memory is its own:

- the nightly run: what `zhijian score` runs (the Prefect flow, or `--no-flow` its plain steps),
  on a fresh SQLite store, writing a results file;
- with `--server URL`, the nightly run again, as its flow run on that running Prefect server
  (PREFECT_API_URL=URL, as the nightly job runs under `zhijian serve`, whose server is started once
  and kept), on a fresh store of its own: an extra row, labelled "zhijian (flow, persistent server)";
  the headline row stays the one that starts a temporary server, as a plain `zhijian score` does;
- the usual script (benchmarks/usual_script.py: jieba on every message, SnowNLP on every
  customer message, keyword rules), on the same files.

Figures: wall time of the whole process (start-up, model load and, with the flow, Prefect's
temporary server included), conversations/s, messages/s, peak RSS of the process (its
VmHWM, plus its scoring worker's; the temporary Prefect server is a process of its own and not counted), CPU seconds (the
temporary server's included: the process waits for it; a persistent server's not), the run's time
per stage, and the ratio zhijian / usual script in conversations per second. Speed on a
shared machine moves with its load: compare only figures from the same bench. The project's bytecode is
written first (`compile_project`), as an installed package has it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

# pipeline.settings.REPO_ROOT, found the same way: importing pipeline.settings (pydantic-settings) here cost every
# zhijian command ~0.1 s before it started, `zhijian score` before its Prefect server could start.
REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE = REPO_ROOT / "data" / "sample"
USUAL_SCRIPT = REPO_ROOT / "benchmarks" / "usual_script.py"
DEFAULT_SIZES = "1000,10000"
PERSISTENT = "zhijian (flow, persistent server)"

# The run's stages (RunSummary.stage_seconds) as the issue names them.
STAGE_LABELS = {
    "ingest": "ingest (read, decode, mask, key)",
    "store": "store (write, read back, results rows)",
    "assemble": "assemble",
    "normalise": "normalise",
    "segment": "segment (jieba)",
    "sentiment": "sentiment (model)",
    "rubric": "rubric",
    "results": "results (objects, JSONL)",
}


@dataclass
class Measure:
    """One process measured: what ran, on what, how long, how much memory."""

    tool: str  # "zhijian (flow)", "zhijian (--no-flow)", "usual script"
    conversations: int
    messages: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    exit_code: int
    stage_seconds: dict[str, float] = field(default_factory=dict)
    run_seconds: float | None = None  # inside the run's steps (after model load and Prefect start-up)
    note: str = ""
    worker_rss_mib: float = 0.0  # of peak_rss_mib, the run's worker processes' (pipeline/local_worker.py)

    @property
    def conversations_per_second(self) -> float:
        return self.conversations / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def conversations_per_cpu_second(self) -> float:  # steadier than wall time on a shared, loaded machine
        return self.conversations / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.wall_seconds if self.wall_seconds else 0.0


# ---------------------------------------------------------------------- inputs
def make_inputs(out_dir: Path, conversations: int, sample: Path = SAMPLE) -> tuple[list[Path], int, int]:
    """Write one file per sample day holding every copy's rows of that day; returns (files, conversations, rows).

    Exactly `conversations` conversations: the last copy keeps only the first ids it needs; each copy's
    customer texts carry the copy's number, so no text repeats across copies. The files are written as
    they are read, never held whole.
    """
    days = sorted(sample.glob("*.jsonl"))
    if not days:
        raise FileNotFoundError(f"no sample chat logs in {sample}: zhijian bench replicates data/sample/*.jsonl")
    parsed = [(p, [_row_or_line(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]) for p in days]
    ids = list(dict.fromkeys(r["conversation_id"] for _, rows in parsed for r in rows if isinstance(r, dict)))
    copies = -(-conversations // len(ids))
    out_dir.mkdir(parents=True, exist_ok=True)
    files, total = [], 0
    for path, rows in parsed:
        target = out_dir / path.name
        with open(target, "w", encoding="utf-8") as fh:
            for k in range(copies):
                keep = set(ids[: conversations - k * len(ids)]) if (k + 1) * len(ids) > conversations else None
                for row in rows:
                    if not isinstance(row, dict):
                        if k == 0:  # a deliberately broken sample row, once: it is quarantined
                            fh.write(row + "\n")
                            total += 1
                        continue
                    if keep is not None and row["conversation_id"] not in keep:
                        continue
                    copy = {**row, "conversation_id": f"b{k:04d}-{row['conversation_id']}"}
                    if k and row.get("role") == "customer" and isinstance(row.get("text"), str) and row["text"]:
                        # Every copy's customer texts differ from the other copies': the run sends each
                        # distinct text through the model once, so verbatim copies would bench a cache,
                        # not the model. Repeats within one copy stay, as in a real day's chats.
                        copy["text"] = f"{row['text']} [{k}]"
                    fh.write(json.dumps(copy, ensure_ascii=False) + "\n")
                    total += 1
        files.append(target)
    return files, conversations, total


def _row_or_line(line: str) -> Any:
    try:
        row = json.loads(line)
    except json.JSONDecodeError:
        return line
    return row if isinstance(row, dict) and "conversation_id" in row else line


# ---------------------------------------------------------------------- measuring a process
def measure(argv: list[str], log_path: Path, env: dict[str, str] | None = None) -> tuple[float, float, float, int, float]:
    """Run argv to its end; (wall seconds, CPU seconds, peak RSS MiB, exit code, of that peak its worker processes').

    Peak memory is the process's own high-water mark (VmHWM of its memory since exec, polled every
    0.1 s while it runs; growth in its last 0.1 s is missed, nothing in a minutes-long run), plus that of
    each worker process it starts with multiprocessing (the run's scoring worker, pipeline/local_worker.py,
    and multiprocessing's resource tracker): the sum of their peaks, an upper bound of what they held at
    once. The temporary Prefect server, a child too, is not counted. CPU seconds count every child the
    process waited for (the worker, the server). The kernel's ru_maxrss is only the fallback where /proc is
    missing: it also counts the parent's memory at fork, so a parent larger than the child (a test runner)
    would inflate it.
    """
    with open(log_path, "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        proc_dir = Path(f"/proc/{proc.pid}")
        high_water_kib = 0
        workers: dict[int, int] = {}  # pid -> high-water mark
        while True:
            high_water_kib = max(high_water_kib, _vm_hwm_kib(proc_dir, argv))
            for child in _worker_pids(proc_dir):
                workers[child] = max(workers.get(child, 0), _vm_hwm_kib(Path(f"/proc/{child}"), None))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)  # this child's rusage, and its waited-for children's
            if pid:
                break
            time.sleep(0.1)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_kib = high_water_kib if Path("/proc/self/status").exists() else usage.ru_maxrss  # both KiB
    worker_kib = sum(workers.values())
    return wall, usage.ru_utime + usage.ru_stime, (peak_kib + worker_kib) / 1024, proc.returncode, worker_kib / 1024


def _worker_pids(proc_dir: Path) -> list[int]:
    """The process's children that multiprocessing started (their command line says so)."""
    pids = []
    try:
        for task in (proc_dir / "task").iterdir():
            for child in (task / "children").read_text().split():
                if b"multiprocessing" in Path(f"/proc/{child}/cmdline").read_bytes():
                    pids.append(int(child))
    except (OSError, ValueError):
        pass  # gone already, or no /proc
    return pids


def _vm_hwm_kib(proc_dir: Path, argv: list[str] | None) -> int:
    """The process's VmHWM once it runs argv (before its exec it still shows the parent's memory; None: any); 0 otherwise."""
    try:
        if argv is not None and (proc_dir / "cmdline").read_bytes().rstrip(b"\0") != "\0".join(argv).encode():
            return 0
        for line in (proc_dir / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass  # gone already, or no /proc
    return 0


def run_zhijian(files: list[Path], work: Path, *, flow: bool, model: str | None, server: str | None = None) -> Measure:
    """The nightly run in its own process; with `server`, its flow runs on that Prefect server (its own store)."""
    if server:
        work = work / "persistent-server"
        work.mkdir(parents=True, exist_ok=True)
    spec = {"paths": [str(f) for f in files], "store": f"sqlite:///{work / 'bench.db'}",
            "results": str(work / "zhijian.jsonl"), "flow": flow, "model": model, "summary": str(work / "summary.json")}  # fmt: skip
    argv = [sys.executable, "-m", "zhijian.bench_child", json.dumps(spec)]
    log = work / "zhijian.log"
    wall, cpu, rss, code, worker_rss = measure(argv, log, env={**os.environ, "PREFECT_API_URL": server} if server else None)
    tool = PERSISTENT if server else "zhijian (flow)" if flow else "zhijian (--no-flow)"
    summary = json.loads(Path(spec["summary"]).read_text(encoding="utf-8")) if code == 0 else {}
    note = "" if code == 0 else f"failed (exit {code}); see {log}"
    if flow and "running without the flow" in log.read_text(encoding="utf-8", errors="replace"):
        note = "Prefect could not start: ran without the flow"
    return Measure(tool, summary.get("conversations", 0), summary.get("read", 0), wall, cpu, rss, code,
                   summary.get("stage_seconds", {}), summary.get("seconds"), note, worker_rss)  # fmt: skip


def run_usual(files: list[Path], work: Path, conversations: int, messages: int) -> Measure:
    argv = [sys.executable, str(USUAL_SCRIPT), *map(str, files), "--out", str(work / "usual.jsonl")]
    log = work / "usual.log"
    wall, cpu, rss, code, _ = measure(argv, log)
    out = work / "usual.jsonl"
    done = sum(1 for _ in open(out, encoding="utf-8")) if code == 0 and out.exists() else 0
    return Measure("usual script", done, messages if code == 0 else 0, wall, cpu, rss, code,
                   note="" if code == 0 else f"failed (exit {code}); see {log}")  # fmt: skip


# ---------------------------------------------------------------------- the report
def _fmt_row(m: Measure) -> str:
    return (f"| {m.conversations:,} | {m.tool} | {m.wall_seconds:,.1f} | {m.conversations_per_second:,.1f} | "
            f"{m.messages_per_second:,.0f} | {m.peak_rss_mib:,.0f} | {m.cpu_seconds:,.1f} | {m.conversations_per_cpu_second:,.1f} | {m.note} |")


def report(rows: list[tuple[int, list[Measure]]]) -> str:
    lines = ["| conversations | tool | wall s | conv/s | messages/s | peak RSS MiB | CPU s | conv per CPU-s | note |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---|"]  # fmt: skip
    ratios = []
    for size, ms in rows:
        lines += [_fmt_row(m) for m in ms]
        ours = [m for m in ms if m.tool.startswith("zhijian") and m.exit_code == 0]
        usual = [m for m in ms if m.tool == "usual script" and m.exit_code == 0]
        if ours and usual and usual[0].conversations_per_second and usual[0].conversations_per_cpu_second:
            for m in ours:  # the headline first; a persistent-server row says so
                ratios.append(f"{size:,}{' ' + m.tool if m.tool == PERSISTENT else ''}: "
                              f"{m.conversations_per_second / usual[0].conversations_per_second:.2f}× "
                              f"(per CPU-second {m.conversations_per_cpu_second / usual[0].conversations_per_cpu_second:.2f}×)")
    if ratios:
        lines += ["", "zhijian / usual script, conversations per second of wall time: " + ", ".join(ratios)]
    stage_rows = [(size, m) for size, ms in rows for m in ms if m.stage_seconds]
    if stage_rows:
        stages = [s for s in STAGE_LABELS if any(s in m.stage_seconds for _, m in stage_rows)]
        stages += sorted({s for _, m in stage_rows for s in m.stage_seconds} - set(stages))
        lines += ["", "| stage, seconds | " + " | ".join(f"{size:,}" + (", persistent server" if m.tool == PERSISTENT else "")
                                                      for size, m in stage_rows) + " |",
                  "|---|" + "---:|" * len(stage_rows)]  # fmt: skip
        for s in stages:
            lines.append(f"| {STAGE_LABELS.get(s, s)} | " + " | ".join(f"{m.stage_seconds.get(s, 0.0):,.1f}" for _, m in stage_rows) + " |")
        lines.append("| start-up and the rest (wall − run) | "
                     + " | ".join(f"{m.wall_seconds - (m.run_seconds or 0):,.1f}" for _, m in stage_rows) + " |")  # fmt: skip
    return "\n".join(lines)


def _check_server(url: str) -> None:
    """Before any run: the Prefect server at `url` answers, or the option says what to do."""
    import httpx

    try:
        ok = httpx.get(f"{url.rstrip('/')}/health", timeout=10).status_code == 200
    except httpx.HTTPError:
        ok = False
    if not ok:
        raise typer.BadParameter(f"no Prefect server answers at {url.rstrip('/')}/health: start one (`prefect server start`) "
                                 f"and pass its API URL (e.g. http://127.0.0.1:4200/api), or drop --server")  # fmt: skip


PROJECT_PACKAGES = ("pipeline", "models", "flows", "zhijian")


def compile_project(root: Path = REPO_ROOT) -> None:
    """Write the project's bytecode before measuring, as installing the project would.

    A package installed with pip comes compiled, and a checkout keeps each module's bytecode beside it
    after its first import, unless PYTHONDONTWRITEBYTECODE is set, as it is on the build machine: then
    every `zhijian score` compiled the whole project again before its run began (~0.15 CPU s on the run's
    own thread, session 11), while the usual script imports only compiled packages (jieba, SnowNLP). The
    bench measures the nightly run as installed: the bytecode is written here, once, untimed, where the
    measured processes' imports find it (Python checks it against each source file's time and size, so an
    edited module is compiled afresh). Nothing is written where the checkout is read-only.
    """
    import compileall

    for package in PROJECT_PACKAGES:
        compileall.compile_dir(root / package, quiet=2)


def _parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        sizes = []
    if not sizes or any(s < 1 for s in sizes):
        raise typer.BadParameter(f"'{text}': give conversation counts separated by commas, e.g. 1000,10000,100000")
    return sizes


def bench(
    sizes: Annotated[str, typer.Option("--sizes", metavar="N,N", help="Conversation counts to run, e.g. 1000,10000,100000.")] = DEFAULT_SIZES,
    flow: Annotated[bool, typer.Option("--flow/--no-flow", help="Run the nightly run as its Prefect flow (default) or its plain steps.")] = True,
    usual: Annotated[bool, typer.Option("--usual/--no-usual", help="Also run the usual script on the same input (default).")] = True,
    model: Annotated[Optional[str], typer.Option("--model", metavar="DIR", help="Sentiment model directory or name; default: ZHIJIAN_SENTIMENT_MODEL.")] = None,
    json_out: Annotated[Optional[Path], typer.Option("--json", metavar="FILE", help="Also write the figures as JSON here.")] = None,
    keep: Annotated[Optional[Path], typer.Option("--keep", metavar="DIR", help="Keep inputs, stores, results and logs in DIR (default: a temporary folder, removed).")] = None,
    server: Annotated[Optional[str], typer.Option("--server", metavar="URL", help="Also run the flow on this running Prefect server (e.g. http://127.0.0.1:4200/api), as under `zhijian serve`: an extra row, no server start in it.")] = None,
) -> None:
    """Speed and peak memory of the nightly run beside the usual jieba + SnowNLP script, at each size.

    Prints a table (conversations/s, messages/s, peak RSS, wall and CPU time, time per stage, the ratio).
    """
    size_list = _parse_sizes(sizes)
    if usual and not USUAL_SCRIPT.exists():
        raise typer.BadParameter(f"{USUAL_SCRIPT} not found: run from a checkout of the repository, or pass --no-usual")
    if server:
        _check_server(server)
    from rich.console import Console

    err = Console(stderr=True)
    compile_project()
    rows: list[tuple[int, list[Measure]]] = []
    with tempfile.TemporaryDirectory(prefix="zhijian-bench-") as tmp:
        root = keep or Path(tmp)
        for size in size_list:
            work = root / f"n{size}"
            with err.status(f"{size:,} conversations: writing the input") as status:
                files, n_conv, n_rows = make_inputs(work / "input", size)
                status.update(f"{size:,} conversations ({n_rows:,} rows): the nightly run")
                measures = [run_zhijian(files, work, flow=flow, model=model)]
                if server:
                    status.update(f"{size:,} conversations ({n_rows:,} rows): the nightly run on the Prefect server {server}")
                    measures.append(run_zhijian(files, work, flow=True, model=model, server=server))
                if usual:
                    status.update(f"{size:,} conversations ({n_rows:,} rows): the usual script")
                    measures.append(run_usual(files, work, n_conv, n_rows))
            rows.append((size, measures))
            err.print(f"{size:,} conversations: "
                      + ", ".join(f"{m.tool} {m.wall_seconds:,.1f} s, peak {m.peak_rss_mib:,.0f} MiB"
                                  + (f" ({m.worker_rss_mib:,.0f} of it the worker's)" if m.worker_rss_mib else "") for m in measures))
    typer.echo(f"# zhijian bench: {os.cpu_count()} CPU(s), load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    typer.echo(report(rows))
    if json_out is not None:
        data = [{"size": size, **asdict(m), "conversations_per_second": m.conversations_per_second,
                 "messages_per_second": m.messages_per_second, "conversations_per_cpu_second": m.conversations_per_cpu_second}
                for size, ms in rows for m in ms]  # fmt: skip
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    if any(m.exit_code for _, ms in rows for m in ms):
        raise typer.Exit(1)
