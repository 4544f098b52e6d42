"""zh-cs-acts: which service-taboo *act* an agent message performs (refusal, blame-shifting, arguing,
condescension, or none) — the model behind the `forbidden_phrases` criterion's act layer.

A lexicon of exact taboo phrases cannot keep up with agents who say the same thing politely or in
other words (这边也是没有任何办法的呢亲 = 我也没办法; 物流那边我们左右不了的 = 快递的问题跟我们无关).
This classifier reads the act instead: character 1–4-gram TF-IDF (sublinear tf, l2-normalised) and a
class-weighted multinomial logistic regression, numpy + torch only, trained in seconds on CPU from
`data/acts/agent_acts_train.tsv` and `data/acts/agent_acts_short.tsv`. It is a classifier of ``models/``: it imports only ``models.base``.

    from models.acts import load_act_model
    m = load_act_model()                      # the shipped models/zh-cs-acts
    m.predict(["物流那边我们左右不了的"])       # ['blame_shifting']
    m.predict_proba(texts)                    # n x 5, columns in m.classes_ (ACT_LABELS)
    m.model_id                                # 'zh-cs-acts@2'

Rebuild the shipped model (seconds): ``python -m models.acts --out models/zh-cs-acts``;
``python -m models.acts --cv 5`` prints cross-validated figures on the training file only;
``python -m models.acts --eval data/heldout/agent_acts.tsv`` measures a saved model on a labelled TSV.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np

from models.base import (
    BoundedMemo,
    fit_sparse_linear,
    gram_vocabulary,
    load_once,
    normalize_text,
    read_gram_vocab,
    read_model_meta,
    softmax,
    sparse_logits,
    tfidf_rows,
    write_gram_vocab,
    write_model_meta,
)

ACT_LABELS: tuple[str, ...] = ("none", "refusal", "blame_shifting", "arguing", "condescension")
TABOO_ACTS: tuple[str, ...] = ACT_LABELS[1:]
ACT_NAMES_ZH = {"refusal": "推诿拒绝", "blame_shifting": "推卸责任", "arguing": "争辩顶撞", "condescension": "居高临下"}

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_ACT_MODEL_DIR = Path(__file__).resolve().parent / "zh-cs-acts"
TRAIN_TSV = ROOT / "data" / "acts" / "agent_acts_train.tsv"
# Short, templated agent lines as real shops send them (auto-replies, 亲 稍等, order-status and return
# templates, bare link/card placeholders) as `none`, and short blunt taboos: v1 had only 56 messages under
# 9 letters, most of them taboos, so a short line read as a taboo on real sessions (zh-cs-acts@2).
SHORT_TSV = ROOT / "data" / "acts" / "agent_acts_short.tsv"
TRAIN_TSVS = (TRAIN_TSV, SHORT_TSV)
# Labelled conversations whose forbidden_phrases label is "pass": every human-agent message in them is
# an ordinary service message (`none`) as shops really write them — restatements, bare policy answers,
# one-word replies. Only the project's own set: every other tests/golden/ set (rubric_holdout, rubric_blind…)
# is measure-only, written by other hands to test what the models never saw (zh-cs-acts@5 on).
GOLDEN_NONE_DIRS: tuple[Path, ...] = (ROOT / "tests" / "golden" / "rubric",)
NAME, VERSION = "zh-cs-acts", 2
# a line with fewer letters than this is short (the rubric's forbidden_phrases.acts.short_chars, default@10 on)
SHORT_LETTERS = 12
# upper bounds of the length token's bands, in letters (ActClassifier(length_token=True))
LENGTH_BANDS = (6, 12, 20)
# what counts as a letter: the criterion's (pipeline.rubric.criteria.forbidden._CONTENT) on the model's input form
_LETTER = re.compile(r"[\u4e00-\u9fffa-z0-9]")
# distinct texts whose probabilities a loaded model keeps (a few MB); the cache starts again when full
_PROBA_CACHE_MAX = 50_000


def read_act_tsv(path: str | Path) -> tuple[list[str], list[str]]:
    """(texts, acts) of a `text<TAB>act<TAB>note` file with a header line."""
    texts, acts = [], []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            text, act = (row.get("text") or "").strip(), (row.get("act") or "").strip()
            if not text:
                continue
            if act not in ACT_LABELS:
                raise ValueError(f"{path}: unknown act {act!r} (use {ACT_LABELS})")
            texts.append(text)
            acts.append(act)
    return texts, acts


def golden_none_rows(dirs: Sequence[str | Path] = GOLDEN_NONE_DIRS) -> list[str]:
    """Human-agent messages of labelled conversations (tests/golden/*/…json) whose forbidden_phrases
    label is "pass": each is a `none` example. Conversations labelled fail or na are skipped whole
    (which of their messages carries the taboo is not labelled)."""
    out: list[str] = []
    seen: set[str] = set()
    for d in dirs:
        for f in sorted(Path(d).glob("*.json")):
            data = json.loads(f.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or (data.get("labels") or {}).get("forbidden_phrases") != "pass":
                continue
            for m in data.get("messages") or []:
                text = " ".join(str(m.get("text") or "").split())
                if m.get("role") == "agent" and text and text not in seen:
                    seen.add(text)
                    out.append(text)
    return out


def letters(s: str) -> int:
    """Chinese characters, latin letters and digits of a text in the model's input form (act_input): the count the
    rubric's short-message bar reads."""
    return len(_LETTER.findall(s))


def act_input(text: str) -> str:
    """The model's input form: the sentiment model's (NFKC, traditional → simplified, whitespace),
    lower-cased, with a start and end mark so n-grams see where a message begins and ends."""
    return "^" + normalize_text(text).lower() + "$"


class ActClassifier:
    """Char n-gram TF-IDF + class-weighted softmax regression over ACT_LABELS."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 4), min_df: int = 2, l2: float = 3e-5,
                 epochs: int = 100, name: str = NAME, version: int = VERSION, length_token: bool = False,
                 short_none_weight: float = 1.0):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.l2 = l2
        self.epochs = epochs
        # a token naming the message's length band (letters < 6, < 12, < 20, more) beside its n-grams: char n-grams
        # see a short line's words but not that it is short, and short lines are mostly plain in real chats
        self.length_token = length_token
        # fitting only: a `none` line shorter than SHORT_LETTERS weighs this much in the loss (class balancing makes
        # every taboo outweigh a `none` line, and short plain lines are where held-out wrong red lines sit)
        self.short_none_weight = short_none_weight
        self.name = name
        self.version = version
        self.classes_ = list(ACT_LABELS)

    @property
    def model_id(self) -> str:
        return f"{self.name}@{self.version}"

    def _grams(self, s: str) -> list[str]:
        lo, hi = self.ngram_range
        grams = [s[i:i + n] for n in range(lo, hi + 1) for i in range(len(s) - n + 1)]
        if self.length_token:  # no char n-gram holds \x00, so the token cannot collide with one
            n = letters(s)
            grams.append("\x00len" + next(str(b) for b in (*LENGTH_BANDS, "+") if b == "+" or n < b))
        return grams

    def _rows(self, texts: Sequence[str]):
        """Sparse rows as (indptr, indices, values): sublinear tf x idf, l2 per row."""
        return tfidf_rows((self._grams(act_input(raw)) for raw in texts), self.vocabulary_, self.idf_)

    def fit(self, texts: Sequence[str], labels: Sequence[str], seed: int = 0) -> "ActClassifier":
        import torch

        bad = sorted({a for a in labels if a not in ACT_LABELS})
        if bad:
            raise ValueError(f"unknown acts {bad}: use only {ACT_LABELS}")
        self.vocabulary_, self.idf_ = gram_vocabulary((self._grams(act_input(raw)) for raw in texts), self.min_df)
        y = torch.tensor([ACT_LABELS.index(a) for a in labels])
        counts = torch.bincount(y, minlength=len(ACT_LABELS)).float().clamp(min=1)
        weight = (counts.sum() / (len(ACT_LABELS) * counts))  # balanced: each act weighs as much as `none`
        sample = None
        if self.short_none_weight != 1.0:
            short_none = torch.tensor([a == "none" and letters(act_input(t)) < SHORT_LETTERS for t, a in zip(texts, labels)])
            sample = weight[y] * torch.where(short_none, torch.tensor(self.short_none_weight), torch.tensor(1.0))
            sample = sample / sample.sum()

        def data_loss(logits):
            if sample is None:
                return torch.nn.functional.cross_entropy(logits, y, weight=weight)
            # the same class-weighted mean, each row also weighted
            return (torch.nn.functional.cross_entropy(logits, y, reduction="none") * sample).sum()

        self.coef_, self.intercept_ = fit_sparse_linear(self._rows(texts), len(self.vocabulary_), len(ACT_LABELS),
                                                        data_loss, self.l2, self.epochs, seed)
        self._proba_cache = BoundedMemo((__name__, "_PROBA_CACHE_MAX"))  # rows of the previous weights go
        self.meta_ = {"kind": "acts", "name": self.name, "version": self.version}
        return self

    def _compute_proba(self, texts: Sequence[str]) -> np.ndarray:
        return softmax(sparse_logits(*self._rows(texts), self.coef_) + self.intercept_)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """n x 5 probabilities. Each row depends on its own text only (every step above is per row),
        so rows are kept per distinct text: agents send the same template lines all day, and the
        rubric asks for every agent message of every conversation."""
        if not len(texts):
            return np.zeros((0, len(ACT_LABELS)), dtype=np.float32)
        cache = self.__dict__.get("_proba_cache")
        if cache is None:  # one memo per model, made on its first call (fit and load make none)
            cache = self._proba_cache = BoundedMemo((__name__, "_PROBA_CACHE_MAX"))
        get = cache.get
        rows = [get(t) for t in texts]
        if any(r is None for r in rows):
            todo = [t for t in dict.fromkeys(texts) if t not in cache]
            if cache.make_room(len(todo)):  # started again: this call's rows are all computed below
                todo = list(dict.fromkeys(texts))
            for t, row in zip(todo, self._compute_proba(todo)):
                cache[t] = row
            rows = [cache[t] for t in texts]
        # rows of one shape and dtype: np.array makes what np.stack would, without its per-call checks in Python
        return np.array(rows)

    def predict(self, texts: Sequence[str]) -> list[str]:
        p = self.predict_proba(texts)
        return [ACT_LABELS[i] for i in p.argmax(axis=1)] if len(p) else []

    # -- saving: the vocabulary as text, the weights as float16 (a few MB at most) ------------------

    def save(self, directory: str | Path, extra_meta: dict | None = None) -> Path:
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        n_grams = write_gram_vocab(out, [self.vocabulary_])
        np.savez_compressed(out / "weights.npz", coef=self.coef_.astype(np.float16), intercept=self.intercept_,
                            idf=self.idf_.astype(np.float16))
        meta = dict(self.meta_, classes=list(ACT_LABELS), ngram_range=list(self.ngram_range), min_df=self.min_df,
                    l2=self.l2, epochs=self.epochs, features=n_grams, length_token=self.length_token,
                    short_none_weight=self.short_none_weight, **(extra_meta or {}))
        write_model_meta(out, meta)
        return out

    @classmethod
    def load(cls, directory: str | Path) -> "ActClassifier":
        d = Path(directory)
        meta = read_model_meta(d, "act", f"python -m models.acts --out {d}")
        if meta.get("kind") != "acts" or meta.get("classes") != list(ACT_LABELS):
            raise ValueError(f"{d} is not an act model with classes {ACT_LABELS}")
        self = cls(ngram_range=tuple(meta["ngram_range"]), min_df=meta["min_df"], l2=meta["l2"], epochs=meta["epochs"],
                   name=meta["name"], version=meta["version"], length_token=meta.get("length_token", False),
                   short_none_weight=meta.get("short_none_weight", 1.0))
        arrays = np.load(d / "weights.npz")
        self.coef_ = arrays["coef"].astype(np.float32)
        self.intercept_ = arrays["intercept"].astype(np.float32)
        self.idf_ = arrays["idf"].astype(np.float32)
        grams = read_gram_vocab(d)
        self.vocabulary_ = {g: i for i, g in enumerate(grams)}
        self.meta_ = {k: meta[k] for k in ("kind", "name", "version") if k in meta}
        self.meta_full_ = meta
        return self


def load_act_model(path: str | Path | None = None) -> ActClassifier:
    """The act model at `path` (default: the shipped models/zh-cs-acts); loaded once per process."""
    return load_once(ActClassifier.load, path, SHIPPED_ACT_MODEL_DIR)


# ----------------------------------------------------------------------------
# figures: per-act precision / recall, and taboo (any act) vs none
# ----------------------------------------------------------------------------


def act_report(gold: Sequence[str], pred: Sequence[str]) -> dict:
    """Per-act precision/recall/F1, accuracy, macro-F1 over the acts, and taboo-vs-none P/R/F1."""
    out: dict = {"n": len(gold), "acts": {}}

    def prf(tp: int, fp: int, fn: int) -> dict:
        p = tp / (tp + fp) if tp + fp else None
        r = tp / (tp + fn) if tp + fn else None
        f = 2 * p * r / (p + r) if p and r else 0.0
        return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}

    for a in ACT_LABELS:
        tp = sum(g == a and p == a for g, p in zip(gold, pred))
        fp = sum(g != a and p == a for g, p in zip(gold, pred))
        fn = sum(g == a and p != a for g, p in zip(gold, pred))
        out["acts"][a] = prf(tp, fp, fn)
    out["accuracy"] = sum(g == p for g, p in zip(gold, pred)) / len(gold) if gold else None
    out["macro_f1_acts"] = sum(out["acts"][a]["f1"] for a in TABOO_ACTS) / len(TABOO_ACTS)
    tp = sum(g != "none" and p != "none" for g, p in zip(gold, pred))
    fp = sum(g == "none" and p != "none" for g, p in zip(gold, pred))
    fn = sum(g != "none" and p == "none" for g, p in zip(gold, pred))
    out["taboo"] = prf(tp, fp, fn)
    return out


def format_act_report(rep: dict, title: str = "") -> str:
    f = lambda x: "  -  " if x is None else f"{x:.3f}"  # noqa: E731
    lines = [title] if title else []
    lines.append(f"{'act':<16}{'P':>7}{'R':>7}{'F1':>7}   tp  fp  fn")
    for a, m in list(rep["acts"].items()) + [("taboo vs none", rep["taboo"])]:
        lines.append(f"{a:<16}{f(m['precision']):>7}{f(m['recall']):>7}{f(m['f1']):>7}  {m['tp']:>3} {m['fp']:>3} {m['fn']:>3}")
    lines.append(f"accuracy {f(rep['accuracy'])}   macro-F1 (4 acts) {f(rep['macro_f1_acts'])}   n={rep['n']}")
    return "\n".join(lines)


def _fold(text: str, k: int) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % k


def cross_validate(texts: Sequence[str], labels: Sequence[str], k: int = 5, **params) -> tuple[dict, list[str], np.ndarray]:
    """k-fold (hash of the text) predictions on the training file: (report, predictions, probabilities)."""
    folds = [_fold(t, k) for t in texts]
    pred: list[str] = [""] * len(texts)
    proba = np.zeros((len(texts), len(ACT_LABELS)), dtype=np.float32)
    for f in range(k):
        tr = [i for i, x in enumerate(folds) if x != f]
        te = [i for i, x in enumerate(folds) if x == f]
        m = ActClassifier(**params).fit([texts[i] for i in tr], [labels[i] for i in tr])
        p = m.predict_proba([texts[i] for i in te])
        for j, i in enumerate(te):
            proba[i] = p[j]
            pred[i] = ACT_LABELS[int(p[j].argmax())]
    return act_report(list(labels), pred), pred, proba


def read_act_tsvs(paths: Sequence[str | Path]) -> tuple[list[str], list[str]]:
    """(texts, acts) of several act files, in order; a text repeated in a later file is skipped."""
    texts, acts = [], []
    seen: set[str] = set()
    for path in paths:
        for t, a in zip(*read_act_tsv(path)):
            if t not in seen:
                seen.add(t)
                texts.append(t)
                acts.append(a)
    return texts, acts


def _rel(path: str | Path) -> str:
    p = Path(path).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(path)


def training_data(train_tsvs: Sequence[str | Path] = TRAIN_TSVS, golden: Sequence[str | Path] = GOLDEN_NONE_DIRS) -> tuple[list[str], list[str]]:
    """The written act files plus the `none` messages of the labelled conversations (deduplicated)."""
    texts, labels = read_act_tsvs(train_tsvs)
    known = set(texts)
    for t in golden_none_rows(golden) if golden else []:
        if t not in known:
            known.add(t)
            texts.append(t)
            labels.append("none")
    return texts, labels


def train_default(out_dir: str | Path = SHIPPED_ACT_MODEL_DIR, train_tsvs: Sequence[str | Path] = TRAIN_TSVS, cv: int = 5,
                  golden: Sequence[str | Path] = GOLDEN_NONE_DIRS, **params) -> ActClassifier:
    """Rebuild the shipped act model (seconds on CPU): the written act files plus the agent messages of
    labelled conversations that pass forbidden_phrases (as `none`); records the sources, each file's
    sha256 and the cross-validated figures (on the written files alone) in zhijian.json. `params` go to
    ActClassifier (a recipe's settings)."""
    texts, labels = training_data(train_tsvs, golden)
    written = read_act_tsvs(train_tsvs)
    meta: dict = {
        "golden_none": [_rel(d) for d in golden],
        "golden_none_messages": len(texts) - len(written[0]),
        "trained_on": {_rel(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in train_tsvs},  # file -> sha256
        "train_counts": dict(Counter(labels)),  # with the golden `none` messages
    }
    if cv:
        rep, _, _ = cross_validate(*written, k=cv, **params)
        meta["cv"] = {"k": cv, "accuracy": round(rep["accuracy"], 4), "macro_f1_acts": round(rep["macro_f1_acts"], 4),
                      "taboo_precision": round(rep["taboo"]["precision"], 4), "taboo_recall": round(rep["taboo"]["recall"], 4)}
    model = ActClassifier(**params).fit(texts, labels)
    model.save(out_dir, meta)
    return model


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m models.acts", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="train on --train and save the model here (e.g. models/zh-cs-acts)")
    ap.add_argument("--train", nargs="+", default=[str(p) for p in TRAIN_TSVS], help="written act files (default: both shipped ones)")
    ap.add_argument("--cv", type=int, default=0, help="k-fold cross-validation on --train only (no model saved unless --out)")
    ap.add_argument("--eval", dest="eval_tsv", help="measure the model (--model, default shipped) on a labelled TSV")
    ap.add_argument("--model", default=None)
    a = ap.parse_args(argv)
    if a.cv:
        texts, labels = read_act_tsvs(a.train)
        rep, _, _ = cross_validate(texts, labels, k=a.cv)
        print(format_act_report(rep, f"{a.cv}-fold cross-validation on {' + '.join(a.train)}"))
    if a.out:
        m = train_default(a.out, a.train, cv=5)
        print(f"saved {m.model_id} to {a.out} ({len(m.vocabulary_)} features)")
    if a.eval_tsv:
        m = load_act_model(a.model)
        texts, labels = read_act_tsv(a.eval_tsv)
        print(format_act_report(act_report(labels, m.predict(texts)), f"{m.model_id} on {a.eval_tsv} (message level, argmax)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
