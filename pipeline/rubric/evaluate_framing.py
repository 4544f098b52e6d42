"""positive_framing with the decline model, measured leave one writer out over the dev conversation sets.

Each dev set (models.declines.DEV_SETS) was written by its own hand. For each set, the decline model is trained
without that set's conversations (every writer's rows and the other sets' `na` messages) and positive_framing, with
that model in place of the shipped one, scores the set. Each decline writer's rows (data/declines/agent_declines_*.tsv)
are scored the same way as one-reply conversations (customer burst, agent message: `declines` should fail,
`declines_with_alternative` pass, `not_declining` be na) with a model trained without that writer: the rule was tuned on
the dev sets' misses (it is in-sample there) but never on these rows, so they show what it misses on new writing. The
verdicts are pooled over every held-out unit. The rule alone (the model switched off) is scored on the same items. A grid of the criterion's `declines` settings is read off
the same fold models (the thresholds are the only thing that changes), so the setting is chosen by the pooled
held-out accuracy, never by one set's figure.

    python -m pipeline.rubric.evaluate_framing            # the rubric's settings vs the rule alone, per set and pooled
    python -m pipeline.rubric.evaluate_framing --grid     # and the grid, best pooled settings first

Minutes on CPU: 14 small trainings, and the dev conversations prepared once (sentiment model included).
"""
from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Any, Iterable

from models.declines import DEV_SETS, GOLDEN, DeclineClassifier, training_data
from pipeline.rubric.engine import Rubric, load_rubric

CRITERION = "positive_framing"


def load_sets(sets: Iterable[str] = DEV_SETS, rubric: Rubric | None = None) -> dict[str, list[tuple[Any, str]]]:
    """{set: [(prepared conversation with sentiment, positive_framing label)]}, as eval-rubric prepares them."""
    from pipeline.rubric.evaluate import read_labelled

    out: dict[str, list] = {}
    for s in sets:
        items = []
        for f in sorted((GOLDEN / s).glob("*.json")):
            try:
                conv, labels, _ = read_labelled(f)
            except (KeyError, TypeError, ValueError):
                continue
            if CRITERION in labels:
                items.append((conv, labels[CRITERION]))
        out[s] = items
    return _prepared(out, rubric)


# a decline writer's row as a one-reply conversation: what positive_framing should say of it
ROW_VERDICT = {"declines": "fail", "declines_with_alternative": "pass", "not_declining": "na"}


def load_writer_sets(rubric: Rubric | None = None) -> dict[str, list[tuple[Any, str]]]:
    """{`declines:<writer>`: [(one-reply conversation, expected verdict)]} of the decline writers' rows: the customer's
    turn (a burst split at ` || `) then the agent's message. The rule was never tuned on these rows, so they show what
    the rule misses on new writing; the model is measured on them held out by writer."""
    from models.declines import read_decline_tsv, writer_files
    from pipeline.rubric.testing import make_conversation

    out: dict[str, list] = {}
    for name, path in writer_files().items():
        if not name.startswith("declines:"):
            continue
        items = []
        for k, ((ctx, text), label) in enumerate(zip(*read_decline_tsv(path))):
            turns = [("customer", c.strip(), 10 * j) for j, c in enumerate(ctx.split(" || ")) if c.strip()]
            conv = make_conversation(turns + [("agent", text, 10 * len(turns) + 30)], f"{name}#{k + 2}", run_stages=False)
            items.append((conv, ROW_VERDICT[label]))
        out[name] = items
    return _prepared(out, rubric)


def _prepared(out: dict[str, list], rubric: Rubric | None) -> dict[str, list]:
    """`out`'s conversations through normalise, segment (the rubric's phrases kept whole) and the sentiment model."""
    from pipeline.rubric.evaluate import _load_sentiment
    from pipeline.rubric.testing import prepare
    from pipeline.segment import segmenter_for

    rubric = rubric or load_rubric()
    segmenter = segmenter_for(rubric.lexicon_terms())
    for items in out.values():
        for conv, _ in items:
            prepare(conv, segmenter)
    model, _ = _load_sentiment(True)
    if model is not None:
        from pipeline.sentiment import annotate_sentiment

        annotate_sentiment([c for items in out.values() for c, _ in items], model)
    return out


