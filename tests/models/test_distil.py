"""Distillation (models/distil.py) on a tiny BERT with a wide part: the teacher's layers, never a measured text."""
from __future__ import annotations

import json

import numpy as np
import pytest

from models import distil as D
from models import onnx_encoder
from models.base import CLASSES
from models.data import Example, SentimentData, _loose
from models.sentiment import SentimentClassifier

from .conftest import LABELS, TEXTS, tiny_wide_classifier


@pytest.fixture(scope="module")
def tiny_teacher(tiny_base, corpus, tmp_path_factory):
    """A tiny classifier shaped like the shipped one (2 layers here): encoder + wide part + temperature, int8."""
    return tiny_wide_classifier(tiny_base, corpus, tmp_path_factory.mktemp("tiny-teacher"), temperature=2.0)


def _logits(model_dir, texts):
    return SentimentClassifier.load(model_dir, quantize=False, backend="transformers")._encoder_logits(texts)


def test_a_student_with_every_layer_is_the_teacher_and_fewer_layers_are_the_teachers_own(tiny_teacher, tmp_path):
    from safetensors.torch import load_file

    same = D.student_from_teacher(tiny_teacher, tmp_path / "same", [0, 1])
    np.testing.assert_allclose(_logits(same, TEXTS), _logits(tiny_teacher, TEXTS), atol=1e-6)
    one = D.student_from_teacher(tiny_teacher, tmp_path / "one", [1])
    assert json.loads((one / "config.json").read_text())["num_hidden_layers"] == 1
    teacher, student = load_file(str(tiny_teacher / "model.safetensors")), load_file(str(one / "model.safetensors"))
    for key, value in student.items():
        source = key.replace("encoder.layer.0.", "encoder.layer.1.")
        assert np.array_equal(value.numpy(), teacher[source].numpy()), key
    assert not any(".layer.1." in k for k in student)
    with pytest.raises(ValueError, match=r"layers 0 … 1"):
        D.student_from_teacher(tiny_teacher, tmp_path / "bad", [0, 2])


def test_length_batches_cover_every_text_once_and_pad_little():
    lengths = np.array([5, 120, 6, 118, 7, 119, 8, 117] * 25)
    batches = D.length_batches(lengths, 8, np.random.default_rng(0), pool=5)
    seen = np.concatenate(batches)
    assert sorted(seen.tolist()) == list(range(len(lengths)))
    assert all(len(b) <= 8 for b in batches)
    # sorted within pools of 40 texts: at most the one batch at each pool's short/long boundary mixes them
    mixed = sum(lengths[b].max() - lengths[b].min() > 10 for b in batches)
    assert mixed <= len(lengths) // 40


def test_measured_texts_read_tsv_cells_and_json_strings(tmp_path):
    (tmp_path / "data" / "heldout").mkdir(parents=True)
    (tmp_path / "data" / "heldout" / "turns.tsv").write_text("prev_agent\ttext\n在的亲\t快递怎么还不到\n", encoding="utf-8")
    (tmp_path / "tests" / "golden" / "set").mkdir(parents=True)
    (tmp_path / "tests" / "golden" / "set" / "c.json").write_text(
        json.dumps({"messages": [{"text": "衣服有\"线头\"，退了吧"}]}, ensure_ascii=False), encoding="utf-8")
    got = D.measured_texts(tmp_path, ("data/heldout/*.tsv", "tests/golden/**/*.json"))
    assert {"快递怎么还不到", "在的亲"} <= got
    assert any("线头" in t and "退了吧" in t for t in got)


