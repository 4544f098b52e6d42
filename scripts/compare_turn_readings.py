"""Two sentiment models side by side on labelled customer-turn sets, item by item (the reading of
``pipeline.state_eval``: the model's own label, the context-read label after the state model, the
empathy trigger with and without the state veto), so a candidate can be held to "±1 item per set":

    python scripts/compare_turn_readings.py models/zh-cs-sentiment DIR data/heldout/customer_turns*.tsv

Prints, per set and figure, the count for A, for B and the difference in items, then how often B's
labels equal A's and the mean / max abs ΔP(negative).
"""
from __future__ import annotations

import argparse
import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np


def read_turns(model, path: str | Path) -> dict:
    """One model's reading of a turn set: gold labels, needs-empathy, own / context labels, triggers, probabilities."""
    from pipeline.conversation import Conversation, Message
    from pipeline.customer_state import annotate_state, state_model
    from pipeline.normalise import normalise_conversation
    from pipeline.rubric import load_rubric
    from pipeline.rubric.criteria._common import EmotionDetector
    from pipeline.sentiment import classify_texts
    from pipeline.settings import get_settings

    trig = next(c for c in load_rubric(get_settings().rubric_path).criteria if c.id == "empathy").params.trigger
    old = EmotionDetector(trig.model_copy(update={"use_state": False}), "empathy.trigger")
    new = EmotionDetector(trig, "empathy.trigger")
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    convs, turns = [], []
    for i, r in enumerate(rows):  # as pipeline.state_eval builds them: the agent's turn before, if any
        msgs = [Message(f"t{i}", 1, "agent", t0, r["prev_agent"], agent_id="A")] if r.get("prev_agent") else []
        msgs.append(Message(f"t{i}", len(msgs) + 1, "customer", t0 + timedelta(seconds=30), r["text"]))
        conv = Conversation(f"t{i}", msgs)
        normalise_conversation(conv)
        convs.append(conv)
        turns.append(msgs[-1])
    texts = [m.text for m in turns]
    for m, s in zip(turns, classify_texts(model, texts)):
        m.sentiment = s
    own = [m.sentiment.label for m in turns]
    old_trig = [bool(old.negative(m)[0]) for m in turns]
    annotate_state(convs, state_model())
    return {"gold": [r["sentiment"] for r in rows], "emp": [r.get("needs_empathy") == "yes" for r in rows],
            "own": own, "ctx": [m.sentiment.label for m in turns], "old": old_trig,
            "new": [bool(new.negative(m)[0]) for m in turns], "probs": np.asarray(model.predict_proba(texts))}


def compare(a: dict, b: dict) -> list[tuple[str, object, object]]:
    """(figure, A, B) rows: correct labels, needs-empathy found / false alarms, agreement, |ΔP(negative)|."""
    gold, emp = a["gold"], a["emp"]

    def correct(d, k):
        return sum(x == y for x, y in zip(d[k], gold))

    def found(d, k, want):
        return sum(bool(x) and y == want for x, y in zip(d[k], emp))

    rows = [("model label correct", correct(a, "own"), correct(b, "own")),
            ("context-read correct", correct(a, "ctx"), correct(b, "ctx"))]
    if any(emp):
        rows += [(f"needs-empathy found, state trigger (of {sum(emp)})", found(a, "new", True), found(b, "new", True)),
                 ("needs-empathy false alarms, state trigger", found(a, "new", False), found(b, "new", False)),
                 ("needs-empathy found, old trigger", found(a, "old", True), found(b, "old", True)),
                 ("false alarms, old trigger", found(a, "old", False), found(b, "old", False))]
    same = {k: float(np.mean([x == y for x, y in zip(a[k], b[k])])) for k in ("own", "ctx", "new")}
    gap = np.abs(a["probs"][:, 0] - b["probs"][:, 0])
    rows += [("B's labels equal A's: model / context-read / trigger", "", f"{same['own']:.4f} / {same['ctx']:.4f} / {same['new']:.4f}"),
             ("mean / max abs ΔP(negative)", "", f"{gap.mean():.4f} / {gap.max():.3f}")]
    return rows


def main(argv: list[str] | None = None) -> None:
    from pipeline.scoring import load_model_or_fail

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model_a")
    p.add_argument("model_b")
    p.add_argument("sets", nargs="+")
    args = p.parse_args(argv)
    models = [load_model_or_fail(m) for m in (args.model_a, args.model_b)]
    print(f"| set | figure | A ({models[0].model_id}) | B ({models[1].model_id}) | Δ items |\n|---|---|---:|---:|---:|")
    for path in args.sets:
        a, b = (read_turns(m, path) for m in models)
        for name, x, y in compare(a, b):
            delta = f"{y - x:+d}" if isinstance(x, int) else ""
            print(f"| {Path(path).name} (n={len(a['gold'])}) | {name} | {x} | {y} | {delta} |")


if __name__ == "__main__":
    main()
