"""The QA script a shop writes without Zhijian: jieba + SnowNLP + keyword rules, one file in, one file out.

    .venv/bin/python benchmarks/usual_script.py data/sample/*.jsonl --out out/usual.jsonl

`zhijian bench` runs it beside the nightly run on the same input and reports the ratio, so it
is written the way a competent shop engineer would write it, not sandbagged: every model and
word list is loaded once, the loops are plain, nothing is done twice. What it does, per
conversation:

- reads the chat-log export (JSON Lines or CSV in the canonical shape of docs/input-format.md),
  groups the rows by conversation_id and orders them by timestamp (then seq, then file order);
- `jieba.lcut` on every message, `SnowNLP(text).sentiments` on every customer message;
- keyword rules: a greeting in the first agent message, a closing phrase in the last one, taboo
  words anywhere in an agent message, and the first reply later than the SLA;
- writes one row per conversation (JSONL, or CSV when --out ends in .csv).

What it does not do, and Zhijian does: mask personal data, dedupe re-exported rows, quarantine
bad rows with a reason, remember conversations across nights, negation and context guards.
A row it cannot read is skipped and counted.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from datetime import datetime
from pathlib import Path

import jieba
from snownlp import SnowNLP

GREETINGS = ("您好", "你好", "亲", "欢迎光临", "很高兴为您服务", "在的")
CLOSINGS = ("祝您", "再见", "感谢您的", "谢谢您的", "还有什么可以帮", "欢迎下次", "生活愉快")
TABOO = ("滚", "你有病", "爱买不买", "自己看", "不知道", "没办法", "关我什么事", "不归我管", "你自己", "烦不烦", "神经病")
SLA_SECONDS = 60  # first reply within a minute, the usual platform target
NEGATIVE_BELOW = 0.3  # SnowNLP's probability of positive under which a customer message counts as negative


def read_rows(paths: list[Path]) -> tuple[list[dict], int]:
    """All rows of all files (JSONL or CSV); returns (rows, skipped)."""
    rows: list[dict] = []
    skipped = 0
    for path in paths:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            if path.suffix.lower() == ".csv":
                source = csv.DictReader(fh)
            else:
                source = (_json_or_none(line) for line in fh if line.strip())
            for order, row in enumerate(source):
                if not row or not row.get("conversation_id") or not row.get("timestamp") or not row.get("role"):
                    skipped += 1
                    continue
                row["_order"] = order
                rows.append(row)
    return rows, skipped


def _json_or_none(line: str) -> dict | None:
    try:
        row = json.loads(line)
    except json.JSONDecodeError:
        return None
    return row if isinstance(row, dict) else None


def parse_time(value: object) -> datetime | None:
    try:
        if isinstance(value, (int, float)) or str(value).isdigit():
            return datetime.fromtimestamp(float(value))
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        return None


def _seq(row: dict) -> int:
    try:
        return int(row.get("seq") or 0)
    except (TypeError, ValueError):
        return 0


def score_conversation(cid: str, rows: list[dict]) -> dict:
    """The keyword rules on one conversation, its messages in order."""
    customer_scores: list[float] = []
    first_customer = first_reply = None
    agent_texts: list[str] = []
    taboo_hits: list[str] = []
    for row in rows:
        text = str(row.get("text") or "")
        words = jieba.lcut(text)
        role = row["role"]
        when = parse_time(row["timestamp"])
        if role == "customer":
            if text:
                customer_scores.append(SnowNLP(text).sentiments)
            if first_customer is None:
                first_customer = when
        elif role == "agent":
            agent_texts.append(text)
            word_set = set(words)
            taboo_hits += [t for t in TABOO if t in word_set or (len(t) > 1 and t in text)]
            if first_reply is None and first_customer is not None:
                first_reply = when
    first_response = (first_reply - first_customer).total_seconds() if first_reply and first_customer else None
    greeting = bool(agent_texts) and any(g in agent_texts[0] for g in GREETINGS)
    closing = bool(agent_texts) and any(c in agent_texts[-1] for c in CLOSINGS)
    over_sla = first_response is not None and first_response > SLA_SECONDS
    checks = [greeting, closing, not taboo_hits, not over_sla]
    negative = sum(1 for s in customer_scores if s < NEGATIVE_BELOW)
    return {
        "conversation_id": cid,
        "messages": len(rows),
        "agent_id": next((r.get("agent_id") for r in rows if r["role"] == "agent" and r.get("agent_id")), None),
        "score": round(100 * sum(checks) / len(checks), 1),
        "greeting": greeting,
        "closing": closing,
        "taboo": sorted(set(taboo_hits)),
        "first_response_seconds": first_response,
        "over_sla": over_sla,
        "customer_sentiment_mean": round(sum(customer_scores) / len(customer_scores), 3) if customer_scores else None,
        "customer_sentiment_last": round(customer_scores[-1], 3) if customer_scores else None,
        "negative_customer_messages": negative,
        "flagged": bool(taboo_hits) or over_sla or (bool(customer_scores) and customer_scores[-1] < NEGATIVE_BELOW),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("inputs", nargs="+", type=Path, help="chat-log files (.jsonl or .csv)")
    p.add_argument("--out", type=Path, required=True, help="per-conversation results (.jsonl, or .csv)")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    jieba.initialize()  # load the dictionary once, before the loop
    rows, skipped = read_rows(args.inputs)
    by_conversation: dict[str, list[dict]] = {}
    for row in rows:
        by_conversation.setdefault(str(row["conversation_id"]), []).append(row)
    results = []
    for cid, conv_rows in by_conversation.items():
        conv_rows.sort(key=lambda r: (parse_time(r["timestamp"]) or datetime.min, _seq(r), r["_order"]))
        results.append(score_conversation(cid, conv_rows))

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        if args.out.suffix.lower() == ".csv":
            writer = csv.DictWriter(fh, fieldnames=list(results[0]) if results else ["conversation_id"])
            writer.writeheader()
            for r in results:
                writer.writerow({**r, "taboo": "|".join(r["taboo"])})
        else:
            for r in results:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    seconds = time.perf_counter() - t0
    print(f"usual script: {len(results)} conversations, {len(rows)} messages ({skipped} rows skipped) "
          f"in {seconds:.1f} s → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
