"""Benchmark `mask_text` on the sample messages: texts/second (masking runs on every message every night).

    .venv/bin/python benchmarks/bench_mask.py              # best of 5 passes over data/sample/chats-*.jsonl
    .venv/bin/python benchmarks/bench_mask.py --repeat 10

Prints the number of texts, how many masking changed, and the best pass's texts/s
(best of --repeat passes, so a busy machine disturbs the figure less).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.mask import mask_text  # noqa: E402


def sample_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted((REPO / "data" / "sample").glob("chats-*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    return texts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="passes over the texts; the best is reported")
    args = parser.parse_args(argv)
    texts = sample_texts()
    changed = sum(mask_text(t) != t for t in texts)
    best = float("inf")
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        for t in texts:
            mask_text(t)
        best = min(best, time.perf_counter() - start)
    print(f"texts={len(texts)} changed={changed} best_pass={best * 1000:.1f} ms "
          f"texts_per_s={len(texts) / best:,.0f}")


if __name__ == "__main__":
    main()
