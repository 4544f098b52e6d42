"""The sentiment models' public face: import from here.

    from models.sentiment import load_sentiment_model
    clf = load_sentiment_model()             # the shipped models/zh-cs-sentiment (the pipeline passes
                                             # settings.sentiment_model explicitly)
    clf.predict(["怎么还没发货啊"])            # ["negative"]
    clf.predict_proba(texts)                 # n x 3, columns in clf.classes_ order
    clf.model_id                             # "zh-cs-sentiment@3"

``models/`` is layered base → classifiers → loader, and this module sits on top of all three:

* ``models.base``: labels (``SENTIMENT_LABELS``/``CLASSES``), the ``SentimentModel`` contract,
  ``META_FILE``, the model's input form ``normalize_text``; standard library only.
* ``models.baseline`` (``LexiconSentiment``, ``TfidfSentiment``) and ``models.classifier``
  (``SentimentClassifier``, the fine-tuned transformer, with its training helpers).
* ``models.loader``: ``load_sentiment_model(path_or_name=None)``.

No module of ``models/`` imports ``pipeline``, and none imports this one (tests/models/test_layering.py).
"""
from __future__ import annotations

from models.base import CLASSES, META_FILE, SENTIMENT_LABELS, SentimentModel
from models.baseline import BASELINES, LexiconSentiment, TfidfSentiment
from models.classifier import (
    SentimentClassifier,
    fit_temperature,
    hash_frac,
    mask_tokens,
    quantize_dynamic_int8,
    quiet_transformers,
    sensible_threads,
    steps_that_fit,
)
from models.loader import SHIPPED_MODEL_DIR, load_sentiment_model

__all__ = [
    "BASELINES", "CLASSES", "META_FILE", "SENTIMENT_LABELS", "SHIPPED_MODEL_DIR", "LexiconSentiment",
    "SentimentClassifier", "SentimentModel", "TfidfSentiment", "fit_temperature", "hash_frac",
    "load_sentiment_model", "mask_tokens", "quantize_dynamic_int8", "quiet_transformers", "sensible_threads",
    "steps_that_fit",
]
