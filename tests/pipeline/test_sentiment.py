"""The sentiment stage: batched, customer messages with text only, text as shown."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.sentiment import annotate_sentiment, classify_texts, probabilities_to_sentiments
from tests.pipeline._scoring_fakes import FakeModel, conversation, msg


def test_one_call_for_many_conversations():
    convs = [conversation(f"c{i}") for i in range(50)]
    convs[0].messages.append(msg("c0", 4, "customer", "  ", minutes=9))
    model = FakeModel()
    annotate_sentiment(convs, model)
    assert model.calls == 1
    for c in convs:
        assert c.model_version == "fake-sentiment@1"
        for m in c.messages:
            assert (m.sentiment is not None) == (m.role == "customer" and bool(m.text.strip()))
    first = convs[0].messages[0].sentiment
    assert first.label == "negative" and abs(sum(first.scores.values()) - 1) < 1e-6


def test_batch_size_bounds_each_call():
    model = FakeModel()
    convs = [conversation(f"c{i}") for i in range(10)]
    for i, conv in enumerate(convs):  # distinct texts: repeated ones are classified once
        for m in conv.customer_messages:
            m.text += f" {i}"
    annotate_sentiment(convs, model, batch_size=7)
    assert model.calls == 3  # 20 distinct customer texts in chunks of 7


class RecordingModel(FakeModel):
    """Probabilities that depend on the text alone (its length and characters), and a log of every call."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[list[str]] = []

    def predict_proba(self, texts):
        self.seen.append(list(texts))
        rows = [[1.0 + len(t) % 5, 1.0 + sum(map(ord, t)) % 7, 1.0 + len(t) % 3] for t in texts]
        p = np.array(rows, dtype=float).reshape(len(texts), 3)
        return p / p.sum(axis=1, keepdims=True)


TEXTS = ["好的", "怎么还没发货啊，都三天了，到底什么时候发", "在吗", "好的", "谢谢", "质量太差了我要退货",
         "在吗", "好的", "这个尺码偏大吗，我平时穿M", "谢谢"]


def test_sorted_deduplicated_path_gives_the_plain_paths_probabilities_in_input_order():
    model = RecordingModel()
    got = classify_texts(model, TEXTS, batch_size=3)
    plain = probabilities_to_sentiments(model.classes_, RecordingModel().predict_proba(TEXTS))
    assert got == plain  # same labels and the very same (rounded) probabilities, text by text
    sent = [t for call in model.seen for t in call]
    assert sorted(sent) == sorted(set(TEXTS))  # each distinct text once
    assert [len(t) for t in sent] == sorted(len(t) for t in sent)  # one length order across all calls
    assert all(len(call) <= 3 for call in model.seen)


def test_repeated_texts_get_their_own_sentiment_objects():
    a, b = classify_texts(RecordingModel(), ["好的", "好的"])
    assert a == b and a is not b and a.scores is not b.scores
    before = b.label
    a.label = "relabelled"  # the customer-state layer relabels in place: the other turn keeps its label
    assert b.label == before


def test_model_with_other_class_order():
    class Reordered(FakeModel):
        classes_ = ("positive", "negative", "neutral")

        def predict_proba(self, texts):
            return np.array([[0.7, 0.2, 0.1]] * len(texts))

    (s,) = classify_texts(Reordered(), ["好"])
    assert s.label == "positive" and s.scores == {"negative": 0.2, "neutral": 0.1, "positive": 0.7}


def test_wrong_classes_or_shape_is_an_error():
    class Odd(FakeModel):
        classes_ = ("bad", "good", "meh")

    with pytest.raises(ValueError, match="classes"):
        classify_texts(Odd(), ["x"])

    class Short(FakeModel):
        def predict_proba(self, texts):
            return np.zeros((1, 3))

    with pytest.raises(ValueError, match="shape"):
        classify_texts(Short(), ["x", "y"])


def _per_row(classes, proba):
    """probabilities_to_sentiments as it was written first: numpy scalars row by row."""
    from pipeline.conversation import SENTIMENT_LABELS, Sentiment

    out = []
    for row in proba:
        scores = {label: 0.0 for label in SENTIMENT_LABELS}
        for label, p in zip(classes, row):
            scores[label] = round(float(p), 4)
        out.append(Sentiment(label=classes[int(np.argmax(row))], scores=scores))
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("classes", [("negative", "neutral", "positive"), ("positive", "negative", "neutral")])
def test_probabilities_become_the_sentiments_of_the_row_by_row_reading(dtype, classes):
    rng = np.random.default_rng(3)
    proba = rng.dirichlet([1, 1, 1], size=200).astype(dtype)
    proba[:5] = [[0.4, 0.4, 0.2], [1 / 3, 1 / 3, 1 / 3], [0.2, 0.4, 0.4], [0.0, 0.0, 1.0], [0.12345, 0.5, 0.37655]]  # ties
    got, want = probabilities_to_sentiments(classes, proba), _per_row(list(classes), proba)
    assert got == want
    assert all(list(g.scores) == list(w.scores) for g, w in zip(got, want))  # the same key order in the results
    assert probabilities_to_sentiments(classes, np.zeros((0, 3))) == []


def test_sentiment_fields_are_the_ones_classify_texts_copies():
    """classify_texts copies a repeated text's Sentiment field by field (pipeline.sentiment): a new field must be
    copied there too."""
    from dataclasses import fields

    from pipeline.conversation import Sentiment

    assert [f.name for f in fields(Sentiment)] == ["label", "scores", "model_label"]
