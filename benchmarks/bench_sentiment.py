"""Sentiment throughput and peak memory at chat-turn length, next to SnowNLP measured in the same run.

    python benchmarks/bench_sentiment.py [--model DIR] [--threads 2] [--texts 4000]
    taskset -c 0,1 python benchmarks/bench_sentiment.py        # pin to 2 cores

Each model runs in its own subprocess so its peak RSS is its own (model load + inference).
Throughput is the median of ``--repeats`` timed passes (default 3; SnowNLP: one pass), the slowest pass
next to it, and the machine's load average is printed: on a shared machine one pass can be slowed by
other jobs.
Texts: typical customer-turn length, 15–30 characters: consecutive chat turns from
data/sentiment/chat_turns.tsv joined with "，" until at least 15 characters (cut at 30), repeated
to --texts; without that file, generated turns of the same length.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_texts(n: int) -> list[str]:
    from models.data import CHAT_TURNS_PATH, read_turns

    turns = [e.text for e in read_turns(CHAT_TURNS_PATH)]
    texts, current = [], ""
    for turn in turns:
        current = f"{current}，{turn}" if current else turn
        if len(current) >= 15:
            texts.append(current[:30])
            current = ""
    if not texts:
        rng = random.Random(0)
        parts = ["怎么还没发货啊", "都三天了", "请问这个有红色的吗", "谢谢亲，很满意", "质量太差了要退货", "客服在吗",
                 "快递一直不动", "好的我再等等", "尺码偏大吗", "你们这服务态度真好"]
        texts = ["，".join(rng.sample(parts, 3)) for _ in range(500)]
    return [texts[i % len(texts)] for i in range(n)]


def run_one(kind: str, model: str | None, n: int, threads: int, repeats: int = 3) -> dict:
    import torch

    torch.set_num_threads(threads)
    os.environ["ZHIJIAN_THREADS"] = str(threads)
    texts = bench_texts(n)
    t0 = time.perf_counter()
    if kind == "snownlp":
        from models.evaluate import SnowNLPSentiment

        clf = SnowNLPSentiment()
        texts = texts[: max(200, n // 10)]  # ~300 texts/s: a tenth is enough to time it
    elif kind == "tfidf":
        from models.baseline import TfidfSentiment
        from models.data import load_data

        data = load_data()
        train = data.training_examples("train")
        clf = TfidfSentiment().fit([e.text for e in train], [e.label for e in train])
    else:
        from models.sentiment import SentimentClassifier, load_sentiment_model

        clf = load_sentiment_model(model) if kind == "int8" else SentimentClassifier.load(
            model or str(ROOT / "models" / "zh-cs-sentiment"), quantize=False, num_threads=threads)
    load_s = time.perf_counter() - t0
    clf.predict_proba(texts[:200])  # warm-up
    rates = []
    for _ in range(1 if kind == "snownlp" else max(1, repeats)):
        start = time.perf_counter()
        clf.predict_proba(texts)
        rates.append(len(texts) / (time.perf_counter() - start))
    return {"model": kind, "texts": len(texts), "mean_chars": sum(map(len, texts)) / len(texts),
            "texts_per_s": statistics.median(rates), "min_texts_per_s": min(rates), "load_s": load_s,
            "threads": threads,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=None, help="model directory (default: settings.sentiment_model)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--texts", type=int, default=4000)
    p.add_argument("--models", default="int8,fp32,snownlp", help="comma list of int8,fp32,tfidf,snownlp")
    p.add_argument("--repeats", type=int, default=3, help="timed passes over the texts; the median is reported")
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.one:
        print(json.dumps(run_one(a.one, a.model, a.texts, a.threads, a.repeats)))
        return
    rows = []
    for kind in a.models.split(","):
        cmd = [sys.executable, __file__, "--one", kind, "--texts", str(a.texts), "--threads", str(a.threads),
               "--repeats", str(a.repeats)]
        if a.model:
            cmd += ["--model", a.model]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        if proc.returncode != 0:
            print(f"{kind}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    load1, load5, _ = os.getloadavg()
    print(f"{'model':<8} {'texts':>6} {'chars':>6} {'texts/s':>9} {'slowest':>9} {'peak RSS MB':>12} {'load s':>7}  "
          f"(threads={a.threads}, median of {a.repeats} passes; load average {load1:.2f} / {load5:.2f})")
    for r in rows:
        print(f"{r['model']:<8} {r['texts']:>6} {r['mean_chars']:>6.1f} {r['texts_per_s']:>9,.0f} "
              f"{r['min_texts_per_s']:>9,.0f} {r['peak_rss_mb']:>12,.0f} {r['load_s']:>7.1f}")


if __name__ == "__main__":
    main()