def test_transfer_set_labels_chat_only_and_keeps_measured_texts_out():
    data = SentimentData(
        reviews=[Example("酒店很干净早餐好吃", "positive", "reviews", "hotel"),
                 Example("测试集的评论不进来", "negative", "reviews", "hotel", "test")],
        chat=[Example("怎么还没发货", "negative", "chat"), Example("快递怎么还不到", "negative", "chat"),
              Example("验证集的句子", "neutral", "chat", "chat", "validation")],
        written=[Example("手感很好推荐", "positive", "written", "other")],
        unlabelled=["今天天气很好啊", "短", "这一句太长了" * 20, "我们明天去公园吧", "快递怎么还不到"])
    texts, labels = D.transfer_set(data, unlabelled=1, max_chars=64, blocked={"快递怎么还不到"})
    assert dict(zip(texts, labels)) == {"酒店很干净早餐好吃": None, "怎么还没发货": "negative", "手感很好推荐": None,
                                        texts[-1]: None}
    assert texts[-1] in ("今天天气很好啊", "我们明天去公园吧")  # one unlabelled sentence, by hash


def test_training_pulls_a_student_that_starts_off_towards_the_teachers_probabilities(tiny_teacher, tmp_path):
    import torch
    from safetensors.torch import load_file, save_file

    from models.adapt import _wide_offsets

    start = D.student_from_teacher(tiny_teacher, tmp_path / "start", [1])
    weights = load_file(str(start / "model.safetensors"))
    weights["classifier.weight"] = weights["classifier.weight"] + torch.randn(weights["classifier.weight"].shape,
                                                                              generator=torch.Generator().manual_seed(0))
    save_file(weights, str(start / "model.safetensors"), metadata={"format": "pt"})
    teacher = SentimentClassifier.load(tiny_teacher, quantize=False, backend="transformers")
    targets = teacher.predict_proba(TEXTS)
    hard = np.full(len(TEXTS), -1)
    settings = dict(D.DISTIL_DEFAULTS, epochs=40, learning_rate=3e-3, batch_size=8, cpu_budget=0)
    model, steps = D.train_student(start, list(TEXTS), targets, hard, _wide_offsets(teacher, list(TEXTS)),
                                   teacher.temperature_, settings, log=lambda _: None)
    assert steps == 2 * 40
    trained, off = (SentimentClassifier.load(tiny_teacher, quantize=False, backend="transformers") for _ in "ab")
    trained.model_ = model  # the teacher's wide part and temperature, the student's encoder
    off.model_ = SentimentClassifier.load(start, quantize=False, backend="transformers").model_
    gap = lambda clf: float(np.abs(clf.predict_proba(TEXTS) - targets).mean())  # noqa: E731
    assert gap(trained) < 0.5 * gap(off)


def test_chat_texts_and_their_character_dropped_copies_join_the_transfer_set_unless_measured():
    data = SentimentData(chat=[Example("怎么还没发货啊都三天了", "negative", "chat"), Example("快递怎么还不到", "negative", "chat")])
    texts, labels = D.transfer_set(data, unlabelled=0, max_chars=64, blocked={"快递怎么还不到"},
                                   chat=["请问可以开发票吗", "快递怎么还不到", "好"], augment=2, drop_rate=0.3)
    assert texts[:3] == ["怎么还没发货啊都三天了", "请问可以开发票吗", "好"] and labels[:3] == ["negative", None, None]
    copies = texts[3:]
    assert 2 <= len(copies) <= 4 and all(l is None for l in labels[3:])
    def inside(short, long):  # the characters of ``short`` appear in ``long`` in order
        it = iter(long)
        return all(ch in it for ch in short)

    # every copy comes from a kept chat text (never from the measured one), with characters left out
    assert all(any(len(c) < len(src) and inside(c, src) for src in texts[:2]) for c in copies)
    assert D.drop_characters("怎么还没发货", 0.3, 1) == D.drop_characters("怎么还没发货", 0.3, 1)


