"""Confident-learning pruning: which training labels the out-of-fold model contradicts."""
from __future__ import annotations

import numpy as np

from models.data import Example, SentimentData
from models.noise import hash_fold, prune_training_reviews, suspect_labels


def ex(text, label, split="train"):
    return Example(text=text, label=label, source="reviews", domain="hotel", split=split)


def test_suspect_labels_uses_per_class_thresholds():
    rows = [ex("a", "positive"), ex("b", "positive"), ex("c", "negative"), ex("d", "negative"), ex("e", "positive")]
    # columns: negative, neutral, positive
    proba = np.array([[0.1, 0, 0.9], [0.2, 0, 0.8], [0.9, 0, 0.1], [0.7, 0, 0.3], [0.85, 0, 0.15]])
    # t_pos = mean(0.9, 0.8, 0.15) = 0.62; t_neg = mean(0.9, 0.7) = 0.8 -> only "e" is confidently negative
    assert suspect_labels(rows, proba) == [4]
    assert suspect_labels(rows, proba, margin=0.8) == []


def test_hash_fold_is_stable_and_spread():
    folds = [hash_fold(f"文本{i}", 5) for i in range(1000)]
    assert folds == [hash_fold(f"文本{i}", 5) for i in range(1000)]
    assert all(150 < folds.count(k) < 250 for k in range(5))


def test_prune_flags_a_flipped_label_and_spares_validation():
    good = [("房间干净舒服", "positive"), ("服务热情周到", "positive"), ("早餐丰富好吃", "positive"),
            ("位置方便干净", "positive"), ("前台热情舒服", "positive"), ("房间很脏很吵", "negative"),
            ("服务态度很差", "negative"), ("早餐难吃很差", "negative"), ("隔音太差很吵", "negative"),
            ("前台态度很差", "negative")]
    rows = [ex(f"{t}{i}", l) for i in range(6) for t, l in good]
    rows.append(ex("服务态度很差很脏很吵", "positive"))  # a complaint filed as praise
    rows.append(ex("服务态度很差很脏", "positive", split="validation"))
    data = SentimentData(reviews=rows)
    prune_training_reviews(data, folds=3, log=lambda m: None)
    assert "服务态度很差很脏很吵" in data.pruned
    assert len(data.pruned) <= 3
    assert "服务态度很差很脏" not in data.pruned
