"""Customer turns read in context, evaluated: sentiment macro-F1 and needs-empathy P/R (issue 13).

    python -m pipeline.state_eval [TSV ...] [--json OUT]     (also at the end of `zhijian eval-sentiment`)

Each TSV has ``prev_agent, text, sentiment, needs_empathy`` (data/heldout/customer_turns.tsv by
default: written by an independent writer, measurement only); without ``needs_empathy`` (a shop's
labelled turns, data/adapt/*) only the sentiment figures are reported. Every turn is scored the way the run
scores it: a two-message conversation (the agent's message, when there is one, then the turn) through
normalise → sentiment → customer-state layer, then the default rubric's empathy trigger. Reported:

* sentiment macro-F1 of the sentiment model's own label (``model``) and of the context-read label
  (``context``), on all turns and on the short ones (``models.state.SHORT_CHARS``);
* needs-empathy precision / recall of the rubric's trigger without the state layer (``trigger@old``:
  the sentiment label at min_negative_score, shape cues and the emotion lexicon, as in default@2) and
  with it (``trigger@state``).
"""
from __future__ import annotations

import argparse
import csv
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from models.evaluate import macro_f1
from pipeline.settings import REPO_ROOT

DEFAULT_SETS = [REPO_ROOT / "data" / "heldout" / "customer_turns.tsv"]
LABELS = ("negative", "neutral", "positive")


def _macro_f1(gold: list[str], pred: list[str]) -> float | None:
    return round(macro_f1(gold, pred, LABELS), 3) if gold else None


def _pr(gold: list[bool], pred: list[bool]) -> dict:
    tp = sum(g and p for g, p in zip(gold, pred))
    return {"P": round(tp / sum(pred), 3) if sum(pred) else None, "R": round(tp / sum(gold), 3) if sum(gold) else None,
            "tp": tp, "fp": sum(p and not g for g, p in zip(gold, pred)), "fn": sum(g and not p for g, p in zip(gold, pred))}


def evaluate_turns(path: str | Path, sentiment_model=None, rubric=None) -> dict:
    from models.state import is_short
    from pipeline.conversation import Conversation, Message
    from pipeline.customer_state import annotate_state, state_model
    from pipeline.normalise import normalise_conversation
    from pipeline.rubric import load_rubric
    from pipeline.rubric.criteria._common import EmotionDetector
    from pipeline.scoring import load_model_or_fail
    from pipeline.sentiment import classify_texts
    from pipeline.settings import get_settings

    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    model = load_model_or_fail(sentiment_model)
    rubric = rubric or load_rubric(get_settings().rubric_path)
    crit = next(c for c in rubric.criteria if c.id == "empathy")
    trig = crit.params.trigger
    old = EmotionDetector(trig.model_copy(update={"use_state": False}), "empathy.trigger")
    new = EmotionDetector(trig, "empathy.trigger")
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    convs, turns = [], []
    for i, r in enumerate(rows):
        msgs = []
        if r.get("prev_agent"):
            msgs.append(Message(f"t{i}", 1, "agent", t0, r["prev_agent"], agent_id="A"))
        turn = Message(f"t{i}", len(msgs) + 1, "customer", t0 + timedelta(seconds=30), r["text"])
        msgs.append(turn)
        conv = Conversation(f"t{i}", msgs)
        normalise_conversation(conv)
        convs.append(conv)
        turns.append(turn)
    for m, s in zip(turns, classify_texts(model, [m.text for m in turns])):
        m.sentiment = s
    own = [m.sentiment.label for m in turns]
    old_trig = [old.negative(m)[0] for m in turns]
    sm = state_model()
    annotate_state(convs, sm)
    ctx = [m.sentiment.label for m in turns]
    new_trig = [new.negative(m)[0] for m in turns]
    gold = [r["sentiment"] for r in rows]
    # a shop's labelled turns (data/adapt/*) say polarity only: no empathy figures for them
    has_empathy = bool(rows) and "needs_empathy" in rows[0]
    emp = [r.get("needs_empathy") == "yes" for r in rows]
    short = [is_short(r["text"]) for r in rows]

    def sub(xs, mask):
        return [x for x, k in zip(xs, mask) if k]

    return {
        "set": Path(path).name, "n": len(rows), "n_short": sum(short),
        "sentiment_model": model.model_id, "state_model": sm.model_id if sm is not None else None,
        "macro_f1": {"model": _macro_f1(gold, own), "context": _macro_f1(gold, ctx)},
        "macro_f1_short": {"model": _macro_f1(sub(gold, short), sub(own, short)), "context": _macro_f1(sub(gold, short), sub(ctx, short))},
        "needs_empathy": {"trigger@old": _pr(emp, old_trig), "trigger@state": _pr(emp, new_trig)} if has_empathy else None,
        "needs_empathy_short": {"trigger@old": _pr(sub(emp, short), sub(old_trig, short)),
                                "trigger@state": _pr(sub(emp, short), sub(new_trig, short))} if has_empathy else None,
    }


def format_report(r: dict) -> str:
    e, es = r["needs_empathy"], r["needs_empathy_short"]
    lines = [
        f"customer turns in context: {r['set']} (n={r['n']}, short={r['n_short']}; {r['sentiment_model']} + {r['state_model']})",
        f"  sentiment macro-F1     model {r['macro_f1']['model']}  context-read {r['macro_f1']['context']}",
        f"  short turns macro-F1   model {r['macro_f1_short']['model']}  context-read {r['macro_f1_short']['context']}",
    ]
    if e is not None:
        lines += [
            f"  needs_empathy          old trigger P {e['trigger@old']['P']} R {e['trigger@old']['R']}   state P {e['trigger@state']['P']} R {e['trigger@state']['R']}",
            f"  needs_empathy (short)  old trigger P {es['trigger@old']['P']} R {es['trigger@old']['R']}   state P {es['trigger@state']['P']} R {es['trigger@state']['R']}",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sets", nargs="*", default=[str(p) for p in DEFAULT_SETS])
    ap.add_argument("--model", default=None)
    ap.add_argument("--json", dest="json_out", default=None)
    a = ap.parse_args(argv)
    reports = [evaluate_turns(p, a.model) for p in a.sets]
    for r in reports:
        print(format_report(r))
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(reports, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
