"""The customer-state layer: each customer turn read with the agent's previous message (issue 13).

Runs right after the sentiment model (a hook at the end of ``pipeline.sentiment.annotate_sentiment``,
so every path that fills sentiment — the nightly run, ``zhijian eval-rubric`` — gets it). For every
customer message that has a sentiment it fills ``Message.state`` (``CustomerState``: P(needs empathy),
the context-read polarity, the model id, the agent message it was read with) and, where the
context-read label differs from the sentiment model's, sets ``Sentiment.label`` to it and keeps the
model's own label in ``Sentiment.model_label`` (the model's probabilities stay in ``scores``).

So 没有了 after 还有什么可以帮您 is a neutral close, not a negative end; 好吧 after a refusal is
resignation; a calm defect report is negative but does not need empathy.

``ZHIJIAN_STATE_MODEL``: a model directory, or ``off`` to run without the layer (sentiment as before).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import numpy as np

from pipeline.conversation import SENTIMENT_LABELS, Conversation, CustomerState, Message

log = logging.getLogger(__name__)

_MODEL: dict[str, object] = {}

# the shipped model (models/state_recipe.py VERSION): what the criteria's default params pin, so that
# a criterion built without rubric params accepts the shipped model and refuses any other
SHIPPED_STATE_MODEL = "zh-cs-state@7"

# what the evidence calls the feeling, first match wins (evidence only: the decision is the model's)
KINDS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (name, re.compile(p))
    for name, p in (
        ("讽刺", r"呵呵|真行|真棒|好棒棒|神速|真有你的|谢谢你们的|可真|长见识|厉害了|[\"“].{1,6}[\"”]|🙂|\[微笑\]"),
        ("失望", r"失望|寒心|不会再|再也不|不回购|心凉|伤心|难过|后悔|望|唔抵"),
        ("无奈", r"算了|随便|但愿|不指望|认了|倒霉|只能|还能怎样|就这样吧|行吧|好吧|罢了|算數|算数"),
        ("担心", r"担心|怕|没底|不放心|慌|忐忑|不踏实|焦虑|万一|上次"),
        ("着急", r"急|催|多久|还没|还不|怎么还|在吗|人呢|[?？]{2,}|几天了|等了"),
        ("生气", r"气|火大|投诉|垃圾|差评|无语|离谱|过分|坑|骗|什么态度|受不了|😡|😠|💢|\[发怒\]"),
    )
)


def state_model():
    """The customer-state model (settings.state_model, ZHIJIAN_STATE_MODEL), or None when switched off/missing."""
    from pipeline.settings import get_settings

    where = get_settings().state_model
    if where.lower() in ("off", "none", "0", "false"):
        return None
    if where not in _MODEL:
        try:
            from models.state import load_state_model

            _MODEL[where] = load_state_model(where or None)
        except Exception as err:  # noqa: BLE001 - without the layer the run still scores (sentiment alone)
            log.warning("customer-state model not loaded (%s): sentiment labels are the model's own", err)
            _MODEL[where] = None
    return _MODEL[where]


def state_kind(text: str) -> str | None:
    for name, pat in KINDS:
        if pat.search(text):
            return name
    return None


def _turns(conv: Conversation) -> list[tuple[Message, Message | None]]:
    """Customer messages with a sentiment, each with the last human-agent message with text before it."""
    out = []
    prev: Message | None = None
    for m in conv.messages:
        if m.role == "agent" and m.text.strip():
            prev = m
        elif m.role == "customer" and m.sentiment is not None and m.sentiment.scores:
            out.append((m, prev))
    return out


def annotate_state(conversations: Sequence[Conversation], model=None) -> None:
    """Fill Message.state and the context-read Sentiment.label (see the module docstring)."""
    model = model if model is not None else state_model()
    if model is None:
        return
    pairs = [p for conv in conversations for p in _turns(conv)]
    if not pairs:
        return
    labels = list(SENTIMENT_LABELS)
    proba = np.array([[m.sentiment.scores.get(c, 0.0) for c in labels] for m, _ in pairs], dtype=np.float64)
    out = model.predict([m.text for m, _ in pairs], [a.text if a else "" for m, a in pairs], proba)
    # the outputs as Python floats and the argmax in one call each (tolist() gives float() of each value; argmax
    # along the rows picks each row's first maximum, as per row): a numpy scalar per value cost more than the rounding
    polarity = np.asarray(out.sentiment, dtype=np.float64)
    sentiment, empathy = polarity.tolist(), np.asarray(out.empathy, dtype=np.float64).tolist()
    best = np.argmax(polarity, axis=1).tolist()
    model_id = model.model_id
    for (m, a), row, e, k in zip(pairs, sentiment, empathy, best):
        scores = {c: round(v, 4) for c, v in zip(labels, row)}
        p = round(e, 4)
        m.state = CustomerState(p, scores, model_id, state_kind(m.text) if p >= 0.5 else None, a.seq if a else None)
        label = labels[k]
        own = m.sentiment.model_label or m.sentiment.label
        if label != own:
            m.sentiment.model_label = own
            m.sentiment.label = label
        else:
            m.sentiment.model_label = None
            m.sentiment.label = own
