"""A small text classifier for the rubric's judgements: character n-gram TF-IDF over one or more text fields
(an agent message and the customer's turn before it, say), a class-weighted softmax regression, numpy at
prediction and torch (LBFGS) only to fit. The shared core of the project's small judgement models, so each model
module says only what is its own: labels, fields, training rows and figures.

    from models.textcat import Field, NgramSoftmax
    m = NgramSoftmax(labels=("other", "hands_on"), fields=(Field("agent", (1, 4)), Field("customer", (1, 2), 0.5)),
                     name="zh-cs-example", version=1, kind="example")
    m.fit([("我帮您反馈", "坏了")], ["hands_on"])
    m.predict_proba([("我帮您反馈", "坏了")])           # n x 2, columns in m.classes_
    m.save("models/zh-cs-example"); NgramSoftmax.load("models/zh-cs-example", kind="example")

Each field has its own vocabulary (its grams are kept apart by the field's index) and is TF-IDF'd and
l2-normalised on its own, then scaled by the field's weight: a long context cannot drown the message it is
context for. An example is a tuple with one text per field (a bare string when there is one field).
It is a classifier of ``models/``: it imports only ``models.base``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence, Union

import numpy as np

from models.base import (
    BoundedMemo,
    fit_sparse_linear,
    gram_vocabulary,
    normalize_text,
    read_gram_vocab,
    read_model_meta,
    softmax,
    sparse_logits,
    tfidf_rows,
    write_gram_vocab,
    write_model_meta,
)

Example = Union[str, Sequence[str]]
# distinct examples whose probabilities a loaded model keeps (a few MB); the memo starts again when full
PROBA_CACHE_MAX = 50_000


@dataclass(frozen=True)
class Field:
    """One text of an example: its name (for the model card), its n-gram range and its weight."""

    name: str
    ngram_range: tuple[int, int] = (1, 4)
    weight: float = 1.0


def model_input(text: str) -> str:
    """The input form of every field: the sentiment model's (NFKC, traditional → simplified, whitespace),
    lower-cased, with a start and end mark so n-grams see where a text begins and ends (models.acts' form)."""
    return "^" + normalize_text(text).lower() + "$"


class NgramSoftmax:
    """Char n-gram TF-IDF per field + class-weighted softmax regression over `labels`."""

    def __init__(self, labels: Sequence[str], fields: Sequence[Field] = (Field("text"),), min_df: int = 2,
                 l2: float = 3e-5, epochs: int = 100, name: str = "textcat", version: int = 1, kind: str = "textcat"):
        self.classes_ = list(labels)
        self.fields = tuple(fields)
        self.min_df = min_df
        self.l2 = l2
        self.epochs = epochs
        self.name = name
        self.version = version
        self.kind = kind

    @property
    def model_id(self) -> str:
        return f"{self.name}@{self.version}"

    def _texts(self, example: Example) -> tuple[str, ...]:
        texts = (example,) if isinstance(example, str) else tuple(example)
        if len(texts) != len(self.fields):
            raise ValueError(f"{self.model_id}: an example has {len(texts)} texts, the model reads {len(self.fields)} fields")
        return texts

    def _grams(self, k: int, text: str) -> list[str]:
        lo, hi = self.fields[k].ngram_range
        s = model_input(text or "")
        # the field's index keeps its grams apart from another field's same characters
        tag = f"{k}\x1f" if k else ""
        return [tag + s[i:i + n] for n in range(lo, hi + 1) for i in range(len(s) - n + 1)]

    def _rows(self, examples: Sequence[Example]):
        """CSR parts (row pointers, columns, values) of the whole feature matrix: the fields' blocks side by side."""
        per_field = [[t[k] for t in map(self._texts, examples)] for k in range(len(self.fields))]
        blocks = []
        for k, texts in enumerate(per_field):
            crow, ids, val = tfidf_rows((self._grams(k, t) for t in texts), self.vocabularies_[k], self.idf_[k])
            blocks.append((crow, ids + self.offsets_[k], val * np.float32(self.fields[k].weight)))
        if len(blocks) == 1:
            return blocks[0]
        n = len(examples)
        # one row = field 0's entries, then field 1's …: a stable sort of all entries by their row
        row_of = np.concatenate([np.repeat(np.arange(n), np.diff(b[0])) for b in blocks])
        perm = np.argsort(row_of, kind="stable")
        crow = np.concatenate([[0], np.cumsum(np.bincount(row_of, minlength=n))]).astype(np.int64)
        return crow, np.concatenate([b[1] for b in blocks])[perm], np.concatenate([b[2] for b in blocks])[perm]

    def fit(self, examples: Sequence[Example], labels: Sequence[str], seed: int = 0,
            sample_weight: Sequence[float] | None = None) -> "NgramSoftmax":
        import torch

        bad = sorted({a for a in labels if a not in self.classes_})
        if bad:
            raise ValueError(f"unknown labels {bad}: use only {self.classes_}")
        texts = [self._texts(e) for e in examples]
        self.vocabularies_, self.idf_, self.offsets_ = [], [], []
        offset = 0
        for k in range(len(self.fields)):
            vocabulary, idf = gram_vocabulary((self._grams(k, t[k]) for t in texts), self.min_df)
            self.vocabularies_.append(vocabulary)
            self.idf_.append(idf)
            self.offsets_.append(offset)
            offset += len(vocabulary)
        c = len(self.classes_)
        y = torch.tensor([self.classes_.index(a) for a in labels])
        counts = torch.bincount(y, minlength=c).float().clamp(min=1)
        weight = counts.sum() / (c * counts)  # balanced: every class weighs as much as the largest
        sw = None if sample_weight is None else torch.tensor(list(sample_weight), dtype=torch.float32)

        def data_loss(logits):
            if sw is None:
                return torch.nn.functional.cross_entropy(logits, y, weight=weight)
            # per-example weights on top of the class balance, normalised like cross_entropy's own weights
            per = torch.nn.functional.cross_entropy(logits, y, weight=weight, reduction="none") * sw
            return per.sum() / (weight[y] * sw).sum()

        self.coef_, self.intercept_ = fit_sparse_linear(self._rows(texts), offset, c, data_loss, self.l2, self.epochs, seed)
        self._proba_cache = BoundedMemo((__name__, "PROBA_CACHE_MAX"))  # rows of earlier weights go
        return self

    def _compute_proba(self, examples: Sequence[Example]) -> np.ndarray:
        return softmax(sparse_logits(*self._rows(examples), self.coef_) + self.intercept_)

    def predict_proba(self, examples: Sequence[Example]) -> np.ndarray:
        """n x classes probabilities. A row depends on its own example only, so rows are kept per distinct
        example: agents send the same template lines all night."""
        if not len(examples):
            return np.zeros((0, len(self.classes_)), dtype=np.float32)
        keys = [e if isinstance(e, str) else tuple(e) for e in examples]
        cache = self.__dict__.get("_proba_cache")
        if cache is None:  # one memo per model, made on its first call
            cache = self._proba_cache = BoundedMemo((__name__, "PROBA_CACHE_MAX"))
        if any(k not in cache for k in keys):
            todo = [k for k in dict.fromkeys(keys) if k not in cache]
            if cache.make_room(len(todo)):  # started again: this call's rows are all computed below
                todo = list(dict.fromkeys(keys))
            for k, row in zip(todo, self._compute_proba(todo)):
                cache[k] = row
        return np.array([cache[k] for k in keys])

    def predict(self, examples: Sequence[Example]) -> list[str]:
        p = self.predict_proba(examples)
        return [self.classes_[i] for i in p.argmax(axis=1)] if len(p) else []

    # -- saving: the vocabularies as text, the weights as float16 (a few MB at most) -------------------

    def save(self, directory: str | Path, extra_meta: dict | None = None) -> Path:
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        write_gram_vocab(out, self.vocabularies_)
        np.savez_compressed(out / "weights.npz", coef=self.coef_.astype(np.float16), intercept=self.intercept_,
                            idf=np.concatenate(self.idf_).astype(np.float16) if self.idf_ else np.zeros(0, np.float16))
        meta = {"kind": self.kind, "name": self.name, "version": self.version, "classes": self.classes_,
                "fields": [{"name": f.name, "ngram_range": list(f.ngram_range), "weight": f.weight} for f in self.fields],
                "field_sizes": [len(v) for v in self.vocabularies_], "min_df": self.min_df, "l2": self.l2,
                "epochs": self.epochs, **(extra_meta or {})}
        write_model_meta(out, meta)
        return out

    @classmethod
    def load(cls, directory: str | Path, kind: str | None = None) -> "NgramSoftmax":
        d = Path(directory)
        meta = read_model_meta(d)
        if kind is not None and meta.get("kind") != kind:
            raise ValueError(f"{d} is a {meta.get('kind')!r} model, not a {kind!r} one")
        fields = [Field(f["name"], tuple(f["ngram_range"]), f["weight"]) for f in meta["fields"]]
        self = cls(meta["classes"], fields, min_df=meta["min_df"], l2=meta["l2"], epochs=meta["epochs"],
                   name=meta["name"], version=meta["version"], kind=meta["kind"])
        arrays = np.load(d / "weights.npz")
        self.coef_ = arrays["coef"].astype(np.float32)
        self.intercept_ = arrays["intercept"].astype(np.float32)
        idf = arrays["idf"].astype(np.float32)
        grams = read_gram_vocab(d)
        self.vocabularies_, self.idf_, self.offsets_ = [], [], []
        offset = 0
        for size in meta["field_sizes"]:
            self.vocabularies_.append({g: i for i, g in enumerate(grams[offset:offset + size])})
            self.idf_.append(idf[offset:offset + size])
            self.offsets_.append(offset)
            offset += size
        self.meta_ = meta
        return self
