"""Adapting the customer-state model to a shop (models/adapt_state.py): the polarity head learns the shop's
short replies in context; the vocabulary and the needs-empathy head stay the base model's."""
from __future__ import annotations

import copy

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


def test_realigning_the_empathy_head_undoes_a_shift_of_the_encoder_and_keeps_its_vocabulary(base, recipe):
    """An encoder that reads every turn less negative (as adapted encoders did) lowers P(needs empathy) under
    the unchanged head; re-mapping the head's probability weights on the recipe's rows gives it back."""
    rows, _ = recipe
    texts, prevs = [r["text"] for r in rows], [r.get("prev_agent") or "" for r in rows]
    rng = np.random.default_rng(1)
    before = rng.dirichlet([2, 2, 2], len(rows))
    shifted = before * np.array([0.5, 1.0, 1.0])  # half the odds of negative, everywhere
    shifted /= shifted.sum(1, keepdims=True)
    e0 = base.predict(texts, prevs, before).empathy
    unaligned = base.predict(texts, prevs, shifted).empathy
    model = S.realign_empathy(copy.deepcopy(base), before, shifted)
    realigned = model.predict(texts, prevs, shifted).empathy
    assert np.abs(realigned - e0).mean() < 0.25 * np.abs(unaligned - e0).mean() and unaligned.mean() < e0.mean()
    n = len(base.vocab)
    np.testing.assert_array_equal(model.w_empathy[:n], base.w_empathy[:n])  # what the turn's words weigh: kept
    same = S.realign_empathy(copy.deepcopy(base), before, before)  # nothing moved: nothing to re-map
    np.testing.assert_allclose(same.w_empathy, base.w_empathy, atol=1e-4)
