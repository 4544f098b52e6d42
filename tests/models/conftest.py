"""Fixtures: a tiny local BERT (2 small layers, char tokenizer) so transformer tests need no hub and no minutes."""
from __future__ import annotations

import pytest

TEXTS = [
    "怎么还没发货啊，都三天了", "质量太差了，我要退货", "你们客服是死人吗", "垃圾东西，再也不买了", "等了一个星期还没到",
    "请问这个有红色的吗", "什么时候发货", "好的", "尺码偏大吗", "能开发票吗",
    "谢谢亲，很满意", "太棒了，下次还来买", "物流很快，包装也好", "客服态度真好", "质量不错，好评",
]
LABELS = ["negative"] * 5 + ["neutral"] * 5 + ["positive"] * 5


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory):
    from transformers import BertConfig, BertForMaskedLM

    from models.tokenizer import build_tokenizer

    out = tmp_path_factory.mktemp("tiny-bert")
    tok = build_tokenizer(TEXTS, out, min_count=1)
    config = BertConfig(vocab_size=len(tok), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64)
    BertForMaskedLM(config).save_pretrained(str(out))
    return out


@pytest.fixture(scope="session")
def corpus():
    return list(TEXTS) * 4, list(LABELS) * 4


def tiny_wide_classifier(tiny_base, corpus, out, temperature: float | None = None):
    """A tiny classifier shaped like the shipped one (encoder + wide part + temperature, int8), saved in
    `out`: what adaptation and distillation start from. `temperature`: set instead of the fitted one."""
    from models.sentiment import SentimentClassifier

    texts, labels = corpus
    clf = SentimentClassifier(base=str(tiny_base), epochs=3, batch_size=16, learning_rate=3e-3, max_length=32,
                              calibrate=False).fit(texts, labels)
    clf.fit_wide(texts, labels, validation=(TEXTS, LABELS), weights=[1.0])
    if temperature is not None:
        clf.temperature_ = clf.meta_["temperature"] = temperature
    clf.meta_.update(name="tiny-sentiment", version=2, quantize=True)  # int8, as shipped
    return clf.save(out)


@pytest.fixture(autouse=True)
def private_onnx_cache(tmp_path, monkeypatch):
    """A model loaded here exports its ONNX encoder into a temporary cache, never the home directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
