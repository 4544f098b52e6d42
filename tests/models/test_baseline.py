"""The TF-IDF baseline's batch reading (models.baseline.TfidfSentiment._rows, speed only): its GramIndex gives the rows
of the gram strings and a dict lookup bit for bit, so the probabilities (the transformer's wide part) are the same."""
import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from models.base import normalize_text, softmax, tfidf_rows
from models.baseline import TfidfSentiment, _sparse_dot

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["", " ", "好的", "好的谢谢", "怎麼還沒到 氣死了", "ＯＫ  谢谢!!", "☃☃ 退货", "退货退货退货", "iPhone14 屏幕坏了",
         "等了一周了还没到，太失望了，再也不会买了 [12]", "\x00控制", "😡😡😡"]


def _strings(model: TfidfSentiment, texts) -> np.ndarray:
    crow, ids, val = tfidf_rows((model._grams(normalize_text(t)) for t in texts), model.vocabulary_, model.idf_)
    return softmax(_sparse_dot(crow, ids, val, model.coef_) + model.intercept_)


def _same(model: TfidfSentiment, texts) -> None:
    want = _strings(model, texts)
    for got in (model.predict_proba(texts), pickle.loads(pickle.dumps(model)).predict_proba(texts)):
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()


def test_a_fitted_baseline_reads_the_rows_of_its_gram_strings():
    labels = ["neutral", "neutral", "positive", "positive", "negative", "positive", "negative", "negative", "negative",
              "negative", "neutral", "negative"]
    model = TfidfSentiment(min_df=1, epochs=5).fit(TEXTS, labels)
    _same(model, TEXTS + ["没见过的字 龘", "退"])
    assert "_index" not in pickle.loads(pickle.dumps(model)).__dict__  # another process builds its own


@pytest.mark.skipif(not (ROOT / "models/zh-cs-sentiment/wide").is_dir(), reason="the shipped wide part is not here")
def test_the_shipped_wide_part_reads_the_sample_turns_as_the_strings_do():
    model = TfidfSentiment.load(ROOT / "models/zh-cs-sentiment/wide")
    texts = [json.loads(line).get("text") or "" for f in sorted((ROOT / "data/sample").glob("*.jsonl"))
             for line in f.read_text(encoding="utf-8").splitlines() if line.strip().startswith("{")]
    assert len(texts) > 1000
    _same(model, TEXTS + texts)
