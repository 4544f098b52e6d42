"""Customer turns read in context, evaluated: sentiment macro-F1 and needs-empathy P/R (issue 13).

    python -m pipeline.state_eval [TSV ...] [--json OUT]     (also at the end of `zhijian eval-sentiment`)
    python -m pipeline.state_eval --lowo [--cuts 0.9,0.8]   (the trigger, leave one training writer out)

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


def two_message_conversations(rows: list[dict]) -> tuple[list, list]:
    """Each row as the run would see it: the agent's message (when there is one), then the turn, normalised."""
    from pipeline.conversation import Conversation, Message
    from pipeline.normalise import normalise_conversation

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
    return convs, turns


def evaluate_turns(path: str | Path, sentiment_model=None, rubric=None) -> dict:
    from models.state import is_short
    from pipeline.customer_state import annotate_state, state_model
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
    convs, turns = two_message_conversations(rows)
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


def lowo_trigger(cuts: tuple[float, ...] = (0.9,), sentiment_model=None, rubric=None) -> list[dict]:
    """The rubric's empathy trigger, leave one writer out: for each writer of ``models.state_recipe.WRITER_FILES``
    and each arm of ``models.state_recipe.LOWO_ARMS``, the state model fitted without that writer reads the
    writer's turns and the default rubric's trigger decides, at each ``min_state_score`` in ``cuts`` (the rest
    of the trigger as the rubric says). Training rows only: the honest figure for choosing a recipe or a cut-off
    without touching a measure-only set. Per turn: a conversation has many calm turns, so a wrongly
    triggered calm turn (``calm_triggered``) costs more there than here."""
    import numpy as np

    from models.state_recipe import LOWO_ARMS, OLD_FILES, WRITER_FILES, extra_files, extra_index, fit, read_rows
    from pipeline.customer_state import annotate_state
    from pipeline.rubric import load_rubric
    from pipeline.rubric.criteria._common import EmotionDetector
    from pipeline.scoring import load_model_or_fail
    from pipeline.sentiment import classify_texts
    from pipeline.settings import get_settings

    model = load_model_or_fail(sentiment_model)
    rubric = rubric or load_rubric(get_settings().rubric_path)
    trig = next(c for c in rubric.criteria if c.id == "empathy").params.trigger
    base = read_rows(OLD_FILES)
    writers = {Path(w).name: read_rows([w]) for w in WRITER_FILES}
    extra = extra_files(LOWO_ARMS)  # rows a recipe trains on that no fold holds out (chat_turns_context_state5.tsv)
    every = base + [r for rows in writers.values() for r in rows] + read_rows(extra)
    sentiments = classify_texts(model, [r["text"] for r in every])
    proba = np.array([[s.scores[c] for c in LABELS] for s in sentiments], dtype=np.float32)
    out, at = [], len(base)
    spans = {}
    for name, rows in writers.items():
        spans[name] = (at, at + len(rows))
        at += len(rows)
    for name, (lo, hi) in spans.items():
        test = every[lo:hi]
        gold = [r["needs_empathy"] == "yes" for r in test]
        for arm, recipe, others in LOWO_ARMS:
            idx = list(range(len(base))) + ([i for o, (a, b) in spans.items() if o != name for i in range(a, b)] if others else [])
            idx += extra_index(recipe, extra, at)
            state = fit([every[i] for i in idx], proba[idx], recipe)
            for cut in cuts:
                convs, turns = two_message_conversations(test)
                for m, s in zip(turns, sentiments[lo:hi]):
                    m.sentiment = type(s)(s.label, dict(s.scores))
                annotate_state(convs, state)
                # the pin names the shipped model; here each fold's own model is read on purpose
                det = EmotionDetector(trig.model_copy(update={"min_state_score": cut, "state_model_version": None}), "empathy.trigger")
                pred = [det.negative(m)[0] for m in turns]
                pr = _pr(gold, pred)
                n_calm = len(gold) - sum(gold)
                out.append({"writer": name, "arm": arm, "min_state_score": cut, **pr, "n_calm": n_calm,
                            "calm_triggered": round(pr["fp"] / max(n_calm, 1), 3)})
    return out


def format_lowo(results: list[dict]) -> str:
    lines = ["empathy trigger, leave one writer out (pooled over the writers)",
             f"  {'arm':40s} min_state_score   P      R      calm turns triggered"]
    keys = list(dict.fromkeys((r["arm"], r["min_state_score"]) for r in results))
    for arm, cut in keys:
        mine = [r for r in results if r["arm"] == arm and r["min_state_score"] == cut]
        tp, fp, fn, calm = (sum(r[k] for r in mine) for k in ("tp", "fp", "fn", "n_calm"))
        lines.append(f"  {arm:40s} {cut:<17} {tp / max(tp + fp, 1):.3f}  {tp / max(tp + fn, 1):.3f}  "
                     f"{fp} of {calm} ({fp / max(calm, 1):.3f})")
    return "\n".join(lines)


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
    ap.add_argument("--lowo", action="store_true",
                    help="the empathy trigger leave-one-writer-out on the training writers' files (lowo_trigger)")
    ap.add_argument("--cuts", default="0.9", help="with --lowo: min_state_score values, comma-separated")
    a = ap.parse_args(argv)
    if a.lowo:
        results = lowo_trigger(tuple(float(c) for c in a.cuts.split(",")), a.model)
        print(format_lowo(results))
        if a.json_out:
            Path(a.json_out).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0
    reports = [evaluate_turns(p, a.model) for p in a.sets]
    for r in reports:
        print(format_report(r))
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(reports, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
