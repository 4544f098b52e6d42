"""The zh-cs-state@3 training recipe: how its labels are read, and that the shipped model is that recipe."""
from __future__ import annotations

import json

import numpy as np
import pytest

from models.state import SHIPPED_STATE_DIR, load_state_model
from models.state_recipe import FILES, VERSION, fit, polarity_label, read_rows


def _row(sentiment, needs, note):
    return {"prev_agent": "", "text": "x", "sentiment": sentiment, "needs_empathy": needs, "note": note}


@pytest.mark.parametrize(
    "row, label",
    [
        (_row("negative", "no", "calm defect report"), "neutral"),  # the rubric's rule: a calm report is neutral
        (_row("negative", "no", "Cantonese calm damage"), "neutral"),
        (_row("negative", "no", "contrast to negative calm"), "negative"),  # the clause after 但是 carries a complaint
        (_row("negative", "no", "mild reproach, calm"), "negative"),
        (_row("negative", "no", "calm disappointment report"), "negative"),
        (_row("negative", "no", "mild"), "negative"),  # a lukewarm verdict (一般) stays negative
        (_row("negative", "yes", "calm-toned worry"), "negative"),  # a feeling is never relabelled
        (_row("neutral", "no", "calm question"), "neutral"),
        (_row("positive", "no", "calm thanks"), "positive"),
    ],
)
def test_polarity_label(row, label):
    assert polarity_label(row) == label


def test_every_training_file_is_read_and_labelled():
    rows = read_rows(FILES)
    assert len(rows) > 1900
    assert {polarity_label(r) for r in rows} == {"negative", "neutral", "positive"}


def test_fit_names_the_recipe_version():
    rows = [_row("negative", "yes", "angry"), _row("neutral", "no", "q"), _row("positive", "no", "thanks")] * 3
    for r, t in zip(rows, ["气死了 还没到", "请问几号发", "收到了 很好", "太慢了 烦", "能开发票吗", "谢谢 很满意", "无语 又延迟", "在哪里查", "好评"]):
        r["text"] = t
    proba = np.full((len(rows), 3), 1 / 3, dtype=np.float32)
    assert fit(rows, proba).model_id == f"zh-cs-state@{VERSION}"


def test_shipped_model_is_this_recipe():
    meta = json.loads((SHIPPED_STATE_DIR / "zhijian.json").read_text(encoding="utf-8"))
    assert meta["version"] == VERSION and meta["trained_on"] == [f.name for f in FILES]
    assert load_state_model().model_id == f"zh-cs-state@{VERSION}"
