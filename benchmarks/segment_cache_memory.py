"""What the segmenter's cache of distinct texts costs in memory as a night grows (issue 16: memory flat).

    .venv/bin/python benchmarks/segment_cache_memory.py --sizes 30000,100000
    .venv/bin/python benchmarks/segment_cache_memory.py --sizes 30000,100000 --cache-max 200000   # the old bound

`zhijian bench --no-flow` grew +196 MiB of peak RSS from 30,000 to 100,000 conversations. The bench's
texts are the sample's, each copy's customer texts made distinct (`zhijian bench`'s make_inputs):
508 distinct customer texts per 333 conversations, 830 agent and other texts shared by every copy.
This replays exactly those texts through what the run does to them per message (normalise, then
`Segmenter.tokenize`), each size in a fresh process, and prints the cache's entries and the
process's peak RSS — the segment stage alone, without ingest, model or store. `--cache-max`
overrides pipeline.segment._CACHE_MAX for the A/B.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import pipeline.segment as segment
from pipeline.normalise import normalise_text
conversations, cache_max = int(sys.argv[2]), int(sys.argv[3])
if cache_max:
    segment._CACHE_MAX = cache_max
rows = []
for p in sorted(Path(sys.argv[1], "data", "sample").glob("*.jsonl")):
    for line in p.read_text(encoding="utf-8").splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if isinstance(r, dict) and isinstance(r.get("text"), str):
            rows.append((r["role"] == "customer", r["text"]))
seg = segment.Segmenter()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.process_time()
for k in range(-(-conversations // 333)):  # a copy of the sample per 333 conversations, as zhijian bench writes them
    for customer, text in rows:
        seg.tokenize(normalise_text(f"{text} [{k}]" if k and customer and text else text)[0])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"conversations": conversations, "cache_max": segment._CACHE_MAX, "entries": len(seg._cache),
                  "rss_before_mib": base, "peak_rss_mib": peak, "cpu_s": time.process_time() - t}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30000,100000")
    parser.add_argument("--cache-max", type=int, default=0, help="override pipeline.segment._CACHE_MAX (0: the code's)")
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose pipeline/ runs")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, str(args.code.resolve()), str(size), str(args.cache_max)],
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(args.code.resolve())})  # fmt: skip
        if out.returncode:
            sys.exit(out.stderr[-2000:])
        m = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{m['conversations']:>7,} conversations, cache bound {m['cache_max']:,}: {m['entries']:,} entries, "
              f"peak RSS {m['peak_rss_mib']:,.0f} MiB (segmenter built: {m['rss_before_mib']:,.0f}), "
              f"CPU {m['cpu_s']:.1f} s, wall {time.perf_counter() - t:.0f} s", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
