"""Leave one writer out: how active_listening combines the conversation-kind model with its word rule.

active_listening applies in after-sales and complaint conversations. Two readers of that: the word rule (topic words,
weighted signals) and the kind model (models/kinds.py, zh-cs-kinds) over the customer's messages. The rubric reads
`applicable = (rule and P ≥ na_below) or P ≥ applies_above`. This module measures every (na_below, applies_above)
leave one writer out: each writer's conversations (a dev golden set, or a writers' file of customer messages) are
read by the model trained on every other writer, through the criterion itself, and the pooled figures are

- the na-vs-applicable accuracy over every writer (the writers' files: customer messages only, so the rule's
  agent signal cannot fire there), and over the writers the rule never saw (its words were tuned on the dev sets);
- the whole criterion's accuracy (na / pass / fail) over the dev sets, whose labels say pass or fail.

    python -m pipeline.rubric.evaluate_kinds                          # the sweep (14 small trainings; a few minutes)
    python -m pipeline.rubric.evaluate_kinds --per-writer 0.3 0.7     # and each writer's figure at one setting
    python -m pipeline.rubric.evaluate_kinds --check rubric_w10a 0.3 0.7  # one fold through the criterion, its model saved

Set OMP_NUM_THREADS=1 on a shared machine: torch's threads spin-wait on small fits.

The restatement judgement (pass vs fail) is the rule's, whatever decides applicability.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from models.kinds import DEV_SETS, GOLDEN, fit_rows, training_rows, writer_files
from pipeline.rubric.engine import Rubric, criterion_alone
from pipeline.rubric.testing import make_conversation, prepare

# the bars swept; "unseen by rule" pools the writers' files only: the rule's words were written by reading the dev sets
NA_BELOW = (0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
APPLIES_ABOVE = (0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 1.01)


@dataclass
class Row:
    writer: str
    texts: list[str]  # the customer's messages
    applies: bool  # the label: after-sales / complaint
    label: str | None  # the dev set's active_listening label (na / pass / fail); None for a writers' row
    rule: bool = False  # the word rule's reading (kind model off)
    judge: str = "fail"  # pass / fail when applicable (the rule's restatement judgement)
    p: float = 0.0  # the held-out kind model's P(after-sales)


def _rubric(kinds: dict, rubric_path: str | Path | None = None) -> Rubric:
    """The rubric's active_listening alone, with `kinds` in its params."""
    return criterion_alone("active_listening", {"kinds": kinds}, rubric_path)


def _conversations(rubric_path: str | Path | None = None) -> list[tuple[Row, object]]:
    """Every writer's conversations, prepared and read by the sentiment model as the nightly run does."""
    from pipeline.rubric.evaluate import _load_sentiment, read_labelled
    from pipeline.segment import segmenter_for
    from pipeline.sentiment import annotate_sentiment

    seg = segmenter_for(_rubric({"enabled": False}, rubric_path).lexicon_terms())
    out = []
    for s in DEV_SETS:
        for f in sorted((GOLDEN / s).glob("*.json")):
            conv, labels, _ = read_labelled(f)
            if labels.get("active_listening") not in ("pass", "fail", "na"):
                continue
            prepare(conv, seg)
            texts = [m.text for m in conv.messages if m.role == "customer" and m.text.strip()]
            out.append((Row(s, texts, labels["active_listening"] != "na", labels["active_listening"]), conv))
    rows = training_rows(DEV_SETS, writer_files())
    for name in writer_files():
        for i, (texts, y) in enumerate(rows[name]):
            conv = make_conversation([("customer", t, 60 * k) for k, t in enumerate(texts)], f"{name}-{i}", run_stages=False)
            prepare(conv, seg)
            out.append((Row(name, texts, bool(y), None), conv))
    model, _ = _load_sentiment(True)
    if model is not None:
        annotate_sentiment([c for _, c in out], model)
    return out


def measure(rubric_path: str | Path | None = None, params: dict | None = None) -> list[Row]:
    """Every conversation with the rule's reading, the restatement judgement and the held-out model's P."""
    convs = _conversations(rubric_path)
    rule = _rubric({"enabled": False}, rubric_path).criteria[0]
    rows = training_rows(DEV_SETS, writer_files())
    forced = None
    for r, conv in convs:
        r.rule = rule.score(conv).status != "na"
    for writer in rows:
        model = fit_rows(rows, writer, **(params or {}))
        mine = [(r, c) for r, c in convs if r.writer == writer]
        for (r, _), p in zip(mine, model.predict_proba([r.texts for r, _ in mine])):
            r.p = float(p)
        if forced is None:  # the judgement does not depend on the model: any model, always applicable
            with tempfile.TemporaryDirectory(prefix="zhijian-kinds-") as d:
                model.save(d)
                forced = _rubric({"enabled": True, "model": d, "model_version": None, "na_below": 0.0, "applies_above": 0.0},
                                 rubric_path).criteria[0]
                for r, conv in convs:
                    st = forced.score(conv).status
                    r.judge = st if st in ("pass", "fail") else "fail"
    return [r for r, _ in convs]


