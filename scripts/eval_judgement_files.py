"""Measure the shipped judgement models and their criteria on a labelled file another writer wrote.

    python scripts/eval_judgement_files.py kinds data/heldout/conversation_kinds_1.tsv
    python scripts/eval_judgement_files.py declines data/heldout/agent_declines_1.tsv

`kinds` (`customer_messages<TAB>after_sales<TAB>kind<TAB>note`): is active_listening applicable (after-sales or
complaint)? — read by the criterion's word rule alone (the kind model off), by the shipped kind model alone (P ≥ 0.5)
and by the rubric as shipped (rule and model combined). `declines` (`customer<TAB>agent<TAB>label<TAB>note`): each row
as a one-reply conversation through positive_framing, expected na / fail / pass for not_declining / declines /
declines_with_alternative — with the decline model off and as shipped — and the decline model alone (its most likely
class; declining = either decline class). Only the shipped models and rubric are read: the file is not trained on.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a file: the repository root on the path, like `python -m`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _criterion(crit_id: str, params: dict, rubric_path: str | None = None):
    """The shipped rubric's criterion `crit_id` alone, with `params` merged into its params."""
    from pipeline.rubric.engine import criterion_alone

    return criterion_alone(crit_id, params, rubric_path)


def _prepared(convs: list, rubric) -> list:
    from pipeline.rubric.evaluate import _load_sentiment
    from pipeline.rubric.testing import prepare
    from pipeline.segment import segmenter_for
    from pipeline.sentiment import annotate_sentiment

    seg = segmenter_for(rubric.lexicon_terms())
    for c in convs:
        prepare(c, seg)
    model, _ = _load_sentiment(True)
    if model is not None:
        annotate_sentiment(convs, model)
    return convs


def _acc(pairs) -> str:
    pairs = list(pairs)
    return f"{sum(a == b for a, b in pairs) / len(pairs):.3f} ({sum(a == b for a, b in pairs)}/{len(pairs)})"


def eval_kinds(path: str, rubric_path: str | None = None) -> dict:
    from models.kinds import load_kind_model, read_kind_tsv
    from pipeline.rubric.testing import make_conversation

    rows = read_kind_tsv(path)
    off = _criterion("active_listening", {"kinds": {"enabled": False}}, rubric_path)
    shipped = _criterion("active_listening", {}, rubric_path)
    convs = _prepared([make_conversation([("customer", t, 60 * k) for k, t in enumerate(texts)], f"row{i}", run_stages=False)
                       for i, (texts, _) in enumerate(rows)], off)
    gold = [bool(y) for _, y in rows]
    rule = [off.criteria[0].score(c).status != "na" for c in convs]
    both = [shipped.criteria[0].score(c).status != "na" for c in convs]
    model = [p >= 0.5 for p in load_kind_model().predict_proba([t for t, _ in rows])]
    return {"n": len(rows), "after_sales": sum(gold),
            "rule alone": _acc(zip(rule, gold)), "kind model alone (0.5)": _acc(zip(model, gold)),
            "rubric as shipped": _acc(zip(both, gold)),
            "shipped errors": dict(Counter(("said after-sales" if b else "said not") for b, g in zip(both, gold) if b != g))}


def eval_declines(path: str, rubric_path: str | None = None) -> dict:
    from models.declines import DECLINE_LABELS, load_decline_model, read_decline_tsv
    from pipeline.rubric.testing import make_conversation

    verdict = {"declines": "fail", "declines_with_alternative": "pass", "not_declining": "na"}
    rows, labels = read_decline_tsv(path)
    off = _criterion("positive_framing", {"declines": {"enabled": False}}, rubric_path)
    shipped = _criterion("positive_framing", {}, rubric_path)
    convs = []
    for k, (ctx, text) in enumerate(rows):
        turns = [("customer", c.strip(), 10 * j) for j, c in enumerate(ctx.split(" || ")) if c.strip()]
        convs.append(make_conversation(turns + [("agent", text, 10 * len(turns) + 30)], f"row{k}", run_stages=False))
    _prepared(convs, off)
    gold = [verdict[a] for a in labels]
    rule = [off.criteria[0].score(c).status for c in convs]
    both = [shipped.criteria[0].score(c).status for c in convs]
    m = load_decline_model()
    pred = [DECLINE_LABELS[i] for i in m.predict_proba(rows).argmax(axis=1)]
    declining = [(p != "not_declining", a != "not_declining") for p, a in zip(pred, labels)]
    tp = sum(p and a for p, a in declining)
    return {"n": len(rows), "labels": dict(Counter(labels)),
            "criterion, model off": _acc(zip(rule, gold)), "criterion as shipped": _acc(zip(both, gold)),
            "shipped misses": dict(Counter(f"{g}→{b}" for b, g in zip(both, gold) if b != g)),
            "decline model alone, 3 classes": _acc(zip(pred, labels)),
            "declining P / R": f"{tp / max(1, sum(p for p, _ in declining)):.3f} / {tp / max(1, sum(a for _, a in declining)):.3f}"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("kinds", "declines"))
    ap.add_argument("tsv")
    ap.add_argument("--rubric", default=None)
    a = ap.parse_args(argv)
    out = (eval_kinds if a.what == "kinds" else eval_declines)(a.tsv, a.rubric)
    print(f"{a.what}: {a.tsv}")
    for k, v in out.items():
        print(f"  {k:32s} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
