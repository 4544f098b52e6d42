"""Baselines behind the same contract as the transformer: a word-list scorer and char n-gram TF-IDF + LR.

They need nothing beyond numpy and torch (no scikit-learn), train in seconds, and serve as the
figures the fine-tuned model must beat and as fast stand-ins in tests. A classifier of ``models/``
(base → classifiers → loader): it imports only ``models.base``.
"""
from __future__ import annotations

import json
import math
import warnings
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np

from models.base import (CLASSES, META_FILE, GramIndex, SentimentModel, check_labels, normalize_text, softmax, tfidf_counted,
                         tfidf_rows)

# A small hand-made lexicon in the style of the usual word-list scorers (HowNet/NTUSD-like).
POSITIVE_WORDS = [
    "好", "不错", "满意", "喜欢", "谢谢", "感谢", "棒", "赞", "快", "方便", "舒服", "漂亮", "值", "推荐", "好评",
    "完美", "开心", "给力", "耐心", "专业", "热情", "实惠", "划算", "干净", "正品", "放心", "及时", "辛苦",
    "超值", "优秀", "惊喜", "好用", "清晰", "流畅", "稳定", "愉快", "周到", "贴心", "靠谱", "物美价廉", "太好了",
]
NEGATIVE_WORDS = [
    "差", "垃圾", "失望", "投诉", "退款", "退货", "慢", "坏", "破", "烂", "骗", "假", "气", "烦", "恶心", "后悔",
    "问题", "故障", "不行", "糟糕", "生气", "无语", "郁闷", "投诉", "差评", "坑", "太贵", "吵", "脏", "臭", "难用",
    "死机", "发热", "卡", "漏", "错", "没人", "不理", "敷衍", "催", "怎么还", "到底", "什么破", "别买", "上当",
]
NEGATIONS = ["不", "没", "无", "别", "未", "非"]


class LexiconSentiment(SentimentModel):
    """Counts positive and negative words (a negation just before a word flips it) and maps the
    counts to 3 classes with a small softmax regression learned in ``fit``.
    """

    def __init__(self, positive_words: Sequence[str] | None = None, negative_words: Sequence[str] | None = None,
                 negations: Sequence[str] | None = None, l2: float = 1e-3, name: str = "lexicon", version: int = 1):
        self.positive_words = positive_words
        self.negative_words = negative_words
        self.negations = negations
        self.l2 = l2
        self.name = name
        self.version = version

    def _features(self, texts: Sequence[str]) -> np.ndarray:
        pos = self.positive_words_ if hasattr(self, "positive_words_") else list(self.positive_words or POSITIVE_WORDS)
        neg = self.negative_words_ if hasattr(self, "negative_words_") else list(self.negative_words or NEGATIVE_WORDS)
        negs = tuple(self.negations or NEGATIONS)
        rows = []
        for raw in texts:
            text = normalize_text(raw)
            p = n = 0.0
            for words, sign in ((pos, 1), (neg, -1)):
                for w in words:
                    start = text.find(w)
                    while start != -1:
                        flipped = start > 0 and text[start - 1] in negs
                        if (sign > 0) != flipped:
                            p += 1
                        else:
                            n += 1
                        start = text.find(w, start + len(w))
            rows.append([p, n, p - n, float(p == 0 and n == 0), math.log1p(len(text)),
                         float("?" in text or "吗" in text), float("!" in text)])
        return np.asarray(rows, dtype=np.float32).reshape(len(rows), 7)

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> "LexiconSentiment":
        labels = check_labels(labels)
        self.positive_words_ = list(self.positive_words or POSITIVE_WORDS)
        self.negative_words_ = list(self.negative_words or NEGATIVE_WORDS)
        x = self._features(texts)
        self.mean_, self.scale_ = x.mean(0), x.std(0) + 1e-6
        self.coef_, self.intercept_ = _fit_softmax_regression(
            (x - self.mean_) / self.scale_, np.array([CLASSES.index(l) for l in labels]), self.l2)
        self.classes_ = list(CLASSES)
        self.meta_ = {"kind": "lexicon", "name": self.name, "version": self.version}
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        x = (self._features(texts) - self.mean_) / self.scale_
        return softmax(x @ self.coef_ + self.intercept_)

    def save(self, directory: str | Path) -> Path:
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        np.savez(out / "lexicon.npz", coef=self.coef_, intercept=self.intercept_, mean=self.mean_, scale=self.scale_)
        meta = dict(self.meta_, positive_words=self.positive_words_, negative_words=self.negative_words_,
                    negations=list(self.negations or NEGATIONS), l2=self.l2)
        (out / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: str | Path) -> "LexiconSentiment":
        d = Path(directory)
        meta = json.loads((d / META_FILE).read_text(encoding="utf-8"))
        self = cls(positive_words=meta["positive_words"], negative_words=meta["negative_words"],
                   negations=meta["negations"], l2=meta["l2"], name=meta["name"], version=meta["version"])
        arrays = np.load(d / "lexicon.npz")
        self.coef_, self.intercept_ = arrays["coef"], arrays["intercept"]
        self.mean_, self.scale_ = arrays["mean"], arrays["scale"]
        self.positive_words_, self.negative_words_ = meta["positive_words"], meta["negative_words"]
        self.classes_ = list(CLASSES)
        self.meta_ = {"kind": "lexicon", "name": meta["name"], "version": meta["version"]}
        return self


