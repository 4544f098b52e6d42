"""Load a sentiment model by directory or hub name: the top of ``models/`` (base → classifiers → loader).

    from models.loader import load_sentiment_model      # also importable from models.sentiment
    clf = load_sentiment_model()                         # the shipped models/zh-cs-sentiment
    clf = load_sentiment_model("path/to/model-dir")      # a saved baseline or transformer

The default is the model that ships inside this package, found next to this file. Where the
pipeline's model comes from (``settings.sentiment_model``, ``ZHIJIAN_SENTIMENT_MODEL``) is the
pipeline's business: it passes the location in. ``models/`` never imports ``pipeline``.
"""
from __future__ import annotations

from pathlib import Path

from models.base import SentimentModel, read_meta
from models.baseline import BASELINES
from models.classifier import SentimentClassifier

SHIPPED_MODEL_DIR = Path(__file__).resolve().parent / "zh-cs-sentiment"


def load_sentiment_model(path_or_name: str | Path | None = None, **kwargs) -> SentimentModel:
    """The sentiment model at ``path_or_name`` (default: the shipped ``models/zh-cs-sentiment``).

    A local directory holding a baseline (``zhijian.json`` with ``kind`` ``lexicon``/``tfidf``) loads
    that baseline; any other directory or hub name loads a :class:`SentimentClassifier` (``kwargs``
    go to its ``load``: ``quantize``, ``num_threads``, ``device``).
    """
    source = str(path_or_name) if path_or_name is not None else str(SHIPPED_MODEL_DIR)
    local = Path(source)
    if local.exists():
        if not local.is_dir():
            raise FileNotFoundError(f"sentiment model {source!r} is a file: give the model directory")
        kind = read_meta(source).get("kind", "transformer")
        if kind != "transformer":
            return BASELINES[kind].load(local)
        if not (local / "config.json").exists():
            raise FileNotFoundError(f"{source!r} holds no model (no config.json): rebuild it with "
                                    "`zhijian train-sentiment` or point ZHIJIAN_SENTIMENT_MODEL at a model directory")
    elif source.startswith((".", "/", "~")) or source.count("/") > 1:
        raise FileNotFoundError(f"sentiment model directory {source!r} does not exist")
    return SentimentClassifier.load(source, **kwargs)
