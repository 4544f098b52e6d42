"""Evaluate the forbidden_phrases criterion message by message on a labelled act file.

A labelled act file (data/heldout/agent_acts.tsv, data/acts/agent_acts_train.tsv) holds agent messages
with the taboo act each performs (refusal / blame_shifting / arguing / condescension / none). Each
message is scored as a one-message conversation (customer 在吗, then the agent's message) with the
rubric's forbidden_phrases criterion — all its layers: lexicon, cues, similarity, brush-offs, the act
model, the guards. Reported: taboo-vs-none precision/recall of the criterion, per-act precision/recall
of the act the criterion names (the act model's most probable taboo act on a failing message), and the
act model alone (argmax) for comparison.

    python -m pipeline.rubric.evaluate_acts data/heldout/agent_acts.tsv [--rubric FILE]
    zhijian eval-rubric tests/golden/rubric_blind4 --acts data/heldout/agent_acts.tsv

Leave one writer out (`--lowo`): the act model's training files come from different writers
(models.acts_recipe.WRITERS); for each writer, the recipe's model is trained without that writer's file and
the criterion, with that model in place of the shipped one, is measured on the file. Different hands wrote
the two sides, so this is the generalisation figure the project can compute itself; it is reported for
zh-cs-acts@7's recipe and @8's, each through the same rubric (minutes on CPU: 24 small trainings; with torch on one
thread, OMP_NUM_THREADS=1, about ten minutes on the loaded 2-core build machine, where two threads spin-wait).

    python -m pipeline.rubric.evaluate_acts --lowo [--rubric FILE]

Why the criterion drops the model's reading (`--why`): for each labelled taboo the criterion passes, the bar or guard
of the act layer that dropped it (`bar.<act>` — below the act's threshold; `plain_refusal`, `offer`, `owns_fault`,
`clause_below`, a guard such as `quoted` / `question`), tallied per act, with up to `--show` examples each.

    python -m pipeline.rubric.evaluate_acts data/heldout/agent_acts.tsv --why [--show 5]
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from models.acts import ACT_LABELS, act_report, format_act_report, load_act_model, read_act_tsv
from pipeline.rubric.engine import Rubric, load_rubric
from pipeline.rubric.testing import make_conversation


def _criterion(rubric: Rubric):
    for c in rubric.criteria:
        if c.id == "forbidden_phrases":
            return c
    raise ValueError(f"{rubric.id} has no forbidden_phrases criterion")


def criterion_acts(texts: list[str], rubric: Rubric) -> tuple[list[str], float]:
    """The act the criterion finds in each message ("none" when it passes), and seconds per message."""
    crit = _criterion(rubric)
    model = None
    acts_params = getattr(crit.params, "acts", None)
    if acts_params is not None and acts_params.enabled:
        model = load_act_model(acts_params.model)
    out: list[str] = []
    t0 = time.perf_counter()
    for text in texts:
        conv = make_conversation([("customer", "在吗", 0), ("agent", text, 30)])
        res = crit.score(conv)
        if res.status != "fail":
            out.append("none")
            continue
        named = [e.rule.rsplit(".", 1)[1] for e in res.evidence if ".act." in e.rule]
        if named:
            out.append(named[0])
        elif model is not None:
            row = model.predict_proba([text])[0]
            out.append(max(ACT_LABELS[1:], key=lambda a: row[ACT_LABELS.index(a)]))
        else:
            out.append("refusal")  # a word hit without an act model: taboo, act unknown
    return out, (time.perf_counter() - t0) / max(len(texts), 1)


def drop_reasons(texts: list[str], gold: list[str], rubric: Rubric) -> list[tuple[str, str, str, float]]:
    """(text, gold act, reason, P(taboo)) for each labelled taboo the criterion passes: the act layer's own reason
    (forbidden_phrases.v2's `_act_verdict`), or `no_model` where the criterion has no act layer."""
    crit = _criterion(rubric)
    model = crit.compiled[3] if len(crit.compiled) > 4 else None
    out = []
    for text, act in zip(texts, gold):
        if act == "none":
            continue
        conv = make_conversation([("customer", "在吗", 0), ("agent", text, 30)])
        if crit.score(conv).status == "fail":
            continue
        if model is None:
            out.append((text, act, "no_model", 0.0))
            continue
        from pipeline.rubric.matching import view

        agent = [m for m in conv.messages if m.role == "agent"]
        probs = model.predict_proba([view(agent[0]).s])  # what the criterion reads: the analysis view
        _, reason = crit._act_verdict(model, 0, agent, probs, crit.compiled[4])
        out.append((text, act, reason, 1.0 - float(probs[0][model.classes_.index("none")])))
    return out


def format_drops(drops: list[tuple[str, str, str, float]], show: int = 3) -> str:
    from collections import Counter, defaultdict

    by_reason = Counter((r.split("+")[0] if r.startswith("bar.") else r) for _, _, r, _ in drops)
    lines = [f"labelled taboos the criterion passes: {len(drops)}, by the bar or guard that dropped them"]
    examples = defaultdict(list)
    for text, act, r, p in drops:
        examples[r].append(f"      {act:<15} P(taboo) {p:.2f}  {text[:60]}")
    for r, n in by_reason.most_common():
        lines.append(f"  {r:<30} {n}")
        lines += examples[r][:show]
    return "\n".join(lines)


def evaluate_acts(tsv: str | Path, rubric_path: str | Path | None = None) -> str:
    rubric = load_rubric(rubric_path)
    texts, gold = read_act_tsv(tsv)
    pred, sec = criterion_acts(texts, rubric)
    lines = [format_act_report(act_report(gold, pred), f"{rubric.id} forbidden_phrases on {tsv} ({len(texts)} agent messages, {sec * 1000:.1f} ms each)")]
    acts_params = getattr(_criterion(rubric).params, "acts", None)
    if acts_params is not None and acts_params.enabled:
        model = load_act_model(acts_params.model)
        lines.append("")
        lines.append(format_act_report(act_report(gold, model.predict(texts)), f"act model {model.model_id} alone (argmax)"))
    return "\n".join(lines)


def _with_act_model(rubric_path: str | Path | None, model_dir: str) -> Rubric:
    """The rubric's forbidden_phrases criterion alone, reading the act model in `model_dir` (any version)."""
    from pipeline.rubric.engine import criterion_alone

    return criterion_alone("forbidden_phrases", {"acts": {"model": model_dir, "model_version": None}}, rubric_path)


def lowo(rubric_path: str | Path | None = None, versions: tuple[int, ...] = (7, 8)) -> str:
    """Leave-one-writer-out figures of the criterion (and of the act model alone) for each recipe version."""
    from models.acts_recipe import lowo_folds

    out = []
    for version in versions:
        gold: list[str] = []
        crit_pred: list[str] = []
        model_pred: list[str] = []
        rows = []
        for name, texts, acts, model in lowo_folds(version):
            with tempfile.TemporaryDirectory(prefix="zhijian-lowo-") as d:
                model.save(d)
                pred, _ = criterion_acts(texts, _with_act_model(rubric_path, d))
            gold += acts
            crit_pred += pred
            model_pred += model.predict(texts)
            t = act_report(acts, pred)["taboo"]
            rows.append(f"  {name:<34} n={len(texts):>5}  criterion taboo P {t['precision'] or 0:.3f}  R {t['recall'] or 0:.3f}  (tp {t['tp']} fp {t['fp']} fn {t['fn']})")
        title = f"zh-cs-acts@{version}'s recipe, leave one writer out, pooled over {len(gold)} messages"
        out += [format_act_report(act_report(gold, crit_pred), f"{title}: forbidden_phrases"), *rows, "",
                format_act_report(act_report(gold, model_pred), f"{title}: act model alone (argmax)"), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m pipeline.rubric.evaluate_acts", description=__doc__.split("\n\n")[0])
    ap.add_argument("tsv", nargs="?")
    ap.add_argument("--rubric", default=None)
    ap.add_argument("--lowo", action="store_true", help="leave one writer out: @7's recipe vs @8's (minutes)")
    ap.add_argument("--why", action="store_true", help="tally why each labelled taboo the criterion passes was dropped")
    ap.add_argument("--show", type=int, default=3, help="examples per reason with --why")
    a = ap.parse_args(argv)
    if not a.tsv and not a.lowo:
        ap.error("give a labelled act file, or --lowo")
    if a.tsv:
        print(evaluate_acts(a.tsv, a.rubric))
    if a.tsv and a.why:
        texts, gold = read_act_tsv(a.tsv)
        print("\n" + format_drops(drop_reasons(texts, gold, load_rubric(a.rubric)), a.show))
    if a.lowo:
        print(lowo(a.rubric))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
