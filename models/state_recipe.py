"""The training recipe of the shipped customer-state model ``zh-cs-state@2`` (issue 13).

``models/state.py`` holds the model (features, fitting, inference); this module says what the shipped
one is trained on and how its labels are read, so the weights in ``models/zh-cs-state`` can be rebuilt:

    python -m models.state_recipe train        # writes models/zh-cs-state (seconds + the sentiment model's reading)
    python -m models.state_recipe cv           # 5-fold CV of both heads on the same rows (own data only)

What changed from ``@1`` (trained on ``chat_turns_context.tsv`` alone, labels as written):

* **Calm reports are neutral for the polarity head.** The rubric's labelling rule
  (``tests/golden/rubric/README.md``: "mild problem reports without emotion count as neutral") and
  every outside labeller read a calm report or a calm question (充电器插上没反应 / 海外购物流为什么一直
  不更新) as neutral; the training files label it ``negative`` with ``needs_empathy = no`` (the
  sentiment guideline's rule 5). The context-read label is what results show and what ``negative_end``
  reads, so the polarity head learns the rubric's rule: a row labelled negative that needs no empathy
  and whose note calls it calm (and not a contrast, reproach or disappointment) trains the polarity
  head as ``neutral``. The empathy head keeps ``no``.
* **More rows:** the calm-report and calm-tone files written for the next model
  (``chat_turns_context_reports.tsv``, ``chat_turns_context_calm.tsv``) and
  ``chat_turns_context_real.tsv`` (real-shop register: terse procedural questions, order and payment
  details, masked placeholders, bare closings after many closing questions, urgency and resignation
  in few words).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import numpy as np

from models.state import CALM_FILE, REPORTS_FILE, SHIPPED_STATE_DIR, TRAIN_FILE, CustomerStateModel, read_context_tsv

VERSION = 3
REAL_FILE = TRAIN_FILE.with_name("chat_turns_context_real.tsv")
CHASING_FILE = TRAIN_FILE.with_name("chat_turns_context_chasing.tsv")
FILES: tuple[Path, ...] = (TRAIN_FILE, REPORTS_FILE, CALM_FILE, REAL_FILE, CHASING_FILE)

_CALM = re.compile(r"\bcalm\b", re.I)
_NOT_CALM = re.compile(r"contrast|reproach|disappoint", re.I)


def polarity_label(row: dict) -> str:
    """The polarity head's target: the written label, except a calm report (negative, needs no empathy,
    noted calm) is neutral under the rubric's labelling rule."""
    note = row.get("note") or ""
    if row["sentiment"] == "negative" and row["needs_empathy"] == "no" and _CALM.search(note) and not _NOT_CALM.search(note):
        return "neutral"
    return row["sentiment"]


def read_rows(files: Sequence[str | Path] = FILES) -> list[dict]:
    return [r for f in files for r in read_context_tsv(f)]


def fit(rows: Sequence[dict], proba: np.ndarray) -> CustomerStateModel:
    model = CustomerStateModel().fit(
        [r["text"] for r in rows], [r.get("prev_agent") or "" for r in rows], proba,
        [polarity_label(r) for r in rows], [r["needs_empathy"] == "yes" for r in rows],
    )
    model.meta_["version"] = VERSION
    return model


def train(out: str | Path = SHIPPED_STATE_DIR, files: Sequence[str | Path] = FILES, sentiment_model=None) -> CustomerStateModel:
    """Fit the shipped recipe with the sentiment model's probabilities for each turn, and save."""
    if sentiment_model is None:
        from models.loader import load_sentiment_model

        sentiment_model = load_sentiment_model()
    rows = read_rows(files)
    proba = np.asarray(sentiment_model.predict_proba([r["text"] for r in rows]), dtype=np.float32)
    model = fit(rows, proba)
    model.meta_.update({"trained_on": [Path(f).name for f in files], "sentiment_model": getattr(sentiment_model, "model_id", None),
                        "polarity_rule": "calm reports (negative, needs no empathy, noted calm) → neutral"})
    model.save(out)
    return model


def cv(files: Sequence[str | Path] = FILES, k: int = 5, sentiment_model=None) -> dict:
    """k-fold CV (folds by text hash) of the polarity head (macro-F1 against the recipe's targets) and the
    empathy head at 0.5 and 0.9 (P / R) — on the training rows only, never a measure-only set."""
    import hashlib

    from models.evaluate import macro_f1

    if sentiment_model is None:
        from models.loader import load_sentiment_model

        sentiment_model = load_sentiment_model()
    rows = read_rows(files)
    proba = np.asarray(sentiment_model.predict_proba([r["text"] for r in rows]), dtype=np.float32)
    fold = np.array([int(hashlib.sha1(r["text"].encode("utf-8")).hexdigest(), 16) % k for r in rows])
    emp = np.zeros(len(rows))
    pol = [""] * len(rows)
    for f in range(k):
        tr, te = np.where(fold != f)[0], np.where(fold == f)[0]
        m = fit([rows[i] for i in tr], proba[tr])
        out = m.predict([rows[i]["text"] for i in te], [rows[i].get("prev_agent") or "" for i in te], proba[te])
        emp[te] = out.empathy
        for j, i in enumerate(te):
            pol[i] = ("negative", "neutral", "positive")[int(np.argmax(out.sentiment[j]))]
    gold = [polarity_label(r) for r in rows]
    yes = np.array([r["needs_empathy"] == "yes" for r in rows])
    report = {"n": len(rows), "polarity_macro_f1": round(macro_f1(gold, pol, ("negative", "neutral", "positive")), 3)}
    for cut in (0.5, 0.9):
        hit = emp >= cut
        report[f"empathy@{cut}"] = {"P": round(float((hit & yes).sum() / max(hit.sum(), 1)), 3),
                                    "R": round(float((hit & yes).sum() / max(yes.sum(), 1)), 3)}
    return report


if __name__ == "__main__":  # pragma: no cover
    import sys

    if sys.argv[1:2] == ["train"]:
        m = train(*(sys.argv[2:3] or []))
        print(f"saved {m.model_id}: {m.meta_['features']} features, {m.meta_['n_train']} turns")
    elif sys.argv[1:2] == ["cv"]:
        print(cv())