class TfidfSentiment(SentimentModel):
    """Character 1–3-gram TF-IDF (sublinear tf, l2-normalised) + multinomial logistic regression."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), min_df: int = 2, max_features: int = 200_000,
                 l2: float = 1e-5, epochs: int = 60, name: str = "tfidf-lr", version: int = 1):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.l2 = l2
        self.epochs = epochs
        self.name = name
        self.version = version

    def _grams(self, text: str) -> list[str]:
        lo, hi = self.ngram_range
        return [text[i:i + n] for n in range(lo, hi + 1) for i in range(len(text) - n + 1)]

    def _matrix(self, texts: Sequence[str]):
        import torch

        crow, ids, val = tfidf_rows((self._grams(normalize_text(raw)) for raw in texts), self.vocabulary_, self.idf_)
        with warnings.catch_warnings():  # "sparse CSR is beta" is not news for a user of the baseline
            warnings.simplefilter("ignore")
            return torch.sparse_csr_tensor(torch.from_numpy(crow),
                                           torch.from_numpy(ids), torch.from_numpy(val),
                                           size=(len(texts), len(self.vocabulary_)))

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> "TfidfSentiment":
        import torch

        labels = check_labels(labels)
        df: Counter[str] = Counter()
        for raw in texts:
            df.update(set(self._grams(normalize_text(raw))))
        kept = [g for g, c in df.most_common(self.max_features) if c >= self.min_df]
        self.vocabulary_ = {g: i for i, g in enumerate(kept)}
        n = len(texts)
        self.idf_ = np.array([math.log((1 + n) / (1 + df[g])) + 1.0 for g in kept], dtype=np.float32)
        x = self._matrix(texts)
        y = torch.tensor([CLASSES.index(l) for l in labels])
        torch.manual_seed(0)
        w = torch.zeros(len(kept), len(CLASSES), requires_grad=True)
        b = torch.zeros(len(CLASSES), requires_grad=True)
        opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=self.epochs, history_size=20, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(torch.sparse.mm(x, w) + b, y) + self.l2 * (w * w).sum()
            loss.backward()
            return loss

        if len(kept):
            opt.step(closure)
        self.coef_, self.intercept_ = w.detach().numpy(), b.detach().numpy()
        self.classes_ = list(CLASSES)
        self.meta_ = {"kind": "tfidf", "name": self.name, "version": self.version}
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, len(CLASSES)), dtype=np.float32)
        crow, ids, val = self._rows(texts)
        return softmax(_sparse_dot(crow, ids, val, self.coef_) + self.intercept_)

    def _rows(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """tfidf_rows of the texts' grams, read by a GramIndex of the vocabulary (built at the first call): the same
        ids, counts and order as ``Counter(self._grams(...))`` and a dict lookup, with no gram string made. Why: the
        transformer's wide part reads every distinct customer turn of the night on the model thread, whose Python
        shares the one GIL with the run's thread; a string and a lookup per gram cost ~15 µs a turn."""
        index = self.__dict__.get("_index")
        if index is None:
            lo, hi = self.ngram_range
            try:
                index = GramIndex(self.vocabulary_, (("", lo, hi),))
            except ValueError:  # an alphabet too large for int64 gram numbers: the strings, as in fitting
                index = False
            self.__dict__["_index"] = index
        if index is False:
            return tfidf_rows((self._grams(normalize_text(raw)) for raw in texts), self.vocabulary_, self.idf_)
        return tfidf_counted(*index.rows([normalize_text(raw) for raw in texts]), self.idf_)

    def __getstate__(self) -> dict:  # a model sent to another process rebuilds its index there, at its first call
        state = dict(self.__dict__)
        state.pop("_index", None)
        return state

    def save(self, directory: str | Path) -> Path:
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        grams = [None] * len(self.vocabulary_)
        for g, i in self.vocabulary_.items():
            grams[i] = g
        np.savez(out / "tfidf.npz", coef=self.coef_, intercept=self.intercept_, idf=self.idf_)
        meta = dict(self.meta_, ngram_range=list(self.ngram_range), min_df=self.min_df,
                    max_features=self.max_features, l2=self.l2, epochs=self.epochs, vocabulary=grams)
        (out / META_FILE).write_text(json.dumps(meta, ensure_ascii=False) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: str | Path) -> "TfidfSentiment":
        d = Path(directory)
        meta = json.loads((d / META_FILE).read_text(encoding="utf-8"))
        self = cls(ngram_range=tuple(meta["ngram_range"]), min_df=meta["min_df"], max_features=meta["max_features"],
                   l2=meta["l2"], epochs=meta["epochs"], name=meta["name"], version=meta["version"])
        arrays = np.load(d / "tfidf.npz")
        self.coef_, self.intercept_, self.idf_ = arrays["coef"], arrays["intercept"], arrays["idf"]
        self.vocabulary_ = {g: i for i, g in enumerate(meta["vocabulary"])}
        self.classes_ = list(CLASSES)
        self.meta_ = {"kind": "tfidf", "name": meta["name"], "version": meta["version"]}
        return self


