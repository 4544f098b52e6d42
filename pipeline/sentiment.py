"""The sentiment stage: one batched model call over the customer messages of many conversations.

It classifies `Message.text` (the text as shown, after masking), not `Message.norm`:
the results file then agrees with `zhijian sentiment` run on the same lines, and the
model sees what it was trained on (raw chat turns). Fills `Message.sentiment` on
customer messages with non-empty text and `Conversation.model_version`; then the customer-state
hook (pipeline.customer_state) reads each turn with the agent's previous message: where that reading
differs, `Sentiment.label` is the context-read label and `Sentiment.model_label` the model's own (the
one `zhijian sentiment` prints); `scores` stay the model's probabilities.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from pipeline.conversation import SENTIMENT_LABELS, Conversation, Message, Sentiment


class SentimentModel(Protocol):
    classes_: Sequence[str]
    model_id: str

    def predict_proba(self, texts: list[str]) -> Any: ...


def needs_sentiment(m: Message) -> bool:
    return m.role == "customer" and bool(m.text and m.text.strip())


def probabilities_to_sentiments(classes: Sequence[str], proba: np.ndarray) -> list[Sentiment]:
    """Rows of class probabilities → Sentiment(label, scores) with every contract label present."""
    classes = [str(c) for c in classes]
    unknown = set(classes) - set(SENTIMENT_LABELS)
    if unknown:
        raise ValueError(f"sentiment model classes {classes} are not {list(SENTIMENT_LABELS)}")
    values = np.asarray(proba)
    if not len(values):
        return []
    # the values as Python floats and each row's argmax in one call each (tolist() gives float() of each value;
    # argmax along the rows picks each row's first maximum, as per row): a numpy scalar per value cost more than
    # the rounding, on the model thread whose Python shares the GIL with the run's thread
    out: list[Sentiment] = []
    for row, best in zip(values.tolist(), np.argmax(values, axis=1).tolist()):
        scores = dict.fromkeys(SENTIMENT_LABELS, 0.0)
        for label, p in zip(classes, row):
            scores[label] = round(p, 4)
        out.append(Sentiment(label=classes[best], scores=scores))
    return out


def classify_texts(model: SentimentModel, texts: list[str], batch_size: int = 2048) -> list[Sentiment]:
    """Classify texts, returned in input order.

    Each distinct text is classified once (chats repeat 好的 / 谢谢 / 在吗 a lot), and the distinct texts
    are sorted by length once for the whole call before they are cut into model calls of at most
    `batch_size` (which bounds the model's memory, not the call count): cut in conversation order,
    every chunk held a few long turns and the model padded the short ones to them.
    """
    position: dict[str, int] = {}
    inverse = [position.setdefault(t, len(position)) for t in texts]
    unique = sorted(position, key=len)
    rank = {t: i for i, t in enumerate(unique)}
    sentiments: list[Sentiment] = []
    for i in range(0, len(unique), batch_size):
        chunk = unique[i : i + batch_size]
        proba = np.asarray(model.predict_proba(chunk), dtype=float)
        if proba.shape != (len(chunk), len(model.classes_)):
            raise ValueError(f"predict_proba returned shape {proba.shape} for {len(chunk)} texts")
        sentiments.extend(probabilities_to_sentiments(model.classes_, proba))
    by_first_seen = [sentiments[rank[t]] for t in position]
    # a repeated text gets its own copy: later stages (customer state) relabel Message.sentiment in place. Made by
    # the constructor, not dataclasses.replace (~4x the cost, a call per customer message); the fields are pinned
    # by tests/pipeline/test_sentiment.py, so a new field of Sentiment cannot be dropped here unnoticed
    return [Sentiment(s.label, dict(s.scores), s.model_label) for s in map(by_first_seen.__getitem__, inverse)]


def annotate_sentiment(conversations: Sequence[Conversation], model: SentimentModel, batch_size: int = 2048) -> None:
    """Fill Message.sentiment for every customer message with text, across all conversations at once."""
    targets = [m for conv in conversations for m in conv.messages if needs_sentiment(m)]
    for m, sentiment in zip(targets, classify_texts(model, [m.text for m in targets], batch_size)):
        m.sentiment = sentiment
    for conv in conversations:
        conv.model_version = model.model_id
    # hook: the customer-state layer reads each turn with the agent's previous message (context-read
    # label, P(needs empathy)); ZHIJIAN_STATE_MODEL=off runs without it
    from pipeline.customer_state import annotate_state

    annotate_state(conversations)
