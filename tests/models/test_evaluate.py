"""The held-out figures: every set is scored the way its docstring says (a rule-based stand-in model)."""
from __future__ import annotations

import numpy as np
import pytest

from models.data import CLASSES, Example, SentimentData
from models.evaluate import evaluate_model, markdown_table
from models.sentiment import SentimentModel


class WordModel(SentimentModel):
    """好 -> positive, 差 -> negative, else neutral."""

    classes_ = list(CLASSES)

    def predict_proba(self, texts):
        rows = []
        for t in texts:
            rows.append([0.1, 0.1, 0.8] if "好" in t else [0.8, 0.1, 0.1] if "差" in t else [0.2, 0.6, 0.2])
        return np.array(rows)


def r(text, label, split="test", domain="hotel", source="reviews"):
    return Example(text=text, label=label, source=source, domain=domain, split=split)


def test_every_figure_is_computed_on_its_own_set():
    data = SentimentData(
        reviews=[r("房间好", "positive"), r("前台差", "positive"),            # SnowNLP test: 1 of 2 right
                 r("屏幕好", "positive", domain="electronics"), r("散热差", "negative", domain="electronics"),
                 r("键盘好", "negative", domain="electronics")],                # held-out domain: 2 of 3
        relabel={"前台差": "negative", "键盘好": "unclear"},                    # second reading fixes one, drops one
        written=[r("外卖好吃", "positive", source="written"), r("水果差", "negative", source="written")],
        reviews_holdout=[r("手机好", "positive", domain="electronics", source="reviews_holdout"),
                         r("衣服差", "positive", domain="clothing", source="reviews_holdout")],
        chat=[Example("在吗", "neutral", "chat", split="test"), Example("太差了", "negative", "chat", split="test")],
        chat_closings=[Example("好的", "neutral", "chat_closings", split="test")],
    )
    out = evaluate_model(WordModel(), data)
    assert out["reviews_test_acc"] == 0.5
    assert out["reviews_test_relabel_acc"] == 1.0  # only 前台差 is relabelled, and the model agrees with the reader
    assert out["heldout_domain_acc"] == pytest.approx(2 / 3)
    assert out["heldout_domain_relabel_acc"] != out["heldout_domain_relabel_acc"]  # nan: no clear relabel there
    assert out["written_test_acc"] == 1.0
    assert (out["reviews_holdout_acc"], out["reviews_holdout_electronics_acc"], out["reviews_holdout_other_acc"]) \
        == (0.5, 1.0, 0.0)
    assert out["chat_test_acc"] == 1.0 and out["chat_closings_macro_f1"] == 0.0
    table = markdown_table({"word": out})
    assert "blind second reading" in table and "outside written reviews acc (electronics)" in table