def _sparse_dot(crow: np.ndarray, ids: np.ndarray, val: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """CSR rows (tfidf_rows) times a dense float32 matrix, in numpy: predicting must not import torch
    (~2 s of every run's start-up; the transformer's wide part predicts through here).

    Each row is summed term by term in column order, a float32 multiply then a float32 add: the
    arithmetic of ``torch.sparse.mm`` on CPU, so the probabilities (and the results rounded from them)
    are bit for bit what the torch version gave (checked on 38,245 texts; np.add.reduceat sums in
    another order and was not).
    """
    lengths = np.diff(crow)
    out = np.zeros((len(lengths), coef.shape[1]), dtype=np.float32)
    for k in range(int(lengths.max()) if len(lengths) else 0):  # the k-th term of every row that has one
        rows = np.flatnonzero(lengths > k)
        at = crow[rows] + k
        out[rows] += coef[ids[at]] * val[at][:, None]
    return out


def _fit_softmax_regression(x: np.ndarray, y: np.ndarray, l2: float, iters: int = 100):
    """Dense multinomial logistic regression (L-BFGS in torch); returns (coef d x 3, intercept 3)."""
    import torch

    xt, yt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)), torch.from_numpy(y).long()
    w = torch.zeros(x.shape[1], len(CLASSES), requires_grad=True)
    b = torch.zeros(len(CLASSES), requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=iters, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(xt @ w + b, yt) + l2 * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach().numpy(), b.detach().numpy()


BASELINES = {"lexicon": LexiconSentiment, "tfidf": TfidfSentiment}
