"""The transformer wrapper's own behaviour, the shipped model, data splits and the tokenizer."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models.data import CLASSES, domain_of, normalize_text, split_of
from models.sentiment import SentimentClassifier, fit_temperature, load_sentiment_model

SHIPPED = Path(__file__).resolve().parents[2] / "models" / "zh-cs-sentiment"


@pytest.fixture(scope="module")
def shipped():
    return load_sentiment_model(SHIPPED)


def test_shipped_model_loads_offline_with_its_id(shipped):
    meta = json.loads((SHIPPED / "zhijian.json").read_text(encoding="utf-8"))
    assert shipped.model_id == f"{meta['name']}@{meta['version']}" == "zh-cs-sentiment@3"
    assert shipped.classes_ == CLASSES
    assert sum(f.stat().st_size for f in SHIPPED.iterdir()) < 30 * 2**20


def test_default_model_is_the_shipped_directory(monkeypatch):
    """models/ does not read the pipeline's settings: the pipeline passes settings.sentiment_model in."""
    monkeypatch.setenv("ZHIJIAN_SENTIMENT_MODEL", "/nowhere/else")
    from models.loader import SHIPPED_MODEL_DIR

    assert SHIPPED_MODEL_DIR == SHIPPED
    assert load_sentiment_model().model_id == "zh-cs-sentiment@3"


@pytest.mark.parametrize("text,label", [
    ("怎么还没发货啊，都三天了", "negative"),
    ("质量太差了，我要退货", "negative"),
    ("你们这什么破服务，投诉！", "negative"),
    ("请问这个有红色的吗", "neutral"),
    ("什么时候能发货", "neutral"),
    ("谢谢亲，很满意", "positive"),
    ("物流很快，包装也好，好评", "positive"),
    ("真的是很棒的服務，謝謝", "positive"),  # traditional characters are normalised
])
def test_shipped_model_gets_obvious_examples_right(shipped, text, label):
    assert shipped.predict([text]) == [label]


def test_shipped_model_batches_keep_input_order(shipped):
    texts = ["好", "质量太差了，我要退货，再也不买了，什么垃圾", "", "谢谢亲，很满意"]
    batch = shipped.predict_proba(texts)
    one_by_one = np.vstack([shipped.predict_proba([t]) for t in texts])
    # int8 quantises activations per batch, so batch-mates move probabilities a little (< 0.01)
    np.testing.assert_allclose(batch, one_by_one, atol=0.01)
    assert list(batch.argmax(1)) == list(one_by_one.argmax(1))
    np.testing.assert_allclose(batch.sum(1), 1.0, atol=1e-5)


def test_missing_model_directory_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_sentiment_model(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="train-sentiment"):
        load_sentiment_model(tmp_path)


def test_fit_needs_a_base():
    with pytest.raises(ValueError, match="base="):
        SentimentClassifier().fit(["好"], ["positive"])


def test_temperature_scaling_recovers_the_temperature():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 2, size=(4000, 3))
    p = np.exp(true_logits) / np.exp(true_logits).sum(1, keepdims=True)
    labels = np.array([rng.choice(3, p=row) for row in p])
    t = fit_temperature(true_logits * 3.0, labels)  # over-confident logits: T should come out near 3
    assert 2.5 < t < 3.6


def test_calibration_is_stored_with_the_model(tiny_base, corpus, tmp_path):
    texts, labels = corpus
    clf = SentimentClassifier(base=str(tiny_base), epochs=2, batch_size=16, max_length=32).fit(
        texts, labels, validation=(texts[:15], labels[:15]))
    clf.save(tmp_path)
    meta = json.loads((tmp_path / "zhijian.json").read_text(encoding="utf-8"))
    assert meta["temperature"] == clf.temperature_ and meta["n_calibration"] == 15
    assert (tmp_path / "model.safetensors").exists()


def test_splits_and_domains_are_deterministic():
    assert split_of("快递三天了还没到") == split_of("快递三天了还没到")
    shares = [split_of(f"文本{i}") for i in range(5000)]
    assert abs(shares.count("train") / 5000 - 0.8) < 0.03
    assert domain_of("笔记本电脑的屏幕很亮，键盘手感好") == "electronics"
    assert domain_of("酒店房间干净，前台热情") == "hotel"
    assert domain_of("今天天气不错") == "other"