def _criterion(rubric_path: str | Path | None, declines: dict):
    """The rubric's positive_framing criterion alone, its `declines` settings updated by `declines`."""
    from pipeline.rubric.engine import criterion_alone

    return next(c for c in criterion_alone(CRITERION, {"declines": declines}, rubric_path).criteria if c.id == CRITERION)


def _verdicts(crit, items) -> list[str]:
    return [crit.score(conv).status for conv, _ in items]


def fold_models(sets: Iterable[str] = DEV_SETS, writers: Iterable[str] = (), **params) -> dict[str, DeclineClassifier]:
    """For each dev set, the decline model trained without that set's conversations; for each decline writer
    (`declines:<name>`), trained without that writer's rows."""
    from models.declines import writer_files

    sets, files = list(sets), writer_files()
    out = {}
    for s in [*sets, *writers]:
        rows, labels, _, w = training_data({k: v for k, v in files.items() if k != s}, sets=[x for x in sets if x != s])
        out[s] = DeclineClassifier(**params).fit(rows, labels, sample_weight=w)
    return out


def grid_settings() -> list[dict]:
    out = [{"threshold": thr, "alternative": 0.5, "answers": "request", "rule_refusals": True, "veto": 0.9, "customer_above": ca}
           for thr in (0.5, 0.6) for ca in (0.7, 0.8, 0.9)]
    for thr, alt, answers, rule_ref, veto in itertools.product((0.5, 0.6, 0.7, 0.8, 0.9), (None, 0.5),
                                                               ("customer", "request"), (True, False), (None, 0.9)):
        if alt is None and not rule_ref:
            continue  # the same as alt None with rule_refusals
        out.append({"threshold": thr, "alternative": alt, "answers": answers, "rule_refusals": rule_ref, "veto": veto,
                    "customer_above": None})
    return out


def lowo(data: dict[str, list], models: dict[str, DeclineClassifier], settings: list[dict],
         rubric_path: str | Path | None = None) -> list[tuple[dict, dict[str, tuple[int, int]], list]]:
    """For each setting: ({set: (correct, n)}, confusion list of (set, file index, label, verdict)) with each set's fold
    model; the setting {"enabled": False} is the rule alone."""
    results = []
    with tempfile.TemporaryDirectory(prefix="zhijian-framing-") as tmp:
        dirs = {}
        for s, m in models.items():
            dirs[s] = str(Path(tmp) / s)
            m.save(dirs[s])
        crits = {}
        for setting in settings:
            per_set, rows = {}, []
            for s, items in data.items():
                key = (s, "off") if setting.get("enabled") is False else s
                if key not in crits or setting.get("enabled") is False:
                    crits[key] = _criterion(rubric_path, {"model": dirs[s], "model_version": None, **setting})
                crit = crits[key]
                if setting.get("enabled") is not False:
                    crit.params = crit.params.model_copy(update={"declines": crit.params.declines.model_copy(update=setting)})
                got = _verdicts(crit, items)
                per_set[s] = (sum(g == lab for g, (_, lab) in zip(got, items)), len(items))
                rows += [(s, conv.conversation_id, lab, g) for g, (conv, lab) in zip(got, items)]
            results.append((setting, per_set, rows))
    return results


def pooled(per_set: dict[str, tuple[int, int]]) -> float:
    return sum(c for c, _ in per_set.values()) / max(1, sum(n for _, n in per_set.values()))


