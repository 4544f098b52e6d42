"""Agreement of `zhijian score` results with a hand-labelled chat-log set (e.g. shared/data/jd-dev).

Reads only the results contract (results.jsonl from `zhijian score`) and the labels, so it measures
what a user gets, whatever the internals:

    zhijian score DIR/chats.jsonl --results /tmp/r.jsonl --store sqlite:////tmp/r.db --no-flow
    python scripts/eval_labelled_chats.py /tmp/r.jsonl DIR/labels.jsonl [DIR/turns.jsonl] [--json OUT]

labels.jsonl: one line per conversation with greeting/closing (pass|fail), empathy (pass|fail|na),
forbidden_phrase, first_response_sla_breach, customer_abusive, should_flag (bool) and
customer_end_sentiment; turns.jsonl: conversation_id, seq, sentiment for each customer message.
Prints agreement per criterion, flag precision/recall, end-sentiment accuracy, turn macro-F1, and the
disagreements (conversation id, what was expected, what was got) so a reader can open them.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from models.evaluate import macro_f1  # the project's one macro-F1

LABELS = ("negative", "neutral", "positive")
# label key -> (results criterion id, how a criterion status maps to the label's value)
CRITERIA = {"greeting": "greeting", "closing": "closing", "empathy": "empathy"}
# label key -> results flag code
FLAGS = {"forbidden_phrase": "forbidden_phrase", "first_response_sla_breach": "sla_breach",
         "customer_abusive": "abusive_customer"}


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _pr(pairs: list[tuple[bool, bool]]) -> dict:
    tp = sum(1 for g, p in pairs if g and p)
    fp = sum(1 for g, p in pairs if not g and p)
    fn = sum(1 for g, p in pairs if g and not p)
    return {"tp": tp, "fp": fp, "fn": fn,
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None}


def evaluate(results: list[dict], labels: list[dict], turns: list[dict] | None = None) -> dict:
    by_id = {r["conversation_id"]: r for r in results}
    report: dict = {"conversations": 0, "missing": [], "criteria": {}, "flags": {}, "disagreements": []}
    crit_pairs: dict[str, list[tuple[str, str]]] = {k: [] for k in CRITERIA}
    flag_pairs: dict[str, list[tuple[bool, bool]]] = {k: [] for k in [*FLAGS, "negative_end", "should_flag"]}
    end_pairs: list[tuple[str, str]] = []
    for lab in labels:
        cid = lab["conversation_id"]
        res = by_id.get(cid)
        if res is None:
            report["missing"].append(cid)
            continue
        report["conversations"] += 1
        codes = {f["code"] for f in res.get("flags") or []}
        for key, crit in CRITERIA.items():
            got = (res["criteria"].get(crit) or {}).get("status")
            crit_pairs[key].append((lab[key], got))
            if lab[key] != got:
                report["disagreements"].append({"conversation_id": cid, "what": key, "expected": lab[key], "got": got})
        for key, code in FLAGS.items():
            flag_pairs[key].append((bool(lab[key]), code in codes))
        end = (res.get("sentiment") or {}).get("customer_end")
        end_pairs.append((lab["customer_end_sentiment"], end))
        flag_pairs["negative_end"].append((lab["customer_end_sentiment"] == "negative", "negative_end" in codes))
        flag_pairs["should_flag"].append((bool(lab["should_flag"]), bool(res.get("flagged"))))
        for what, (g, p) in (("customer_end_sentiment", end_pairs[-1]), ("should_flag", flag_pairs["should_flag"][-1])):
            if g != p:
                report["disagreements"].append({"conversation_id": cid, "what": what, "expected": g, "got": p,
                                                "flags": sorted(codes)})
    for key, pairs in crit_pairs.items():
        report["criteria"][key] = {"n": len(pairs), "agreement": round(sum(g == p for g, p in pairs) / len(pairs), 3)
                                   if pairs else None, "expected": dict(Counter(g for g, _ in pairs))}
    for key, pairs in flag_pairs.items():
        report["flags"][key] = _pr(pairs)
    report["end_sentiment"] = {"n": len(end_pairs), "accuracy": round(sum(g == p for g, p in end_pairs) / len(end_pairs), 3)
                               if end_pairs else None}
    if turns is not None:
        got = {(r["conversation_id"], t["seq"]): t["label"] for r in results for t in (r.get("sentiment") or {}).get("turns") or []}
        pairs = [(t["sentiment"], got.get((t["conversation_id"], t["seq"]), "neutral")) for t in turns]
        report["turns"] = {"n": len(pairs), "macro_f1": round(macro_f1([g for g, _ in pairs], [p for _, p in pairs], LABELS), 3),
                           "accuracy": round(sum(g == p for g, p in pairs) / len(pairs), 3) if pairs else None,
                           "unscored": sum(1 for t in turns if (t["conversation_id"], t["seq"]) not in got)}
    return report


def _print(report: dict) -> None:
    print(f"conversations: {report['conversations']}  missing from results: {len(report['missing'])}")
    for key, m in report["criteria"].items():
        print(f"  {key:28s} agreement {m['agreement']}  (n={m['n']}, expected {m['expected']})")
    for key, m in report["flags"].items():
        print(f"  flag {key:23s} P {m['precision']}  R {m['recall']}  (tp={m['tp']} fp={m['fp']} fn={m['fn']})")
    print(f"  end sentiment accuracy     {report['end_sentiment']['accuracy']}")
    if "turns" in report:
        t = report["turns"]
        print(f"  turn macro-F1              {t['macro_f1']}  accuracy {t['accuracy']}  (n={t['n']}, unscored {t['unscored']})")
    print(f"disagreements: {len(report['disagreements'])}")
    for d in report["disagreements"]:
        print(f"  {d['conversation_id']}  {d['what']}: expected {d['expected']}, got {d['got']}"
              + (f"  flags {d['flags']}" if d.get("flags") else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", type=Path)
    ap.add_argument("labels", type=Path)
    ap.add_argument("turns", type=Path, nargs="?")
    ap.add_argument("--json", type=Path, help="also write the report as JSON")
    args = ap.parse_args(argv)
    report = evaluate(_read_jsonl(args.results), _read_jsonl(args.labels), _read_jsonl(args.turns) if args.turns else None)
    _print(report)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
