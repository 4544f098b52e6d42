"""Customer turns read in context, evaluated: sentiment macro-F1 and needs-empathy P/R (issue 13).

    python -m pipeline.state_eval [TSV ...] [--json OUT]     (also at the end of `zhijian eval-sentiment`)
    python -m pipeline.state_eval --lowo [--cuts 0.9,0.8]   (the trigger, leave one training writer out; per writer)
    python -m pipeline.state_eval --conversations [DIR ...] [--state-model DIR] [--trigger min_state_score=0.95,state_veto=0.1 ...]
                                                            (the trigger per conversation on labelled golden sets)

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

Per turn is not what a conversation's verdict feels: one wrongly triggered calm turn among many makes a
whole conversation need empathy. ``--conversations`` (``conversation_trigger``) measures the trigger the way
the empathy criterion reads it — a conversation needs empathy when any customer turn triggers — on
labelled golden sets (gold: the conversation's empathy label is not ``na``), per set, with the false
triggers by the rule path that fired and by the number of customer turns, and the misses by the highest
P(needs empathy) of their turns. A candidate state model (``--state-model``) and cut-offs (``--trigger``,
several for a sweep) are read over the same sentiment readings; the rubric's ``state_model_version`` pin
is lifted for that on purpose.
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


def _rubric_and_trigger(rubric=None):
    """The rubric (default: the settings' one) and its empathy criterion's trigger params, which every figure
    here reads."""
    from pipeline.rubric import load_rubric
    from pipeline.settings import get_settings

    rubric = rubric or load_rubric(get_settings().rubric_path)
    return rubric, next(c for c in rubric.criteria if c.id == "empathy").params.trigger


def evaluate_turns(path: str | Path, sentiment_model=None, rubric=None) -> dict:
    from models.state import is_short
    from pipeline.customer_state import annotate_state, state_model
    from pipeline.rubric.criteria._common import EmotionDetector
    from pipeline.scoring import load_model_or_fail
    from pipeline.sentiment import classify_texts

    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    model = load_model_or_fail(sentiment_model)
    rubric, trig = _rubric_and_trigger(rubric)
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


def lowo_trigger(cuts: tuple[float, ...] | None = None, sentiment_model=None, rubric=None,
                 empathy_weights: tuple[float, ...] = (), short_weights: tuple[float, ...] = ()) -> list[dict]:
    """The rubric's empathy trigger, leave one writer out: for each writer of ``models.state_recipe.WRITER_FILES``
    and each arm of ``models.state_recipe.LOWO_ARMS``, the state model fitted without that writer reads the
    writer's turns and the default rubric's trigger decides, at each ``min_state_score`` in ``cuts`` (default: the
    rubric's; the rest of the trigger as the rubric says). An arm with parts is read once more at each empathy-part
    weight in ``empathy_weights`` and each short-turn polarity weight in ``short_weights`` (the polarity a cue needs). Training rows only: the honest figure for choosing a recipe or a cut-off
    without touching a measure-only set. Per turn: a conversation has many calm turns, so a wrongly
    triggered calm turn (``calm_triggered``) costs more there than here."""
    import numpy as np

    from models.state_recipe import LOWO_ARMS, OLD_FILES, WRITER_FILES, extra_files, fit_fold, read_rows
    from pipeline.scoring import load_model_or_fail
    from pipeline.sentiment import classify_texts

    model = load_model_or_fail(sentiment_model)
    rubric, trig = _rubric_and_trigger(rubric)
    cuts = cuts or (trig.min_state_score,)
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
        other_writers = {o: range(a, b) for o, (a, b) in spans.items() if o != name}
        memo: dict = {}
        for arm, recipe, others in LOWO_ARMS:
            state = fit_fold(recipe, others, every, proba, len(base), other_writers, extra, at, memo)
            # the arm as its recipe says, then each mix asked for (the same fitted fold, one weight moved)
            mixes = [(arm, {})]
            if state.empathy_part is not None:
                mixes += [(f"{arm}, empathy {w:g}", {"empathy_part_weight": w}) for w in empathy_weights]
            if state.polarity_part is not None:
                mixes += [(f"{arm}, polarity short {w:g}", {"polarity_part_short_weight": w}) for w in short_weights]
            for name_, mix in mixes:
                kept = {k: getattr(state, k) for k in mix}
                for k, v in mix.items():
                    setattr(state, k, v)
                out += _trigger_rows(name, name_, state, test, sentiments[lo:hi], cuts, trig)
                for k, v in kept.items():
                    setattr(state, k, v)
    return out


def _trigger_rows(writer: str, arm: str, state, test: list[dict], sentiments, cuts, trig) -> list[dict]:
    """One held-out writer's turns read by one fold model, the rubric's trigger at each cut-off."""
    from pipeline.customer_state import annotate_state
    from pipeline.rubric.criteria._common import EmotionDetector

    gold = [r["needs_empathy"] == "yes" for r in test]
    out = []
    for cut in cuts:
        convs, turns = two_message_conversations(test)
        for m, s in zip(turns, sentiments):
            m.sentiment = type(s)(s.label, dict(s.scores))
        annotate_state(convs, state)
        # the pin names the shipped model; here each fold's own model is read on purpose
        det = EmotionDetector(trig.model_copy(update={"min_state_score": cut, "state_model_version": None}), "empathy.trigger")
        pr = _pr(gold, [det.negative(m)[0] for m in turns])
        n_calm = len(gold) - sum(gold)
        out.append({"writer": writer, "arm": arm, "min_state_score": cut, **pr, "n_calm": n_calm,
                    "calm_triggered": round(pr["fp"] / max(n_calm, 1), 3)})
    return out


DEV_CONVERSATION_SETS = ("rubric", "rubric_holdout", "rubric_blind", "rubric_blind2", "rubric_blind3", "rubric_blind4",
                         "rubric_blind5", "rubric_blind6", "rubric_w9a", "rubric_w9b", "rubric_w9c", "rubric_w10a")  # dev only: never an honest set
LENGTHS = ((1, 3), (4, 6), (7, 9), (10, 10**6))  # customer turns in a conversation: the buckets of the length table


def _length_bucket(n: int) -> str:
    lo, hi = next(b for b in LENGTHS if b[0] <= max(n, 1) <= b[1])
    return f"{lo}+" if hi >= 10**6 else f"{lo}-{hi}"


def _p_band(p: float) -> str:
    return "<0.5" if p < 0.5 else "0.5-0.7" if p < 0.7 else "0.7-0.9" if p < 0.9 else ">=0.9"


def labelled_conversations(dirs, sentiment_model=None, rubric=None) -> dict[str, list]:
    """Each golden set's conversations (with their labels) through normalise, segment and sentiment, as
    ``zhijian eval-rubric`` reads them (the state layer of the settings runs too; a candidate re-reads them)."""
    from pipeline.rubric.evaluate import read_labelled
    from pipeline.rubric.testing import prepare
    from pipeline.scoring import load_model_or_fail
    from pipeline.segment import segmenter_for
    from pipeline.sentiment import annotate_sentiment

    model = load_model_or_fail(sentiment_model)
    segment = segmenter_for(rubric.lexicon_terms()) if rubric is not None else None
    out = {}
    for d in dirs:
        items = []
        for f in sorted(Path(d).glob("*.json")):
            try:
                conv, labels, _ = read_labelled(f)
            except (KeyError, TypeError, ValueError):  # a report written next to the conversations
                continue
            if "empathy" in labels:
                items.append((f.name, prepare(conv, segment), labels["empathy"]))
        annotate_sentiment([c for _, c, _ in items], model)
        out[Path(d).name] = items
    return out


def conversation_trigger(dirs=None, state=None, settings: list[dict] | None = None, sentiment_model=None,
                         rubric=None) -> list[dict]:
    """The default rubric's empathy trigger per conversation (module docstring), for each golden set in ``dirs``
    (default: ``DEV_CONVERSATION_SETS`` under tests/golden) and each trigger setting in ``settings`` (updates
    of ``empathy.trigger``; default: the rubric's own). ``state``: a state model directory or model (default:
    the settings' one). One row per (setting, set)."""
    from collections import Counter

    from pipeline.customer_state import annotate_state, state_model
    from pipeline.rubric.criteria._common import EmotionDetector
    from pipeline.rubric.criteria._conversation_upset import first_trigger

    rubric, trig = _rubric_and_trigger(rubric)
    if dirs is None:
        dirs = [p for p in (REPO_ROOT / "tests" / "golden" / s for s in DEV_CONVERSATION_SETS) if p.is_dir()]
    if isinstance(state, (str, Path)):
        from models.state import load_state_model

        state = load_state_model(state)
    state = state if state is not None else state_model()
    sets = labelled_conversations(dirs, sentiment_model, rubric)
    for items in sets.values():
        annotate_state([c for _, c, _ in items], state)
    out = []
    for setting in settings or [{}]:
        # the pin names the shipped model; a candidate is read here on purpose
        det = EmotionDetector(trig.model_copy(update={**setting, "state_model_version": None}), "empathy.trigger")
        for name, items in sets.items():
            row = {"set": name, "setting": dict(setting), "state_model": getattr(state, "model_id", None), "n": len(items),
                   "tp": 0, "fp": 0, "fn": 0, "false_by_path": Counter(), "missed_by_p": Counter(), "by_length": {},
                   "false": [], "missed": []}
            for file, conv, label in items:
                gold = label != "na"
                customer = [(i, m) for i, m in enumerate(conv.messages) if m.role == "customer" and m.text.strip()]
                found = first_trigger(det, conv.messages)  # emp12c: the conversation-level reading empathy scores with
                how = found[1] if found else None
                length = row["by_length"].setdefault(_length_bucket(len(customer)), {"calm": 0, "false": 0, "upset": 0, "missed": 0})
                length["upset" if gold else "calm"] += 1
                if gold and how:
                    row["tp"] += 1
                elif how:
                    row["fp"] += 1
                    length["false"] += 1
                    row["false_by_path"][how] += 1
                    row["false"].append(file)
                elif gold:
                    row["fn"] += 1
                    length["missed"] += 1
                    top = max((m.state.needs_empathy for _, m in customer if m.state is not None), default=0.0)
                    row["missed_by_p"][_p_band(top)] += 1
                    row["missed"].append(file)
            out.append(row)
    return out


def format_conversations(results: list[dict]) -> str:
    lines = []
    for setting in list(dict.fromkeys(json.dumps(r["setting"], sort_keys=True) for r in results)):
        mine = [r for r in results if json.dumps(r["setting"], sort_keys=True) == setting]
        lines += [f"empathy trigger per conversation ({mine[0]['state_model']}; trigger {setting if setting != '{}' else 'as the rubric says'})",
                  f"  {'set':16s} convs upset   P      R     false (by path)                missed (highest P)"]
        total = {k: sum(r[k] for r in mine) for k in ("n", "tp", "fp", "fn")}
        for r in mine + [{"set": "all", **total, "false_by_path": sum((r["false_by_path"] for r in mine), start=type(mine[0]["false_by_path"])()),
                          "missed_by_p": sum((r["missed_by_p"] for r in mine), start=type(mine[0]["missed_by_p"])())}]:
            p = r["tp"] / max(r["tp"] + r["fp"], 1)
            rec = r["tp"] / max(r["tp"] + r["fn"], 1)
            paths = ", ".join(f"{k} {v}" for k, v in sorted(r["false_by_path"].items()))
            bands = ", ".join(f"{k} {v}" for k, v in sorted(r["missed_by_p"].items()))
            lines.append(f"  {r['set']:16s} {r['n']:5d} {r['tp'] + r['fn']:5d}  {p:.3f}  {rec:.3f}  {r['fp']:2d} ({paths}){' ' * max(0, 26 - len(paths))}  {r['fn']:2d} ({bands})")
        buckets: dict[str, dict] = {}
        for r in mine:
            for b, c in r["by_length"].items():
                acc = buckets.setdefault(b, {"calm": 0, "false": 0, "upset": 0, "missed": 0})
                for k in acc:
                    acc[k] += c[k]
        order = [_length_bucket(lo) for lo, _ in LENGTHS]
        lines.append("  by customer turns: " + "; ".join(
            f"{b}: calm {c['false']}/{c['calm']} triggered, upset {c['missed']}/{c['upset']} missed" for b, c in
            sorted(buckets.items(), key=lambda kv: order.index(kv[0]))))
    return "\n".join(lines)


def format_lowo(results: list[dict]) -> str:
    """Per held-out writer and pooled over the writers, per arm and cut-off: the trigger's P / R on the writer's
    turns and the share of its calm turns triggered."""
    lines = ["empathy trigger, leave one writer out (per held-out writer, then pooled over the writers)",
             f"  {'held-out writer':34s} {'arm':32s} min_state_score   P      R      calm turns triggered"]
    keys = list(dict.fromkeys((r["arm"], r["min_state_score"]) for r in results))
    writers = list(dict.fromkeys(r["writer"] for r in results))
    for writer in writers + ["pooled"]:
        for arm, cut in keys:
            mine = [r for r in results if r["arm"] == arm and r["min_state_score"] == cut and writer in ("pooled", r["writer"])]
            tp, fp, fn, calm = (sum(r[k] for r in mine) for k in ("tp", "fp", "fn", "n_calm"))
            lines.append(f"  {writer:34s} {arm:32s} {cut:<17} {tp / max(tp + fp, 1):.3f}  {tp / max(tp + fn, 1):.3f}  "
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
    ap.add_argument("--cuts", default=None, help="with --lowo: min_state_score values, comma-separated (default: the rubric's)")
    ap.add_argument("--empathy-weights", default="", help="with --lowo: empathy-part weights to read each arm with too")
    ap.add_argument("--short-weights", default="", help="with --lowo: short-turn polarity-part weights to read each arm with too")
    ap.add_argument("--conversations", action="store_true",
                    help="the empathy trigger per conversation on golden set directories (default: the dev sets)")
    ap.add_argument("--state-model", default=None, help="with --conversations: a candidate state model directory")
    ap.add_argument("--trigger", action="append", default=None, metavar="KEY=VALUE,...",
                    help="with --conversations: empathy.trigger settings to read with (repeat for a sweep)")
    a = ap.parse_args(argv)
    if a.conversations:
        settings = [{k: float(v) for k, v in (kv.split("=", 1) for kv in t.split(","))} for t in a.trigger] if a.trigger else None
        results = conversation_trigger(a.sets if a.sets != [str(p) for p in DEFAULT_SETS] else None, a.state_model, settings, a.model)
        print(format_conversations(results))
        if a.json_out:
            Path(a.json_out).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0
    if a.lowo:
        floats = lambda v: tuple(float(x) for x in v.split(",") if x)  # noqa: E731
        results = lowo_trigger(floats(a.cuts) or None, a.model, empathy_weights=floats(a.empathy_weights),
                               short_weights=floats(a.short_weights))
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
