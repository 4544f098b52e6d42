"""Benchmark the nightly run: conversations/second, peak memory, time per stage.

    .venv/bin/python benchmarks/bench_score.py                      # ≥5,000 conversations, default model
    .venv/bin/python benchmarks/bench_score.py --conversations 20000 --model models/zh-cs-sentiment
    .venv/bin/python benchmarks/bench_score.py --store postgresql://…  # against PostgreSQL

Replicates data/sample/*.jsonl (rewriting conversation ids, so every copy is a new
conversation) until there are at least --conversations conversations, then runs
pipeline.scoring.score_files on a fresh store and prints the figures. With --rerun it
also times the same files again (nothing new stored; results read back from the store).
Without the sample data it generates simple synthetic chats instead.
"""
from __future__ import annotations

import argparse
import json
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


def _synthetic_rows(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        cid = f"syn{i:06d}"
        day = 1 + i % 28
        rows += [
            {"conversation_id": cid, "timestamp": f"2026-10-{day:02d}T14:02:11+08:00", "role": "customer",
             "text": "怎么还没发货啊，都三天了，电话13812345678"},
            {"conversation_id": cid, "timestamp": f"2026-10-{day:02d}T14:03:00+08:00", "role": "agent",
             "agent_id": f"A{i % 12:02d}", "text": "您好，很高兴为您服务，非常抱歉让您久等了，我马上帮您查询"},
            {"conversation_id": cid, "timestamp": f"2026-10-{day:02d}T14:05:00+08:00", "role": "customer",
             "text": "好的谢谢" if i % 3 else "太差了，我要投诉"},
            {"conversation_id": cid, "timestamp": f"2026-10-{day:02d}T14:06:00+08:00", "role": "agent",
             "agent_id": f"A{i % 12:02d}", "text": "感谢您的耐心，祝您生活愉快"},
        ]  # fmt: skip
    return rows


def make_inputs(out_dir: Path, conversations: int) -> tuple[list[Path], int, int]:
    """Write replica files; returns (files, conversations, rows)."""
    sample = sorted((REPO / "data" / "sample").glob("*.jsonl"))
    files: list[Path] = []
    if not sample:
        rows = _synthetic_rows(conversations)
        path = out_dir / "synthetic.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        return [path], conversations, len(rows)
    lines_by_file = [(p, p.read_text(encoding="utf-8").splitlines()) for p in sample]
    ids: set[str] = set()
    for _, lines in lines_by_file:
        for line in lines:
            try:
                ids.add(json.loads(line)["conversation_id"])
            except (json.JSONDecodeError, KeyError, TypeError):
                pass  # a deliberately broken sample row: copied as is, it is quarantined
    per_copy = max(len(ids), 1)
    copies = -(-conversations // per_copy)
    total_rows = 0
    for k in range(copies):
        for p, lines in lines_by_file:
            out_lines = []
            for line in lines:
                try:
                    row = json.loads(line)
                    row["conversation_id"] = f"r{k:03d}-{row['conversation_id']}"
                    out_lines.append(json.dumps(row, ensure_ascii=False))
                except (json.JSONDecodeError, KeyError, TypeError):
                    out_lines.append(line)
            path = out_dir / f"r{k:03d}-{p.name}"
            path.write_text("\n".join(out_lines) + "\n", encoding="utf-8")
            files.append(path)
            total_rows += len(out_lines)
    return files, copies * per_copy, total_rows


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

    with tempfile.TemporaryDirectory(prefix="zhijian-bench-") as tmp:
        tmp_path = Path(tmp)
        files, n_conv, n_rows = make_inputs(tmp_path, args.conversations)
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
