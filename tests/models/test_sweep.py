"""The recipe sweep: variants fine-tune from one base and are scored alike (tiny model, seconds)."""
from __future__ import annotations

import json

from models.data import Example, SentimentData
from models.sweep import VARIANTS, finish, run_variant, variant_data


def tiny_data(corpus) -> SentimentData:
    texts, labels = corpus
    chat = [Example(text=f"{t}{i}", label=l, source="chat", split=s)
            for i, s in enumerate(["train", "train", "validation", "test"]) for t, l in zip(texts[:15], labels[:15])]
    reviews = [Example(text=f"{t}{i}", label=l, source="reviews", domain="hotel", split=s)
               for i, s in enumerate(["train", "validation", "test"]) for t, l in zip(texts[:15], labels[:15])
               if l != "neutral"]
    written = [Example(text=f"写的{t}{i}", label=l, source="written", domain="hotel", split=s)
               for i, s in enumerate(["train", "validation"]) for t, l in zip(texts[:15], labels[:15])
               if l != "neutral"]
    return SentimentData(reviews=reviews, chat=chat, written=written)


def test_variant_data_drops_written_reviews_without_touching_the_source(corpus):
    data = tiny_data(corpus)
    d = variant_data(data, VARIANTS["v1-recipe"], log=lambda m: None)
    assert d.written == [] and data.written
    assert all(e.source != "written" for e in d.training_examples("train"))


def test_run_variant_and_finish_give_a_loadable_model(tiny_base, corpus, tmp_path):
    from models.sentiment import SentimentClassifier

    data = tiny_data(corpus)
    spec = dict(VARIANTS["written-mask"], epochs=1)
    clf, metrics, _ = run_variant(tiny_base, data, spec, seed=1, device="cpu", log=lambda m: None)
    assert {"selection_score", "written_validation_acc", "reviews_test_acc", "chat_test_macro_f1"} <= set(metrics)
    assert clf.token_mask_prob == spec["mask"]
    clf.meta_["sweep"] = {"spec": spec, "metrics": metrics}
    clf.save(tmp_path / "written-mask")
    # finish() re-reads the project's data; point it at the same tiny set instead.
    import models.sweep as sweep

    original = sweep.load_data
    sweep.load_data = lambda cache_dir=None, extra_corpora=True: data
    try:
        meta = finish(tmp_path / "written-mask", tmp_path / "done", log=lambda m: None)
    finally:
        sweep.load_data = original
    assert meta["settings"]["sweep_variant"] == "written-mask" and meta["settings"]["mask"] == spec["mask"]
    loaded = SentimentClassifier.load(tmp_path / "done")
    assert loaded.predict(["质量不错，好评"])[0] in ("negative", "neutral", "positive")
    assert json.loads((tmp_path / "done" / "zhijian.json").read_text(encoding="utf-8"))["wide_weight"] >= 0