def figures(rows: list[Row], na_below: float, applies_above: float) -> dict:
    """Pooled accuracies of one combination (and per writer)."""
    per: dict[str, list[int]] = {}
    for r in rows:
        app = (r.rule and r.p >= na_below) or r.p >= applies_above
        s = per.setdefault(r.writer, [0, 0, 0])
        s[0] += app == r.applies
        s[1] += r.label is not None and (r.judge if app else "na") == r.label
        s[2] += 1
    n = sum(v[2] for v in per.values())
    dev = [w for w in per if w in DEV_SETS]
    new = [w for w in per if w not in DEV_SETS]
    return {
        "applies_all": sum(v[0] for v in per.values()) / n,
        "applies_unseen": sum(per[w][0] for w in new) / max(1, sum(per[w][2] for w in new)),
        "applies_dev": sum(per[w][0] for w in dev) / max(1, sum(per[w][2] for w in dev)),
        "criterion_dev": sum(per[w][1] for w in dev) / max(1, sum(per[w][2] for w in dev)),
        "per_writer": {w: round(v[0] / v[2], 3) for w, v in per.items()},
    }


def sweep(rows: list[Row]) -> list[tuple[float, float, dict]]:
    out = [(lo, hi, figures(rows, lo, hi)) for lo in NA_BELOW for hi in APPLIES_ABOVE if hi >= lo]
    out.append((0.0, 1.01, figures(rows, 0.0, 1.01)))  # the rule alone
    return out


def report(rows: list[Row], top: int = 12) -> str:
    res = sweep(rows)
    lines = [f"{len(rows)} conversations; writers: {', '.join(dict.fromkeys(r.writer for r in rows))}",
             f"{'na_below':>8} {'applies_above':>13}  applies(all)  applies(unseen by rule)  applies(dev)  criterion(dev)"]

    def line(lo, hi, f, tag=""):
        return (f"{lo:>8.2f} {hi:>13.2f}  {f['applies_all']:>12.3f}  {f['applies_unseen']:>23.3f}  {f['applies_dev']:>12.3f}"
                f"  {f['criterion_dev']:>14.3f}{tag}")

    rule = next(f for lo, hi, f in res if lo == 0.0 and hi == 1.01)
    lines.append(line(0.0, 1.01, rule, "   (the rule alone)"))
    alone = figures(rows, 0.5, 0.5)
    lines.append(line(0.5, 0.5, alone, "   (the model alone)"))
    for lo, hi, f in sorted(res, key=lambda x: (-x[2]["applies_all"], -x[2]["criterion_dev"]))[:top]:
        lines.append(line(lo, hi, f))
    return "\n".join(lines)


def check(rows: list[Row], writer: str, na_below: float, applies_above: float, rubric_path: str | Path | None = None) -> int:
    """Conversations of `writer` whose criterion status with the fold's saved model differs from the offline sweep's."""
    convs = [(r, c) for r, c in _conversations(rubric_path) if r.writer == writer]
    model = fit_rows(training_rows(DEV_SETS, writer_files()), writer)
    mine = [r for r in rows if r.writer == writer]
    with tempfile.TemporaryDirectory(prefix="zhijian-kinds-") as d:
        model.save(d)
        crit = _rubric({"enabled": True, "model": d, "model_version": None, "na_below": na_below,
                        "applies_above": applies_above}, rubric_path).criteria[0]
        bad = 0
        for (r, conv), m in zip(convs, mine):
            app = (m.rule and m.p >= na_below) or m.p >= applies_above
            got = crit.score(conv).status
            bad += (got != "na") != app
        return bad


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m pipeline.rubric.evaluate_kinds", description=__doc__.split("\n\n")[0])
    ap.add_argument("--rubric", default=None)
    ap.add_argument("--check", nargs=3, metavar=("WRITER", "NA_BELOW", "APPLIES_ABOVE"),
                    help="one writer's fold through the criterion with the fold's saved model: differences from the sweep")
    ap.add_argument("--per-writer", nargs=2, type=float, metavar=("NA_BELOW", "APPLIES_ABOVE"))
    a = ap.parse_args(argv)
    rows = measure(a.rubric)
    print(report(rows))
    if a.per_writer:
        rule = figures(rows, 0.0, 1.01)["per_writer"]
        got = figures(rows, *a.per_writer)["per_writer"]
        for w in got:
            print(f"  {w:<16} n={sum(r.writer == w for r in rows):>4}  rule {rule[w]:.3f}  combined {got[w]:.3f}")
    if a.check:
        w, lo, hi = a.check[0], float(a.check[1]), float(a.check[2])
        print(f"{w}: {check(rows, w, lo, hi, a.rubric)} conversations differ from the sweep at ({lo}, {hi})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
