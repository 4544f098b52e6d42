"""Peak memory of reading ONE big chat export: ingest must not hold the file (issue 16, bounded memory).

    .venv/bin/python benchmarks/big_file_memory.py --mb 600                   # JSONL, this checkout's code
    .venv/bin/python benchmarks/big_file_memory.py --mb 600 --format csv --code /path/to/other/checkout

Writes one file of about --mb MB (the bundled sample replicated, conversation ids and customer texts
made distinct per copy, as `zhijian bench` does), then runs ingest over it in a child process
(`pipeline.ingest.read_input_chunks`, each piece dropped as the run drops it once stored; no store,
no scoring) and prints the child's peak RSS (VmHWM), wall and CPU seconds. `--code` runs the child
on another checkout's pipeline/ (an A/B against the code before a change). The file is kept with
--keep, else removed.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
FIELDS = ["conversation_id", "timestamp", "role", "agent_id", "agent_name", "customer_id", "shop", "channel", "text", "csat"]

CHILD = """
import sys, time
t = time.perf_counter()
from pipeline.ingest import read_input_chunks
read = kept = 0
for piece in read_input_chunks([sys.argv[1]]):
    read += piece.read
    kept += len(piece.messages)
print(f"rows read {read:,}, messages kept {kept:,}, ingest {time.perf_counter() - t:.1f} s", flush=True)
"""


def write_big_file(path: Path, megabytes: int, fmt: str) -> tuple[int, int]:
    """About `megabytes` MB of chat rows in one file; returns (bytes, rows)."""
    rows = [json.loads(line) for p in sorted(SAMPLE.glob("*.jsonl")) for line in p.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith("{") and '"conversation_id"' in line]  # fmt: skip
    rows = [r for r in rows if isinstance(r, dict) and "conversation_id" in r]
    target, written, count, copy = megabytes * 1_000_000, 0, 0, 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, FIELDS, extrasaction="ignore") if fmt == "csv" else None
        if writer:
            writer.writeheader()
        while written < target:
            buf = io.StringIO()
            out = csv.DictWriter(buf, FIELDS, extrasaction="ignore") if writer else None
            for row in rows:
                row = {**row, "conversation_id": f"big{copy:06d}-{row['conversation_id']}"}
                if row.get("role") == "customer" and isinstance(row.get("text"), str):
                    row["text"] = f"{row['text']} [{copy}]"
                if out:
                    out.writerow(row)
                else:
                    buf.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
            data = buf.getvalue()
            fh.write(data)
            written += len(data.encode("utf-8"))
            copy += 1
    return path.stat().st_size, count


def measure(code: Path, path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], cwd=code, env=env, stdout=subprocess.PIPE, text=True)
    hwm_kib = 0
    while True:
        try:
            with open(f"/proc/{proc.pid}/status") as fh:
                hwm_kib = max([hwm_kib] + [int(line.split()[1]) for line in fh if line.startswith("VmHWM:")])
        except OSError:
            pass
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.1)
    out = proc.stdout.read().strip() if proc.stdout else ""
    return {"code": str(code), "exit": os.waitstatus_to_exitcode(status), "wall_s": time.perf_counter() - t0,
            "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mib": max(hwm_kib, 0) / 1024, "child": out}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=600, help="size of the generated file in MB")
    parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    parser.add_argument("--code", action="append", type=Path, help="checkout(s) to run ingest from (default: this one)")
    parser.add_argument("--keep", type=Path, help="write the file here and keep it (reused when it exists)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhijian-bigfile-") as tmp:
        path = args.keep or Path(tmp) / f"big.{args.format}"
        if not path.exists():
            t = time.perf_counter()
            size, rows = write_big_file(path, args.mb, args.format)
            print(f"wrote {path}: {size / 2**20:,.0f} MiB, {rows:,} rows in {time.perf_counter() - t:.0f} s", flush=True)
        print(f"file {path.stat().st_size / 2**20:,.0f} MiB ({args.format})")
        for code in args.code or [REPO]:
            m = measure(code.resolve(), path)
            print(f"{m['code']}: peak RSS {m['peak_rss_mib']:,.0f} MiB, wall {m['wall_s']:.1f} s, CPU {m['cpu_s']:.1f} s, "
                  f"exit {m['exit']}; {m['child']}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
