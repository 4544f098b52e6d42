"""Leave one writer out: the time_commitment criterion with the hand-off model (zh-cs-handoffs) in place, measured
on hands it never trained on — how its thresholds are chosen (issue 13, default@12).

Units held out, one at a time: each hand-off writer's file (models.handoffs.WRITERS; every row scored as a small
conversation — the customer's burst, then the agent's message — expected pass for hands_on_with_time, fail for
hands_on_no_time, na otherwise) and each dev conversation set (models.handoffs.DEV_SETS; its time_commitment labels).
For each unit the model is trained without it (the other files, the other sets' weak `na` rows) and the criterion,
with that model and each candidate setting of `model.threshold` / `model.time_threshold` / `model.veto`, scores
the unit. The figure is time_commitment accuracy pooled over every unit (each row or conversation counts once), and
its mean over units; the rule alone (the model switched off) is the baseline. A setting is chosen on the pooled
figure over all units, never on one set.

    OMP_NUM_THREADS=1 python -m pipeline.rubric.evaluate_handoffs [--rubric FILE]   # minutes on CPU: 14 small fits
"""
from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from models.handoffs import BURST_JOIN, DEV_SETS, GOLDEN, LABELS, WRITERS, read_handoff_tsv, train
from pipeline.conversation import Conversation, Message
from pipeline.rubric.engine import Rubric, load_rubric
from pipeline.rubric.evaluate import read_labelled
from pipeline.rubric.testing import prepare

EXPECTED = {"hands_on_with_time": "pass", "hands_on_no_time": "fail", "solved_now": "na", "other": "na"}
assert set(EXPECTED) == set(LABELS)
_T0 = datetime(2026, 12, 7, 10, tzinfo=timezone.utc)
# the settings compared: (threshold, time_threshold, veto, timed_threshold); None switches that part off
# (a first, wider sweep — threshold to 0.9, time_threshold 0.6 / 0.8, veto 0.1 / 0.2 — found nothing better there)
THRESHOLDS = (None, 0.5, 0.6, 0.7, 0.8)
TIME_THRESHOLDS = (None, 0.5, 0.7)
VETOES = (None, 0.05)
TIMED_THRESHOLDS = (None, 0.2, 0.3, 0.4)
RULE_ALONE = (None, None, None, None)


def row_conversation(customer: str, agent: str, cid: str = "row") -> Conversation:
    """A labelled row as a conversation: the customer's burst (split at BURST_JOIN), then the agent's message."""
    texts = [("customer", c) for c in customer.split(BURST_JOIN) if c.strip()] + [("agent", agent)]
    return Conversation(conversation_id=cid, messages=[
        Message(conversation_id=cid, seq=k + 1, role=role, timestamp=_T0 + timedelta(seconds=30 * k), text=text,
                agent_id="A01" if role == "agent" else None)
        for k, (role, text) in enumerate(texts)])


@dataclass
class Unit:
    name: str
    items: list[tuple[Conversation, str]]  # (prepared conversation, expected time_commitment status)
    file: Path | None = None  # a writer's file (else a dev set)


def units(rubric: Rubric) -> list[Unit]:
    from pipeline.segment import segmenter_for

    seg = segmenter_for(rubric.lexicon_terms())
    out = []
    for name, path in WRITERS.items():
        if not path.exists():
            continue
        examples, labels = read_handoff_tsv(path)
        items = [(prepare(row_conversation(c, a, f"{name}-{k}"), seg), EXPECTED[lab]) for k, ((a, c), lab) in enumerate(zip(examples, labels))]
        out.append(Unit(name, items, path))
    for s in DEV_SETS:
        items = []
        for f in sorted((GOLDEN / s).glob("*.json")):
            conv, labels, _ = read_labelled(f)
            if labels.get("time_commitment") in ("pass", "fail", "na"):
                items.append((prepare(conv, seg), labels["time_commitment"]))
        out.append(Unit(s, items))
    return out


def _criterion(rubric: Rubric):
    return next(c for c in rubric.criteria if c.id == "time_commitment")


def fold_model(unit: Unit, all_units: list[Unit]):
    """The recipe's model trained without the unit: the other writers' files and the other dev sets' weak rows."""
    files = [u.file for u in all_units if u.file is not None and u is not unit]
    sets = [u.name for u in all_units if u.file is None and u is not unit]
    return train(None, files=files, sets=sets)


def score_unit(crit, model, unit: Unit, setting: tuple) -> list[tuple[str, str]]:
    """(expected, got) per item, the criterion reading `model` with `setting` (threshold, time_threshold, veto,
    timed_threshold)."""
    threshold, time_threshold, veto, timed_threshold = setting
    enabled = not (threshold is None and time_threshold is None and veto is None)
    crit.params = crit.params.model_copy(update={"model": crit.params.model.model_copy(update={
        "enabled": enabled, "threshold": threshold, "time_threshold": time_threshold, "veto": veto,
        "timed_threshold": timed_threshold if threshold is not None else None})})
    compiled = list(crit.compiled)
    compiled[6] = model if enabled else None
    crit._compiled = tuple(compiled)
    return [(want, crit.score(conv).status) for conv, want in unit.items]


def lowo(rubric_path: str | Path | None = None, settings: list[tuple] | None = None, out=sys.stdout) -> dict:
    """{setting: {unit: (correct, n)}} over every unit held out in turn; prints the best settings and per-unit figures."""
    rubric = load_rubric(rubric_path)
    crit = _criterion(rubric)
    base_params = crit.params
    all_units = units(rubric)
    settings = settings or [s for s in itertools.product(THRESHOLDS, TIME_THRESHOLDS, VETOES, TIMED_THRESHOLDS)
                            if s[3] is None or (s[0] is not None and s[3] < s[0])]
    results: dict[tuple, dict[str, tuple[int, int]]] = {s: {} for s in settings}
    for unit in all_units:
        model = fold_model(unit, all_units)
        for s in settings:
            pairs = score_unit(crit, model, unit, s)
            results[s][unit.name] = (sum(w == g for w, g in pairs), len(pairs))
        crit.params = base_params
        print(f"  {unit.name}: rule alone {results[settings[0]][unit.name]}", file=out, flush=True) if settings[0] == RULE_ALONE else None
    rule = RULE_ALONE
    ranked = sorted(settings, key=lambda s: -_pooled(results[s]))
    for s in ([rule] if rule in results else []) + ranked[:12]:
        r = results[s]
        print(f"threshold {s[0]} time {s[1]} veto {s[2]} timed {s[3]}: pooled {_pooled(r):.4f}  mean over units {_mean(r):.4f}  "
              + " ".join(f"{u}={c}/{n}" for u, (c, n) in r.items()), file=out)
    return results


def _pooled(r: dict) -> float:
    return sum(c for c, _ in r.values()) / max(1, sum(n for _, n in r.values()))


def _mean(r: dict) -> float:
    return sum(c / n for c, n in r.values() if n) / max(1, len(r))


if __name__ == "__main__":  # pragma: no cover
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rubric", default=None)
    lowo(ap.parse_args().rubric)