def test_normalize_text_folds_width_and_traditional():
    assert normalize_text("ＯＫ！  服務  沒問題") == "OK! 服务 没问题"


def test_char_tokenizer_loads_with_autotokenizer(tmp_path):
    from transformers import AutoTokenizer

    from models.tokenizer import build_tokenizer

    build_tokenizer(["发货太慢了", "hello 发货"], tmp_path, min_count=1)
    tok = AutoTokenizer.from_pretrained(str(tmp_path))
    assert tok.tokenize("发货慢") == ["发", "货", "慢"]
    assert tok.unk_token not in tok.tokenize("hello")


def test_fit_max_seconds_cuts_the_step_count(tiny_base, corpus):
    """The CPU budget's fine-tune cap: after 20 timed steps the run is cut to what fits (at least 40)."""
    texts, labels = corpus
    clf = SentimentClassifier(base=tiny_base, epochs=60, batch_size=4, calibrate=False, max_seconds=1e-6)
    clf.fit(texts, labels)
    assert clf.meta_["finetune_steps"] == 40
    uncapped = SentimentClassifier(base=tiny_base, epochs=1, batch_size=4, calibrate=False).fit(texts, labels)
    assert uncapped.meta_["finetune_steps"] == 15


def test_fit_wide_picks_a_weight_on_validation_and_calibrates_where_told(tiny_base, corpus):
    import numpy as np

    from models.data import CLASSES
    from models.sentiment import fit_temperature

    texts, labels = corpus
    clf = SentimentClassifier(base=tiny_base, epochs=1, batch_size=8).fit(texts, labels)
    val, cal = (texts[:12], labels[:12]), (texts[12:20], labels[12:20])
    clf.fit_wide(texts, labels, validation=val, weights=[0.0, 1.0, 4.0], calibration=cal)
    assert clf.wide_weight_ in (0.0, 1.0, 4.0) and set(clf.meta_["wide_scores"]) == {"0.0", "1.0", "4.0"}
    expected = fit_temperature(clf.decision_function(cal[0]), np.array([CLASSES.index(l) for l in cal[1]]))
    assert clf.temperature_ == expected and clf.meta_["n_calibration"] == 8
    clf.fit_wide(texts, labels, validation=val, weights=[1.0])  # no calibration set: validation calibrates
    assert clf.temperature_ == fit_temperature(clf.decision_function(val[0]),
                                               np.array([CLASSES.index(l) for l in val[1]]))


def test_steps_that_fit_re_times_a_capped_run_both_ways():
    from models.sentiment import steps_that_fit

    # 20 slow steps (2 s each) in a 1,000 s budget: 500 fit; then the pace improves to 1 s a step over
    # the first 100, so the plan grows again — but never past what was asked, nor below the floor.
    assert steps_that_fit(20, 40.0, 1000.0, 12000, 21) == 500
    assert steps_that_fit(100, 100.0, 1000.0, 12000, 21) == 1000
    assert steps_that_fit(100, 10.0, 1000.0, 600, 21) == 600
    assert steps_that_fit(20, 1e6, 1000.0, 600, 40) == 40
    assert steps_that_fit(400, 1e6, 1000.0, 600, 21) == 401  # never behind the steps already run
    assert steps_that_fit(50, 10.0, 1000.0, 600, 21) is None  # only at the re-planning steps
    assert steps_that_fit(20, 10.0, None, 600, 21) is None  # no cap


def test_mask_tokens_hides_only_real_tokens(tiny_base):
    import torch
    from transformers import AutoTokenizer

    from models.sentiment import mask_tokens

    tok = AutoTokenizer.from_pretrained(str(tiny_base))
    enc = tok(["怎么还没发货啊，都三天了"] * 200, padding="max_length", max_length=20, return_tensors="pt")
    masked = mask_tokens(enc["input_ids"], tok, 0.3, torch.Generator().manual_seed(0))
    special = torch.isin(enc["input_ids"], torch.tensor(tok.all_special_ids))
    assert torch.equal(masked[special], enc["input_ids"][special])  # [CLS] [SEP] [PAD] untouched
    hit = (masked != enc["input_ids"])
    assert (masked[hit] == tok.mask_token_id).all()
    assert 0.25 < hit.sum().item() / (~special).sum().item() < 0.35
    assert torch.equal(mask_tokens(enc["input_ids"], tok, 0.0, torch.Generator()), enc["input_ids"])
