"""Adapting the customer-state model to a shop (models/adapt_state.py): the polarity head learns the shop's
short replies in context; the vocabulary and the needs-empathy head stay the base model's."""
from __future__ import annotations

import numpy as np
import pytest

from models import adapt_state as S
from models.state import load_state_model
from models.state_recipe import read_rows

REFUSAL = "亲，这个是按个数赔的，没办法再多了"
ANSWER = "好的亲，已经给您登记好了，明天就发货"


@pytest.fixture(scope="module")
def base():
    return load_state_model()


@pytest.fixture(scope="module")
def recipe():
    rows = read_rows()[:400]
    rng = np.random.default_rng(0)
    return rows, rng.dirichlet([1, 1, 1], len(rows)).astype(np.float32)


def test_shop_turns_teach_the_polarity_head_and_leave_empathy_alone(base, recipe):
    rows, proba = recipe
    # the shop's buyers answer a refusal with a bare 中吧 / 行 (resignation) and an answer with the same words (calm)
    shop = [(REFUSAL, t, "negative") for t in ("中吧", "中", "行", "那中吧", "好")] * 3 + \
           [(ANSWER, t, "neutral") for t in ("中吧", "中", "行", "那中吧", "好")] * 3
    neutral_reading = np.tile(np.array([[0.1, 0.8, 0.1]], dtype=np.float32), (len(shop), 1))
    texts, prevs = ["中吧", "中吧", "烂了好几个 退钱"], [REFUSAL, ANSWER, ""]
    p = np.tile(np.array([[0.1, 0.8, 0.1]], dtype=np.float32), (3, 1))
    adapted = S.fit_shop_state(base, rows, proba, shop, neutral_reading, shop_weight=10.0)
    assert adapted.vocab == base.vocab
    np.testing.assert_array_equal(adapted.w_empathy, base.w_empathy)
    np.testing.assert_allclose(adapted.predict(texts, prevs, p).empathy, base.predict(texts, prevs, p).empathy)
    assert S.context_labels(adapted, texts[:2], prevs[:2], p[:2]) == ["negative", "neutral"]


def test_context_turns_keep_each_context_and_skip_what_cannot_be_read(tmp_path):
    table = tmp_path / "pool.tsv"
    table.write_text("prev_agent\ttext\tsentiment\n" f"{REFUSAL}\t中吧\tnegative\n{ANSWER}\t中吧\tneutral\n"
                     f"{ANSWER}\t中吧\tneutral\n\t谢谢老板\tPOSITIVE\n\t不算\tangry\nshort line\n", encoding="utf-8")
    assert S.read_context_turns(table) == [(REFUSAL, "中吧", "negative"), (ANSWER, "中吧", "neutral"), ("", "谢谢老板", "positive")]
    export = tmp_path / "sentiment_turns.tsv"
    export.write_text("negative\t怎么还没发\n", encoding="utf-8")
    assert S.read_context_turns(export) == []  # label<TAB>text: no context column
