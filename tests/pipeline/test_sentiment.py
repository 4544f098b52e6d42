"""The sentiment stage: batched, customer messages with text only, text as shown."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.sentiment import annotate_sentiment, classify_texts
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
    annotate_sentiment([conversation(f"c{i}") for i in range(10)], model, batch_size=7)
    assert model.calls == 3  # 20 customer messages in chunks of 7


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