def test_chat_register_texts_read_tsv_text_columns_and_customer_messages(tmp_path):
    (tmp_path / "t.tsv").write_text("prev_agent\ttext\tsentiment\n在的亲\t没有了\tneutral\n", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(json.dumps({"role": "agent", "text": "您好"}, ensure_ascii=False) + "\n"
                                      + json.dumps({"role": "customer", "text": "发货了吗"}, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    assert D.chat_register_texts(tmp_path, ("*.tsv", "*.jsonl")) == ["没有了", "发货了吗"]


def test_distil_saves_a_loadable_student_with_its_lineage(tiny_teacher, tmp_path, monkeypatch):
    import models.data

    chat = [Example(t, l, "chat") for t, l in zip(TEXTS, LABELS)]
    data = SentimentData(chat=chat + [Example(t, l, "chat", "chat", "validation") for t, l in zip(TEXTS, LABELS)],
                         unlabelled=["我们明天去公园吧", "这个颜色还挺好看", "发票开好了吗", "东西收到了，谢谢"])
    monkeypatch.setattr(models.data, "load_data", lambda cache_dir=None: data)
    monkeypatch.setattr(D, "measured_texts", lambda: {_loose("东西收到了，谢谢")})
    monkeypatch.setattr(D, "chat_register_texts", lambda: ["亲，快递到哪了"])
    teacher = SentimentClassifier.load(tiny_teacher)
    report = D.distil(tiny_teacher, tmp_path / "student", keep_layers=[1], epochs=30, learning_rate=3e-3,
                      batch_size=8, cpu_budget=0, augment=0, log=lambda _: None)
    student = SentimentClassifier.load(tmp_path / "student")
    assert student.model_id == "tiny-sentiment@3" and report["model_id"] == "tiny-sentiment@3"
    assert (tmp_path / "student" / onnx_encoder.SHIPPED_FILE).is_file() and student.backend_ == "onnxruntime"
    assert json.loads((tmp_path / "student" / "config.json").read_text())["num_hidden_layers"] == 1
    meta = json.loads((tmp_path / "student" / "zhijian.json").read_text())
    assert meta["distillation"]["distilled_from"] == "tiny-sentiment@2"
    assert meta["distillation"]["transfer_texts"] == len(TEXTS) + 1 + 3  # the measured sentence is kept out
    assert meta["wide_weight"] == teacher.wide_weight_ and (tmp_path / "student" / "wide").is_dir()
    assert student.temperature_ == teacher.temperature_ == 2.0  # the teacher's, not refitted
    assert set(report["metrics"]) >= {"chat_validation_macro_f1"} and report["agreement"]["n"] == len(TEXTS)  # the validation turns
    assert student.predict_proba(TEXTS).shape == (len(TEXTS), len(CLASSES))


def test_init_goes_on_from_an_earlier_student_not_from_the_teachers_layers(tiny_teacher, tmp_path, monkeypatch):
    import models.data

    chat = [Example(t, l, "chat") for t, l in zip(TEXTS, LABELS)]
    data = SentimentData(chat=chat + [Example(t, l, "chat", "chat", "validation") for t, l in zip(TEXTS, LABELS)],
                         unlabelled=["我们明天去公园吧", "这个颜色还挺好看"])
    monkeypatch.setattr(models.data, "load_data", lambda cache_dir=None: data)
    monkeypatch.setattr(D, "measured_texts", lambda: set())
    monkeypatch.setattr(D, "chat_register_texts", lambda: ["亲，快递到哪了"])
    quiet = dict(keep_layers=[1], batch_size=8, cpu_budget=0, augment=0, log=lambda _: None)
    D.distil(tiny_teacher, tmp_path / "first", epochs=30, learning_rate=3e-3, **quiet)
    # learning rate 0: the saved weights are the starting ones, so they show where training started
    again = D.distil(tiny_teacher, tmp_path / "again", epochs=1, learning_rate=0.0, init=tmp_path / "first", **quiet)
    fresh = D.distil(tiny_teacher, tmp_path / "fresh", epochs=1, learning_rate=0.0, **quiet)
    first, teacher_layer = _logits(tmp_path / "first", TEXTS), _logits(tmp_path / "fresh", TEXTS)
    np.testing.assert_allclose(_logits(tmp_path / "again", TEXTS), first, atol=1e-5)
    assert not np.allclose(teacher_layer, first, atol=1e-3)  # the first run moved away from the teacher's layer 1
    assert again["settings"]["init"] == str(tmp_path / "first") and "init" not in fresh["settings"]


def test_boundary_weights_raise_the_texts_the_teacher_reads_near_a_boundary():
    targets = np.array([[0.98, 0.01, 0.01], [0.5, 0.5, 0.0], [0.6, 0.3, 0.1]])
    np.testing.assert_allclose(D.boundary_weights(targets, 1.0), [1.03, 2.0, 1.7])
    np.testing.assert_allclose(D.boundary_weights(targets, 0.0), [1.0, 1.0, 1.0])


def _states(model_dir, texts, tokenizer_dir=None):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir or model_dir))
    batch = tokenizer(list(texts), padding=True, return_tensors="pt")
    model = AutoModelForSequenceClassification.from_pretrained(str(model_dir)).eval()
    with torch.no_grad():
        return model(**batch, output_hidden_states=True).hidden_states, batch["attention_mask"]


def test_hidden_loss_compares_each_layer_with_its_teacher_layer_over_real_tokens_only(tiny_teacher, tmp_path):
    teacher, mask = _states(tiny_teacher, TEXTS)
    same, _ = _states(D.student_from_teacher(tiny_teacher, tmp_path / "same", [0, 1]), TEXTS)
    assert float(D.hidden_loss(same, teacher, [0, 1], mask)) < 1e-10
    one, _ = _states(D.student_from_teacher(tiny_teacher, tmp_path / "one", [1]), TEXTS)
    gap = float(D.hidden_loss(one, teacher, [1], mask))
    assert gap > 1e-4
    padded = [h.clone() for h in one]
    padded[-1][mask == 0] += 100.0  # padding positions: no text there, no loss
    assert (mask == 0).any() and float(D.hidden_loss(padded, teacher, [1], mask)) == pytest.approx(gap)


def test_training_with_the_hidden_loss_pulls_the_students_layers_towards_the_teachers(tiny_teacher, tmp_path):
    from models.adapt import _wide_offsets

    import torch
    from safetensors.torch import load_file, save_file

    start = D.student_from_teacher(tiny_teacher, tmp_path / "start", [1])
    weights = load_file(str(start / "model.safetensors"))  # the kept layer knocked off the teacher's
    noise = torch.Generator().manual_seed(0)
    for key in [k for k in weights if ".layer.0." in k and k.endswith("weight") and "LayerNorm" not in k]:
        weights[key] = weights[key] + 0.3 * torch.randn(weights[key].shape, generator=noise)
    save_file(weights, str(start / "model.safetensors"), metadata={"format": "pt"})
    teacher = SentimentClassifier.load(tiny_teacher, quantize=False, backend="transformers")
    targets = teacher.predict_proba(TEXTS)
    settings = dict(D.DISTIL_DEFAULTS, keep_layers=[1], epochs=30, learning_rate=3e-3, batch_size=8, cpu_budget=0,
                    hidden_weight=1.0)
    model, _ = D.train_student(start, list(TEXTS), targets, np.full(len(TEXTS), -1),
                               _wide_offsets(teacher, list(TEXTS)), teacher.temperature_, settings,
                               log=lambda _: None, teacher_dir=tiny_teacher)
    model.save_pretrained(str(tmp_path / "trained"))
    teacher_states, mask = _states(tiny_teacher, TEXTS)
    before = float(D.hidden_loss(_states(start, TEXTS)[0], teacher_states, [1], mask))
    after = float(D.hidden_loss(_states(tmp_path / "trained", TEXTS, start)[0], teacher_states, [1], mask))
    assert after < 0.5 * before


def test_hard_weight_0_is_pure_distillation_the_human_labels_move_nothing(tiny_teacher, tmp_path):
    """``--hard-weight 0`` (the third try): the same student whatever the labels; with a weight, labels move it."""
    import torch

    from models.adapt import _wide_offsets

    start = D.student_from_teacher(tiny_teacher, tmp_path / "start", [1])
    teacher = SentimentClassifier.load(tiny_teacher, quantize=False, backend="transformers")
    targets = teacher.predict_proba(TEXTS)
    offsets = _wide_offsets(teacher, list(TEXTS))
    against = np.argmin(targets, axis=1)  # every text labelled with the class the teacher finds least likely
    unlabelled = np.full(len(TEXTS), -1)

    def trained(hard, weight):
        settings = dict(D.DISTIL_DEFAULTS, keep_layers=[1], epochs=3, learning_rate=3e-3, batch_size=8,
                        cpu_budget=0, hidden_weight=0.0, hard_weight=weight)
        model, _ = D.train_student(start, list(TEXTS), targets, hard, offsets, teacher.temperature_, settings,
                                   log=lambda _: None)
        return model.state_dict()

    same = lambda a, b: all(torch.equal(a[k], b[k]) for k in a)  # noqa: E731
    assert same(trained(against, 0.0), trained(unlabelled, 0.0))
    assert not same(trained(against, 0.5), trained(unlabelled, 0.5))


def test_the_command_line_passes_hard_weight_0_through_not_the_default(monkeypatch):
    seen = {}
    monkeypatch.setattr(D, "distil", lambda *a, **kw: seen.update(kw) or {})
    D.main(["--out", "unused", "--hard-weight", "0"])
    assert seen["hard_weight"] == 0.0  # 0, not None: distil keeps it over DISTIL_DEFAULTS' 0.2


def test_validation_agreement_reads_the_chat_and_all_validation_texts_only():
    class Fixed:  # P(negative) by whether the text is a chat turn
        def __init__(self, chat_neg):
            self.chat_neg = chat_neg

        def predict_proba(self, texts):
            return np.array([[self.chat_neg, 1 - self.chat_neg, 0.0] if t.startswith("c") else [0.1, 0.2, 0.7]
                             for t in texts])

    data = SentimentData(reviews=[Example("r-val", "positive", "reviews", domain="product", split="validation"),
                                  Example("r-test", "positive", "reviews", split="test")],
                         chat=[Example("c-val", "negative", "chat", split="validation"),
                               Example("c-train", "negative", "chat", split="train")])
    found = D.validation_agreement(Fixed(0.9), Fixed(0.3), data)
    assert found["chat_validation"]["n"] == 1 and found["all_validation"]["n"] == 2
    assert found["chat_validation"]["labels_differ"] == 1 and found["chat_validation"]["label_agreement"] == 0.0
    assert found["chat_validation"]["mean_abs_diff_negative"] == pytest.approx(0.6)
    assert found["all_validation"]["label_agreement"] == 0.5


def test_the_budget_counts_cpu_seconds_not_a_busy_machines_wall_clock(tiny_teacher, tmp_path, monkeypatch):
    """A wall clock that races (other jobs holding the cores) cuts no step; CPU seconds past the budget do."""
    from models.adapt import _wide_offsets

    start = D.student_from_teacher(tiny_teacher, tmp_path / "start", [1])
    teacher = SentimentClassifier.load(tiny_teacher, quantize=False, backend="transformers")
    texts = list(TEXTS) * 10  # 19 batches of 8 per epoch, 57 steps: the re-plan at step 20 applies
    args = (start, texts, teacher.predict_proba(texts), np.full(len(texts), -1), _wide_offsets(teacher, texts),
            teacher.temperature_)
    settings = dict(D.DISTIL_DEFAULTS, epochs=3, batch_size=8, cpu_budget=60.0, hidden_weight=0.0)
    wall = iter(range(0, 10**9, 100))
    monkeypatch.setattr(D.time, "time", lambda: float(next(wall)))  # 100 s of wall per call
    _, steps = D.train_student(*args, settings, log=lambda _: None)
    assert steps == 57
    cpu = iter(range(0, 10**9, 10))
    monkeypatch.setattr(D, "cpu_seconds", lambda: float(next(cpu)))  # 10 CPU s per call: 60 s fit ~6 steps
    _, steps = D.train_student(*args, settings, log=lambda _: None)
    assert steps < 57
