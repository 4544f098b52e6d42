"""Benchmark the nightly run: conversations/second, peak memory, time per stage.

    .venv/bin/python benchmarks/bench_score.py                      # ≥5,000 conversations, default model
    .venv/bin/python benchmarks/bench_score.py --conversations 20000 --model models/zh-cs-sentiment
    .venv/bin/python benchmarks/bench_score.py --store postgresql://…  # against PostgreSQL

Replicates data/sample/*.jsonl (zhijian.bench.make_inputs: conversation ids rewritten, so every
copy is a new conversation) to exactly --conversations conversations, then runs
pipeline.scoring.score_files in this process on a fresh store and prints the figures. With --rerun
it also times the same files again (nothing new stored; results read back from the store).
`zhijian bench` is the end-to-end comparison (the CLI's run in its own process, beside the usual script).
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

STAGE_LABELS = {
    "ingest": "ingest (read, map, mask, dedupe)",
    "assemble": "assemble",
    "normalise": "normalise",
    "segment": "segment (jieba)",
    "sentiment": "sentiment",
    "rubric": "rubric",
    "store": "store (write + read back)",
    "results": "results (objects + JSONL)",
}


def load_model(name: str | None):
    from models.sentiment import load_sentiment_model

    try:
        return load_sentiment_model(name), None
    except Exception as err:  # the default model may not be trained yet: measure the rest with the lexicon
        from models.baseline import LexiconSentiment

        texts = ["太差了", "好的谢谢", "在吗", "垃圾", "非常满意", "请问发货了吗"]
        labels = ["negative", "positive", "neutral", "negative", "positive", "neutral"]
        return LexiconSentiment().fit(texts, labels), f"{name or 'default model'} unavailable ({err}); used the lexicon baseline"


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def report(title: str, summary, seconds: float) -> None:
    print(f"\n## {title}")
    print(f"conversations: {summary.conversations}  (scored {summary.scored}, read back {summary.reused})")
    print(f"messages read: {summary.read}  stored: {summary.stored}  duplicates: {summary.duplicates}  "
          f"quarantined: {summary.quarantined}  flagged: {summary.flagged}  errors: {summary.scoring_errors}")
    print(f"wall time: {seconds:.2f} s  →  {summary.conversations / seconds:,.0f} conversations/s, "
          f"{summary.read / seconds:,.0f} messages/s")
    total = sum(summary.stage_seconds.values()) or 1.0
    print("| stage | seconds | share |\n|---|---:|---:|")
    for stage, secs in sorted(summary.stage_seconds.items(), key=lambda kv: -kv[1]):
        print(f"| {STAGE_LABELS.get(stage, stage)} | {secs:.2f} | {100 * secs / total:.0f}% |")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--conversations", type=int, default=5000)
    p.add_argument("--model", default=None, help="sentiment model dir/name (default: settings.sentiment_model)")
    p.add_argument("--store", default=None, help="store URL (default: a fresh SQLite file in a temp folder)")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--rerun", action="store_true", help="also time a second run of the same files")
    args = p.parse_args(argv)

    from pipeline.scoring import score_files
    from zhijian.bench import make_inputs

    with tempfile.TemporaryDirectory(prefix="zhijian-bench-") as tmp:
        tmp_path = Path(tmp)
        files, n_conv, n_rows = make_inputs(tmp_path / "input", args.conversations)
        store = args.store or f"sqlite:///{tmp_path / 'bench.db'}"
        model, note = load_model(args.model)
        print(f"# bench_score: {n_conv} conversations, {n_rows} rows in {len(files)} files; "
              f"model {getattr(model, 'model_id', '?')}; store {store.split('@')[-1]}")
        if note:
            print(f"note: {note}")
        rss0 = maxrss_mib()
        t0 = time.perf_counter()
        summary = score_files(files, store, tmp_path / "results.jsonl", model=model, batch_size=args.batch_size,
                              command="benchmarks/bench_score.py")  # fmt: skip
        report("first run (fresh store)", summary, time.perf_counter() - t0)
        print(f"peak RSS: {maxrss_mib():,.0f} MiB (before the run: {rss0:,.0f} MiB)")
        if args.rerun:
            t0 = time.perf_counter()
            again = score_files(files, store, tmp_path / "results2.jsonl", model=model, batch_size=args.batch_size,
                                command="benchmarks/bench_score.py --rerun")  # fmt: skip
            report("re-run (same files, nothing new)", again, time.perf_counter() - t0)
            print(f"peak RSS: {maxrss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
