"""Benchmark `mask_text` on the sample messages: texts/second (masking runs on every message every night).

    .venv/bin/python benchmarks/bench_mask.py              # best of 5 passes over data/sample/chats-*.jsonl
    .venv/bin/python benchmarks/bench_mask.py --repeat 15 --baseline /tmp/mask_before.py
        # also time another mask.py (e.g. `git show e4f0148:pipeline/mask.py > /tmp/mask_before.py`),
        # passes interleaved so a busy machine disturbs both figures alike

Prints the number of texts, how many masking changed, and the best pass's texts/s
(best of --repeat passes, so a busy machine disturbs the figure less).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.mask import mask_text  # noqa: E402


def sample_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted((REPO / "data" / "sample").glob("chats-*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    return texts


def load_mask_text(path: Path) -> Callable[[str], str]:
    spec = importlib.util.spec_from_file_location("baseline_mask", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.mask_text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="passes over the texts; the best is reported")
    parser.add_argument("--baseline", type=Path, help="another mask.py to time beside this one")
    args = parser.parse_args(argv)
    texts = sample_texts()
    maskers = {"current": mask_text}
    if args.baseline:
        maskers["baseline"] = load_mask_text(args.baseline)
    best = dict.fromkeys(maskers, float("inf"))
    for _ in range(max(1, args.repeat)):
        for name, mask in maskers.items():
            start = time.perf_counter()
            for t in texts:
                mask(t)
            best[name] = min(best[name], time.perf_counter() - start)
    for name, mask in maskers.items():
        changed = sum(mask(t) != t for t in texts)
        print(f"{name}: texts={len(texts)} changed={changed} best_pass={best[name] * 1000:.1f} ms "
              f"texts_per_s={len(texts) / best[name]:,.0f}")


if __name__ == "__main__":
    main()
