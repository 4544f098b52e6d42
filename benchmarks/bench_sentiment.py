"""Sentiment throughput and peak memory at chat-turn length, next to SnowNLP measured in the same run.

    python benchmarks/bench_sentiment.py [--model DIR] [--threads 1,2] [--texts 4000]
    python benchmarks/bench_sentiment.py --models onnx-int8,torch-int8,hf-int8,fp32 --rounds 3
    python benchmarks/bench_sentiment.py --model models/zh-cs-sentiment,DIR --models onnx-int8 --rounds 5   # A/B two models
    taskset -c 0,1 python benchmarks/bench_sentiment.py        # pin to 2 cores

Models: ``onnx-int8`` (the default load: ONNX Runtime over the shipped int8 encoder), ``torch-int8``
(models.fast_encoder quantised at load), ``hf-int8`` (the Hugging Face model quantised at load, as
before the ONNX encoder), ``fp32`` (torch, not quantised), ``tfidf``, ``snownlp``.

Each model runs in its own subprocess so its peak RSS is its own (model load + inference).
Throughput is the median of ``--repeats`` timed passes (default 3; SnowNLP: one pass), the slowest pass
next to it, and the machine's load average is printed: on a shared machine one pass can be slowed by
other jobs.
Texts: typical customer-turn length, 15–30 characters: chat turns from data/sentiment/chat_turns.tsv
joined with "，" until at least 15 characters (cut at 30) — consecutive turns, then every second, every
third … until there are --texts DISTINCT texts: the model encodes a repeated text once, so repeats
would flatter it; without that file, generated turns of the same length.
With ``--rounds N`` the models and thread counts run interleaved N times (A B A B …), so a change in
the machine's load hits every variant alike; each row is the median over rounds. ``--model A,B`` runs
every variant for each model directory (a teacher against its distilled student, models/distil.py).
Beside texts/s each row gives the CPU seconds per 1,000 texts (user + system of the process, all its
threads), which other jobs on a shared machine disturb less than wall time.
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
    texts: dict[str, None] = {}
    for stride in range(1, 50):
        current = ""
        for start in range(stride):
            for turn in turns[start::stride]:
                current = f"{current}，{turn}" if current else turn
                if len(current) >= 15:
                    texts.setdefault(current[:30])
                    current = ""
                    if len(texts) >= n:
                        return list(texts)
        if not turns:
            break
    if len(texts) < n:
        rng = random.Random(0)
        parts = ["怎么还没发货啊", "都三天了", "请问这个有红色的吗", "谢谢亲，很满意", "质量太差了要退货", "客服在吗",
                 "快递一直不动", "好的我再等等", "尺码偏大吗", "你们这服务态度真好"]
        while len(texts) < n:
            texts.setdefault("，".join(rng.sample(parts, 3)) + str(len(texts)))
    return list(texts)[:n]


def run_one(kind: str, model: str | None, n: int, threads: int, repeats: int = 3) -> dict:
    import torch

    torch.set_num_threads(threads)
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
        from models.sentiment import SentimentClassifier

        backend, quantize = {"onnx-int8": ("auto", None), "torch-int8": ("torch", None),
                             "hf-int8": ("transformers", None), "fp32": ("torch", False)}[kind]
        clf = SentimentClassifier.load(model or str(ROOT / "models" / "zh-cs-sentiment"), quantize=quantize,
                                       num_threads=threads, backend=backend)
    load_s = time.perf_counter() - t0
    clf.predict_proba(texts[:200])  # warm-up
    rates, cpu = [], []
    for _ in range(1 if kind == "snownlp" else max(1, repeats)):
        start, cpu0 = time.perf_counter(), time.process_time()
        clf.predict_proba(texts)
        rates.append(len(texts) / (time.perf_counter() - start))
        cpu.append((time.process_time() - cpu0) * 1000 / len(texts))
    return {"model": kind, "backend": getattr(clf, "backend_", kind), "texts": len(texts), "mean_chars": sum(map(len, texts)) / len(texts),
            "model_id": getattr(clf, "model_id", kind), "cpu_s_per_1k": statistics.median(cpu),
            "texts_per_s": statistics.median(rates), "min_texts_per_s": min(rates), "load_s": load_s,
            "threads": threads,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=None,
                   help="model directory, or a comma list of them to A/B (default: the shipped models/zh-cs-sentiment)")
    p.add_argument("--threads", default="1,2", help="comma list of intra-op thread counts")
    p.add_argument("--texts", type=int, default=4000)
    p.add_argument("--models", default="onnx-int8,torch-int8,hf-int8,snownlp",
                   help="comma list of onnx-int8,torch-int8,hf-int8,fp32,tfidf,snownlp")
    p.add_argument("--repeats", type=int, default=3, help="timed passes over the texts; the median is reported")
    p.add_argument("--rounds", type=int, default=1, help="interleaved rounds over all variants")
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.one:
        print(json.dumps(run_one(a.one, a.model, a.texts, int(a.threads), a.repeats)))
        return
    dirs = a.model.split(",") if a.model else [None]
    variants = [(d, kind, int(t)) for d in dirs for kind in a.models.split(",") for t in a.threads.split(",")
                if not (kind == "snownlp" and t != a.threads.split(",")[0])  # SnowNLP has no threads
                and not (kind in ("snownlp", "tfidf") and d != dirs[0])]  # nor a model directory
    results: dict[tuple[str | None, str, int], list[dict]] = {}
    for _ in range(a.rounds):
        for model_dir, kind, threads in variants:
            cmd = [sys.executable, __file__, "--one", kind, "--texts", str(a.texts), "--threads", str(threads),
                   "--repeats", str(a.repeats)]
            if model_dir:
                cmd += ["--model", model_dir]
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            if proc.returncode != 0:
                print(f"{kind}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
                continue
            results.setdefault((model_dir, kind, threads), []).append(json.loads(proc.stdout.strip().splitlines()[-1]))
    load1, load5, _ = os.getloadavg()
    print(f"{'model':<20} {'variant':<11} {'runtime':<12} {'threads':>7} {'texts':>6} {'chars':>6} {'texts/s':>9} "
          f"{'slowest':>9} {'CPU s/1k':>9} {'peak RSS MB':>12} {'load s':>7}  (median of {a.repeats} passes x "
          f"{a.rounds} rounds; load average {load1:.2f} / {load5:.2f})")
    for (_, kind, threads), rows in results.items():
        med = lambda key: statistics.median(r[key] for r in rows)  # noqa: E731
        r = rows[0]
        print(f"{r['model_id']:<20} {kind:<11} {r['backend']:<12} {threads:>7} {r['texts']:>6} {r['mean_chars']:>6.1f} "
              f"{med('texts_per_s'):>9,.0f} {min(x['min_texts_per_s'] for x in rows):>9,.0f} "
              f"{med('cpu_s_per_1k'):>9.3f} {med('peak_rss_mb'):>12,.0f} {med('load_s'):>7.1f}")


if __name__ == "__main__":
    main()
