"""The inference runtimes (torch module, ONNX Runtime) give the fitted model's own answers, in input order."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models import fast_encoder, onnx_encoder
from models.sentiment import SentimentClassifier

SHIPPED = Path(__file__).resolve().parents[2] / "models" / "zh-cs-sentiment"
TEXTS = ["好的", "怎么还没发货啊，都三天了，到底什么时候能发", "", "在吗", "好的", "谢谢亲，很满意", "質量太差了",
         "在吗", "请问这个有红色的吗，我想要大一码的，平时穿L", "  ", "好的"]


@pytest.fixture(scope="module")
def tiny_model_dir(tiny_base, corpus, tmp_path_factory):
    texts, labels = corpus
    clf = SentimentClassifier(base=str(tiny_base), epochs=3, batch_size=16, learning_rate=3e-3, max_length=32,
                              calibrate=False).fit(texts, labels)
    return clf.save(tmp_path_factory.mktemp("tiny-clf"))


@pytest.mark.parametrize("backend", ["torch", "onnxruntime"])
def test_fast_backends_give_the_transformers_logits(tiny_model_dir, backend):
    reference = SentimentClassifier.load(tiny_model_dir, quantize=False, backend="transformers")
    fast = SentimentClassifier.load(tiny_model_dir, quantize=False, backend=backend)
    assert fast.backend_ == backend and reference.backend_ == "transformers"
    np.testing.assert_allclose(fast.decision_function(TEXTS), reference.decision_function(TEXTS), atol=1e-4)


@pytest.mark.parametrize("backend", ["torch", "onnxruntime"])
def test_bucketed_deduplicated_path_equals_one_text_at_a_time(tiny_model_dir, backend):
    clf = SentimentClassifier.load(tiny_model_dir, quantize=False, backend=backend)
    clf.predict_batch_tokens, clf.predict_batch_size = 40, 3  # many small batches over mixed lengths
    together = clf.predict_proba(TEXTS)
    one_by_one = np.vstack([clf.predict_proba([t]) for t in TEXTS])
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)  # fp32: padding and batch-mates change nothing
    assert list(together.argmax(1)) == list(one_by_one.argmax(1))
    np.testing.assert_array_equal(together[0], together[4])  # a repeated text: encoded once, same row


def test_onnx_graph_gives_the_transformers_logits_with_tanh_gelu(tiny_model_dir, tmp_path):
    """The graph written from the weights (onnx_encoder.build_graph) follows the config's activation: the
    tanh GELU of ``gelu_new`` is not the erf one."""
    tanh_dir = tmp_path / "tanh-gelu"
    tanh_dir.mkdir()
    for f in tiny_model_dir.iterdir():
        if f.is_file() and f.name != onnx_encoder.SHIPPED_FILE:
            (tanh_dir / f.name).write_bytes(f.read_bytes())
    config = json.loads((tanh_dir / "config.json").read_text(encoding="utf-8"))
    (tanh_dir / "config.json").write_text(json.dumps({**config, "hidden_act": "gelu_new"}), encoding="utf-8")
    reference = SentimentClassifier.load(tanh_dir, quantize=False, backend="transformers")
    fast = SentimentClassifier.load(tanh_dir, quantize=False, backend="onnxruntime")
    np.testing.assert_allclose(fast.decision_function(TEXTS), reference.decision_function(TEXTS), atol=1e-4)
    ops = [n.op_type for n in onnx_encoder.build_graph(tanh_dir).graph.node]  # the tiny model's activations are
    assert "Erf" not in ops and ops.count("Tanh") == 2 + 1  # too small to tell the two GELUs by their logits


def test_plan_batches_covers_every_text_within_the_budget():
    lengths = np.array([3, 3, 4, 5, 9, 9, 20, 60, 128])
    plan = fast_encoder.plan_batches(lengths, max_tokens=24, max_texts=4)
    assert [i for s, e in plan for i in range(s, e)] == list(range(len(lengths)))
    for s, e in plan:
        assert e - s <= 4
        assert e - s == 1 or (e - s) * lengths[e - 1] <= 24  # a text longer than the budget goes alone


def test_exported_file_is_cached_and_reused(tiny_model_dir, monkeypatch):
    first = onnx_encoder.load_encoder(tiny_model_dir, threads=1, quantize=True, name="tiny")
    assert first.path.parent == onnx_encoder.cache_dir()

    def no_export(*_a, **_k):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_encoder, "export_encoder", no_export)
    again = onnx_encoder.load_encoder(tiny_model_dir, threads=1, quantize=True, name="tiny")
    ids, mask = fast_encoder.pad_batch([[2, 5, 6, 3], [2, 7, 3]], 0)
    assert again.path == first.path
    np.testing.assert_array_equal(again(ids, mask), first(ids, mask))


def test_a_file_from_other_weights_is_not_used(tiny_model_dir, tmp_path):
    stale = tmp_path / "stale-model"
    stale.mkdir()
    for f in tiny_model_dir.iterdir():
        if f.is_file():
            (stale / f.name).write_bytes(f.read_bytes())
    onnx_encoder.export_encoder(tiny_model_dir, stale / onnx_encoder.SHIPPED_FILE)
    config = json.loads((stale / "config.json").read_text(encoding="utf-8"))
    (stale / "config.json").write_text(json.dumps({**config, "retrained": 1}), encoding="utf-8")
    encoder = onnx_encoder.load_encoder(stale, threads=1, quantize=True, name="stale")
    assert encoder.path != stale / onnx_encoder.SHIPPED_FILE  # weights key differs: exported afresh


def test_shipped_model_carries_its_exported_encoder_and_keeps_its_labels():
    """The shipped int8 ONNX file matches the shipped weights and labels held-out-style turns as the
    fitted transformers model does (int8 rounding may move probabilities, not these labels)."""
    assert (SHIPPED / onnx_encoder.SHIPPED_FILE).is_file()
    shipped = SentimentClassifier.load(SHIPPED)
    assert shipped.backend_ == "onnxruntime" and shipped.encoder_.path == SHIPPED / onnx_encoder.SHIPPED_FILE
    texts = ["怎么还没发货啊，都三天了", "质量太差了，我要退货", "请问这个有红色的吗", "谢谢亲，很满意", "好的", "在吗",
             "物流很快，包装也好，好评", "你们这什么破服务，投诉！"]
    reference = SentimentClassifier.load(SHIPPED, quantize=False, backend="transformers")
    assert shipped.predict(texts) == reference.predict(texts)
    torch_int8 = SentimentClassifier.load(SHIPPED, backend="torch")
    assert torch_int8.predict(texts) == shipped.predict(texts)


def test_thread_defaults_follow_the_runtime(monkeypatch):
    from models.classifier import inference_threads

    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: set(range(2)))
    assert inference_threads(None, "torch") == 1 and inference_threads(None, "onnxruntime") == 2
    assert inference_threads(3, "torch") == 2  # a request is capped by the usable CPUs
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: set(range(16)))
    assert inference_threads(None, "torch") == 4 and inference_threads(None, "onnxruntime") == 4


def test_the_onnx_path_does_not_import_torch():
    """Loading and predicting with the shipped model on ONNX Runtime leaves torch unimported: importing
    it cost ~2 s of every `zhijian score` start-up, for nothing."""
    import subprocess
    import sys

    code = ("import sys; from models.loader import load_sentiment_model; m = load_sentiment_model(); "
            "m.predict(['好的']); print(m.backend_, 'torch' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    assert out.stdout.split() == ["onnxruntime", "False"], out.stderr[-2000:]


def test_last_layer_runs_for_cls_only_and_gives_the_full_layers_cls_row(tiny_model_dir):
    """The last layer's [CLS]-only pass (what the pooler reads) equals row 0 of the same layer run for every
    position, padding included; an earlier layer still returns every position."""
    import torch

    module = fast_encoder.load_module(tiny_model_dir)
    ids, mask = fast_encoder.pad_batch([[2, 5, 6, 3], [2, 7, 3], [2, 9, 8, 7, 6, 3]], 0)
    ids, mask = torch.from_numpy(ids), torch.from_numpy(mask)
    with torch.inference_mode():
        x = module.embed_norm(module.word(ids) + module.position(torch.arange(ids.shape[1])) + module.token_type.weight[0])
        keys = (mask > 0)[:, None, None, :]
        for layer in module.layers[:-1]:
            x = layer(x, keys)
            assert x.shape[1] == ids.shape[1]
        full, cls = module.layers[-1](x, keys), module.layers[-1](x, keys, cls_only=True)
    assert cls.shape == (3, 1, full.shape[2])
    torch.testing.assert_close(cls[:, 0], full[:, 0], atol=1e-5, rtol=1e-5)