def format_result(setting: dict, per_set: dict, rows: list) -> str:
    from collections import Counter

    conf = Counter((lab, got) for _, _, lab, got in rows)
    wrong = ", ".join(f"{lab}→{got} {n}" for (lab, got), n in sorted(conf.items()) if lab != got)
    sets = " ".join(f"{s.removeprefix('rubric_') or 'rubric'} {c}/{n}" for s, (c, n) in per_set.items())
    return f"{pooled(per_set):.4f}  {setting}\n    {sets}\n    misses: {wrong}"


def rule_rows(data: dict[str, list], rubric_path: str | Path | None = None) -> list[tuple[str, str, str, str]]:
    """The weak conversation labels placed on messages by the rule (decline model off): in a conversation labelled
    `fail` that the rule fails, the refusal left bare declines; labelled `pass` and passed, each refusal declines with
    an alternative when the alternative is in its own message, else declines. Rows (customer, agent, label, note), the
    note `set/conversation: rule id` so leave-one-set-out can hold a set's rows out with the set."""
    from models.declines import context_pairs

    crit = _criterion(rubric_path, {"enabled": False})
    out = []
    for s, items in data.items():
        for conv, lab in items:
            res = crit.score(conv)
            if res.status != lab or lab not in ("fail", "pass"):
                continue
            pairs = dict(context_pairs([(m.role, m.text) for m in conv.messages]))
            index = {m.seq: i for i, m in enumerate(conv.messages)}
            ev = res.evidence
            for r, nxt in zip(ev[::2], ev[1::2]):
                if r.seq not in index or index[r.seq] not in pairs:
                    continue
                ctx, text = pairs[index[r.seq]]
                label = "declines_with_alternative" if lab == "pass" and nxt.seq == r.seq else "declines"
                out.append((ctx, text, label, f"{s}/{conv.conversation_id}: {r.rule}"))
    return out


def _summary(res) -> str:
    setting, per_set, rows = res
    dev = {k: v for k, v in per_set.items() if not k.startswith("declines:")}
    wr = {k: v for k, v in per_set.items() if k.startswith("declines:")}
    right = sum(c for c, _ in per_set.values())
    n = sum(m for _, m in per_set.values())
    return (f"pooled {right}/{n} = {right / n:.4f}; dev sets {pooled(dev):.4f}; decline writers' rows {pooled(wr):.4f}\n"
            + format_result(setting, per_set, rows))


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m pipeline.rubric.evaluate_framing", description=__doc__.split("\n\n")[0])
    ap.add_argument("--rubric", default=None)
    ap.add_argument("--grid", action="store_true", help="also every setting of grid_settings(), best pooled first")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--rule-rows", metavar="TSV", help="write the rule's weak message labels of the dev sets here and stop "
                    "(data/declines/dev_rule_rows.tsv)")
    a = ap.parse_args(argv)
    rubric = load_rubric(a.rubric)
    data = load_sets(rubric=rubric)
    if a.rule_rows:
        rows = rule_rows(data, a.rubric)
        with open(a.rule_rows, "w", encoding="utf-8") as f:
            f.write("customer\tagent\tlabel\tnote\n")
            f.writelines("\t".join(" ".join(x.split()) for x in r) + "\n" for r in rows)
        print(f"{len(rows)} rows written to {a.rule_rows}")
        return 0
    writers = load_writer_sets(rubric)
    models = fold_models(writers=list(writers))
    crit = _criterion(a.rubric, {})
    shipped = {k: getattr(crit.params.declines, k) for k in ("threshold", "alternative", "answers", "rule_refusals", "veto", "customer_above")}
    res = lowo({**data, **writers}, models, [{"enabled": False}, {"enabled": True, **shipped}], a.rubric)
    print("rule alone:\n" + _summary(res[0]))
    print("rubric's settings, held-out models:\n" + _summary(res[1]))
    if a.grid:
        grid = lowo({**data, **writers}, models, grid_settings(), a.rubric)
        grid.sort(key=lambda r: -sum(c for c, _ in r[1].values()))
        print(f"grid ({len(grid)} settings), best pooled first:")
        for r in grid[: a.top]:
            print(_summary(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
