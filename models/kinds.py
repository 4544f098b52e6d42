"""zh-cs-kinds: is a conversation an after-sales / complaint one? — read from the CUSTOMER's messages alone.

The default rubric's active_listening applies "in after-sales and complaint conversations". A word list of trouble
words decides that badly on new writers' conversations (a worry before buying, a past bad buy elsewhere, a warranty
question, a tracking question before anything went wrong all carry trouble words; a calm one-line defect report in
words of its own carries none). This model reads the decision instead: character 1–4-grams of each customer message
(NFKC, traditional → simplified, lower-cased, with start / end marks), the grams of the FIRST customer message once
more under a mark of their own (what the customer came for: 想问下 / 我买的…), sublinear tf × idf, l2 per
conversation, and an L2-regularised logistic regression (numpy + torch, seconds on CPU). It imports only
``models.base``.

    from models.kinds import load_kind_model
    m = load_kind_model()                                  # the shipped models/zh-cs-kinds
    m.predict_proba([["收到的杯子裂了", "[图片]"]])         # P(after-sales / complaint) per conversation
    m.model_id                                             # 'zh-cs-kinds@1'

Training rows (``training_rows``): the dev golden conversation sets' active_listening labels (na → no; pass / fail →
yes), one writer per set, and the writers' rows ``data/kinds/conversation_kinds_*.tsv`` (customer messages joined by
`` || ``, after_sales yes / no). ``python -m models.kinds --lowo`` prints the model's leave-one-writer-out figures;
``python -m models.kinds --out models/zh-cs-kinds`` rebuilds the shipped model; how the rubric combines it with its word
rule is chosen in ``pipeline.rubric.evaluate_kinds``.
"""
from __future__ import annotations

import csv
import hashlib
import json
import math
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from models.base import (
    BoundedMemo,
    GramIndex,
    fit_sparse_linear,
    gram_vocabulary,
    load_once,
    normalize_text,
    read_gram_vocab,
    read_model_meta,
    sparse_logits,
    tfidf_rows,
    write_gram_vocab,
    write_model_meta,
)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_KIND_MODEL_DIR = Path(__file__).resolve().parent / "zh-cs-kinds"
NAME, VERSION = "zh-cs-kinds", 4
KINDS_DIR = ROOT / "data" / "kinds"
GOLDEN = ROOT / "tests" / "golden"
# the dev conversation sets whose labels may train (plan of issue 13, session 11); each is one writer. The honest
# sets (rubric_blind7 and later) are never read here.
DEV_SETS: tuple[str, ...] = ("rubric", "rubric_holdout", "rubric_blind", "rubric_blind2", "rubric_blind3", "rubric_blind4",
                             "rubric_blind5", "rubric_blind6", "rubric_w9a", "rubric_w9b", "rubric_w9c", "rubric_w10a")
SEP = " || "  # how the writers' rows join a conversation's customer messages
# distinct conversations whose probability a loaded model keeps (a rubric scored twice, a re-run); started again when
# full. Grams are not kept per message: nearly every customer message of a night is distinct, and 80 gram strings per
# message cost ~80 MB at 10,000 conversations for no hit
_PROBA_CACHE_MAX = 20_000


def kind_input(text: str) -> str:
    """One customer message as the model reads it: the sentiment model's form, lower-cased, start and end marked."""
    return "^" + normalize_text(text).lower() + "$"


class KindClassifier:
    """Char n-gram TF-IDF over a conversation's customer messages + L2 logistic regression: P(after-sales)."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 4), min_df: int = 2, l2: float = 1e-4, epochs: int = 100,
                 first_mark: bool = True, name: str = NAME, version: int = VERSION):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.l2 = l2
        self.epochs = epochs
        self.first_mark = first_mark
        self.name = name
        self.version = version

    @property
    def model_id(self) -> str:
        return f"{self.name}@{self.version}"

    def _message_grams(self, text: str) -> list[str]:
        s = kind_input(text)
        lo, hi = self.ngram_range
        return [s[i:i + n] for n in range(lo, hi + 1) for i in range(len(s) - n + 1)]

    def features(self, messages: Sequence[str]) -> list[str]:
        """The grams of one conversation: every customer message's, and the first message's again marked `1`."""
        out: list[str] = []
        first = True
        for t in messages:
            if not t or not t.strip():
                continue
            g = self._message_grams(t)
            out.extend(g)
            if first and self.first_mark:
                out.extend(["1" + x for x in g if len(x) > 1])
            first = False
        return out

    def _rows(self, convs: Iterable[Sequence[str]]):
        return tfidf_rows((self.features(c) for c in convs), self.vocabulary_, self.idf_)

    def fit(self, convs: Sequence[Sequence[str]], labels: Sequence[int], weights: Sequence[float] | None = None,
            seed: int = 0) -> "KindClassifier":
        """Fit on conversations (lists of customer texts) and 0 / 1 labels (1 = after-sales); `weights` per row
        (default 1: each conversation counts once). Classes are balanced."""
        import torch

        feats = [self.features(c) for c in convs]
        self.vocabulary_, self.idf_ = gram_vocabulary(feats, self.min_df)
        n = len(convs)
        y = torch.tensor([float(v) for v in labels])
        w_row = torch.tensor([float(v) for v in weights]) if weights is not None else torch.ones(n)
        pos = float((w_row * y).sum()) or 1.0
        neg = float((w_row * (1 - y)).sum()) or 1.0
        w_row = w_row * torch.where(y > 0, (pos + neg) / (2 * pos), (pos + neg) / (2 * neg))  # balanced classes
        w_row = w_row / w_row.sum()

        def data_loss(logits):  # one logistic output: P(after-sales)
            return (torch.nn.functional.binary_cross_entropy_with_logits(logits[:, 0], y, reduction="none") * w_row).sum()

        coef, intercept = fit_sparse_linear(tfidf_rows(feats, self.vocabulary_, self.idf_), len(self.vocabulary_), 1,
                                            data_loss, self.l2, self.epochs, seed)
        self.coef_ = coef[:, 0]
        self.intercept_ = float(intercept[0])
        for derived in ("_tables", "_exact_tables", "_gram_index"):  # read from the previous weights
            self.__dict__.pop(derived, None)
        self._proba_cache = BoundedMemo((__name__, "_PROBA_CACHE_MAX"))
        self.meta_ = {"kind": "kinds", "name": self.name, "version": self.version}
        return self

    def _compute(self, convs: Sequence[Sequence[str]]) -> np.ndarray:
        """The batch path (numpy over all rows at once): what training reads, and the reference for `_one`."""
        return 1.0 / (1.0 + np.exp(-(sparse_logits(*self._rows(convs), self.coef_) + self.intercept_)))

    def _one(self, messages: Sequence[str]) -> float:
        """One conversation in plain Python (the rubric asks one at a time, where numpy's per-call cost would dominate):
        grams looked up as they are cut, no gram string kept; equal to `_compute` up to float32 rounding."""
        tables = self.__dict__.get("_tables")
        if tables is None:  # Python lists: a scalar read from them is several times cheaper than from an array
            tables = self._tables = (self.idf_.astype(np.float64).tolist(), self.coef_.astype(np.float64).tolist())
        idf, coef = tables
        get = self.vocabulary_.get
        lo, hi = self.ngram_range
        counts: dict[int, int] = {}
        first = self.first_mark
        for t in messages:
            if not t or not t.strip():
                continue
            s = kind_input(t)
            for n in range(lo, hi + 1):
                for i in range(len(s) - n + 1):
                    g = s[i:i + n]
                    j = get(g)
                    if j is not None:
                        counts[j] = counts.get(j, 0) + 1
                    if first and n > 1:
                        j = get("1" + g)
                        if j is not None:
                            counts[j] = counts.get(j, 0) + 1
            first = False
        dot = sq = 0.0
        for j, c in counts.items():
            w = (1.0 + math.log(c)) * idf[j]
            dot += w * coef[j]
            sq += w * w
        z = (dot / math.sqrt(sq) if sq else 0.0) + self.intercept_
        return 1.0 / (1.0 + math.exp(-z))

    def _exact(self, convs: Sequence[Sequence[str]], chunk: int = 512) -> list[float]:
        """`_one` of each conversation to the last bit, read for a batch (`prime`): the grams found by a GramIndex (the
        same ids and counts in the same first-seen order), the float64 products in numpy, and each conversation's two
        sums added term by term in that order (numpy's own sums pair terms up and would round differently); the log,
        the square root and the logistic stay Python's `math`. `chunk` conversations at a time: the index holds a few
        int64 per character."""
        lo, hi = self.ngram_range
        index = self.__dict__.get("_gram_index")
        if index is None:  # the first message's marked twin is read for n > 1 only, as `_one` reads it
            index = self._gram_index = GramIndex(self.vocabulary_, (("", lo, hi), ("1", max(lo, 2), hi)))
        if self.__dict__.get("_exact_tables") is None:
            self._exact_tables = (self.idf_.astype(np.float64), self.coef_.astype(np.float64))
        idf, coef = self._exact_tables
        out: list[float] = []
        for a in range(0, len(convs), chunk):
            parts: list[tuple[int, int, str, int]] = []
            for d, messages in enumerate(convs[a:a + chunk]):
                first = self.first_mark
                for t in messages:
                    if not t or not t.strip():
                        continue
                    s = kind_input(t)
                    parts.append((d, len(parts), s, 0))
                    if first:  # one group with its marked twin: each gram, then its marked one, as `_one` meets them
                        parts.append((d, parts[-1][1], s, 1))
                    first = False
            n = len(convs[a:a + chunk])
            crow, ids, counts = index.counted(parts, n)
            dot, sq = np.zeros(n), np.zeros(n)
            if len(ids):
                logs = np.array([0.0] + [math.log(c) for c in range(1, int(counts.max()) + 1)])
                w = (1.0 + logs[counts]) * idf[ids]
                terms, squares = w * coef[ids], w * w
                # term k of every conversation that has one, longest first: dot[r] += terms[k] in `_one`'s order
                lengths = np.diff(crow)
                order = np.argsort(-lengths, kind="stable")
                starts, by_length = crow[:-1][order], lengths[order]
                active = np.searchsorted(-by_length, -np.arange(int(by_length[0])), side="left")
                d_sorted, s_sorted = np.zeros(n), np.zeros(n)
                for k, m in enumerate(active.tolist()):  # m: the conversations with more than k terms
                    at = starts[:m] + k
                    d_sorted[:m] += terms[at]
                    s_sorted[:m] += squares[at]
                dot[order], sq[order] = d_sorted, s_sorted
            for d_r, s_r in zip(dot.tolist(), sq.tolist()):
                z = (d_r / math.sqrt(s_r) if s_r else 0.0) + self.intercept_
                out.append(1.0 / (1.0 + math.exp(-z)))
        return out

    def prime(self, convs: Sequence[Sequence[str]]) -> None:
        """Keep P(after-sales) of a batch of conversations (the rubric's `prime`, before it asks one at a time): the
        numbers `_one` gives, bit for bit, at a fraction of its cost per conversation (`_exact`)."""
        cache = self.__dict__.get("_proba_cache")
        if cache is None:
            cache = self._proba_cache = BoundedMemo((__name__, "_PROBA_CACHE_MAX"))
        todo = [k for k in dict.fromkeys(tuple(c) for c in convs) if k not in cache]
        if not todo:
            return
        cache.make_room(len(todo))
        for k, p in zip(todo, self._exact(todo)):
            cache[k] = p

    def predict_proba(self, convs: Sequence[Sequence[str]]) -> np.ndarray:
        """P(after-sales / complaint) per conversation (a list of its customer texts): a batch in numpy, a few in plain
        Python; kept per distinct conversation."""
        if not len(convs):
            return np.zeros(0, dtype=np.float32)
        cache = self.__dict__.get("_proba_cache")
        if cache is None:
            cache = self._proba_cache = BoundedMemo((__name__, "_PROBA_CACHE_MAX"))
        keys = [tuple(c) for c in convs]
        todo = [k for k in dict.fromkeys(keys) if k not in cache]
        if todo:
            if cache.make_room(len(todo)):
                todo = list(dict.fromkeys(keys))
            probs = self._compute(todo) if len(todo) > 8 else [self._one(k) for k in todo]
            for k, p in zip(todo, probs):
                cache[k] = float(p)
        return np.array([cache[k] for k in keys], dtype=np.float32)

    # -- saving: the vocabulary as text, the weights as float16 ---------------------------------------

    def save(self, directory: str | Path, extra_meta: dict | None = None) -> Path:
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        n_grams = write_gram_vocab(out, [self.vocabulary_])
        np.savez_compressed(out / "weights.npz", coef=self.coef_.astype(np.float16), idf=self.idf_.astype(np.float16))
        meta = dict(self.meta_, intercept=self.intercept_, ngram_range=list(self.ngram_range), min_df=self.min_df, l2=self.l2,
                    epochs=self.epochs, first_mark=self.first_mark, features=n_grams, **(extra_meta or {}))
        write_model_meta(out, meta)
        return out

    @classmethod
    def load(cls, directory: str | Path) -> "KindClassifier":
        d = Path(directory)
        meta = read_model_meta(d, "kind", f"python -m models.kinds --out {d}")
        if meta.get("kind") != "kinds":
            raise ValueError(f"{d} is not a conversation-kind model")
        self = cls(ngram_range=tuple(meta["ngram_range"]), min_df=meta["min_df"], l2=meta["l2"], epochs=meta["epochs"],
                   first_mark=meta["first_mark"], name=meta["name"], version=meta["version"])
        arrays = np.load(d / "weights.npz")
        self.coef_ = arrays["coef"].astype(np.float32)
        self.idf_ = arrays["idf"].astype(np.float32)
        self.intercept_ = float(meta["intercept"])
        grams = read_gram_vocab(d)
        self.vocabulary_ = {g: i for i, g in enumerate(grams)}
        self.meta_ = {k: meta[k] for k in ("kind", "name", "version")}
        self.meta_full_ = meta
        return self


def load_kind_model(path: str | Path | None = None) -> KindClassifier:
    """The kind model at `path` (default: the shipped models/zh-cs-kinds); loaded once per process."""
    return load_once(KindClassifier.load, path, SHIPPED_KIND_MODEL_DIR)


# ----------------------------------------------------------------------------
# training rows: one writer per dev set, one per writers' file
# ----------------------------------------------------------------------------


def golden_rows(set_name: str, golden: Path = GOLDEN) -> list[tuple[list[str], int]]:
    """(customer texts, 1 when active_listening is labelled pass / fail, 0 when na) of one labelled set."""
    out = []
    for f in sorted((golden / set_name).glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        label = (data.get("labels") or {}).get("active_listening") if isinstance(data, dict) else None
        if label not in ("pass", "fail", "na"):
            continue
        msgs = sorted(data["messages"], key=lambda m: int(m.get("seq") or 0))
        texts = [str(m.get("text") or "") for m in msgs if m.get("role") == "customer" and str(m.get("text") or "").strip()]
        out.append((texts, int(label != "na")))
    return out


def read_kind_tsv(path: str | Path) -> list[tuple[list[str], int]]:
    """(customer texts, 1 for after_sales yes) of a writers' file `customer_messages<TAB>after_sales<TAB>kind<TAB>note`."""
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            texts = [t.strip() for t in (row.get("customer_messages") or "").split("||") if t.strip()]
            yes = (row.get("after_sales") or "").strip()
            if not texts:
                continue
            if yes not in ("yes", "no"):
                raise ValueError(f"{path}: after_sales must be yes or no, not {yes!r}")
            out.append((texts, int(yes == "yes")))
    return out


def writer_files(kinds_dir: Path = KINDS_DIR) -> dict[str, Path]:
    return {p.stem.replace("conversation_kinds_", ""): p for p in sorted(kinds_dir.glob("conversation_kinds_*.tsv"))}


def training_rows(sets: Sequence[str] = DEV_SETS, files: dict[str, Path] | None = None) -> dict[str, list[tuple[list[str], int]]]:
    """Every writer's rows: the dev sets (by set name) and the writers' files (by writer name)."""
    rows = {s: golden_rows(s) for s in sets}
    for name, path in (writer_files() if files is None else files).items():
        rows[name] = read_kind_tsv(path)
    return rows


def fit_rows(rows: dict[str, list[tuple[list[str], int]]], leave_out: str | None = None, **params) -> KindClassifier:
    """The model on every writer's rows but `leave_out`'s; each writer weighs as its row count says."""
    convs, labels = [], []
    for name, rs in rows.items():
        if name == leave_out:
            continue
        for texts, y in rs:
            convs.append(texts)
            labels.append(y)
    return KindClassifier(**params).fit(convs, labels)


def lowo_proba(rows: dict[str, list[tuple[list[str], int]]], **params) -> dict[str, np.ndarray]:
    """Each writer's rows read by the model trained on all the other writers."""
    return {name: fit_rows(rows, name, **params).predict_proba([t for t, _ in rs]) for name, rs in rows.items() if rs}


def _rel(path: Path) -> str:
    p = Path(path).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(path)


def train_default(out_dir: str | Path = SHIPPED_KIND_MODEL_DIR, **params) -> KindClassifier:
    """Rebuild the shipped model on every writer's rows; the sources (files with their sha256) and the
    leave-one-writer-out accuracy at 0.5 go in zhijian.json."""
    rows = training_rows()
    probs = lowo_proba(rows, **params)
    per = {n: round(float(((p >= 0.5) == np.array([y for _, y in rows[n]])).mean()), 4) for n, p in probs.items()}
    pooled = sum(per[n] * len(rows[n]) for n in per) / sum(len(rows[n]) for n in per)
    meta = {
        "trained_on": {**{f"tests/golden/{s}": "active_listening labels" for s in DEV_SETS},
                       **{_rel(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in writer_files().values()}},
        "rows": {n: len(r) for n, r in rows.items()},
        "lowo_accuracy_at_0.5": {"pooled": round(pooled, 4), **per},
    }
    model = fit_rows(rows, None, **params)
    model.save(out_dir, meta)
    return model


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m models.kinds", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="train on every writer's rows and save here (e.g. models/zh-cs-kinds)")
    ap.add_argument("--lowo", action="store_true", help="leave-one-writer-out accuracy of the model alone at 0.5")
    a = ap.parse_args(argv)
    if a.lowo:
        rows = training_rows()
        probs = lowo_proba(rows)
        tot = ok = 0
        for n, p in probs.items():
            y = np.array([v for _, v in rows[n]])
            c = int(((p >= 0.5) == y).sum())
            tot += len(y)
            ok += c
            print(f"  {n:<16} n={len(y):>4}  yes={int(y.sum()):>4}  accuracy {c / len(y):.3f}")
        print(f"pooled accuracy {ok / tot:.3f} (n={tot})")
    if a.out:
        m = train_default(a.out)
        print(f"saved {m.model_id} to {a.out} ({len(m.vocabulary_)} features)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
