"""What every sentiment model shares: the labels, the contract, the metadata file and the model's input form.

The bottom layer of ``models/`` (base → classifiers → loader): it imports only the standard library,
so ``pipeline.conversation`` can take the label tuple from here without loading numpy, torch or
transformers. The classifiers (``baseline.py``, ``classifier.py``) build on it; ``loader.py`` picks one.

``normalize_text`` is the model's input form, not the pipeline's analysis form (``Message.norm``,
``pipeline.normalise``); rule by rule, model input | analysis form:

- width: NFKC on the whole text (also ①→1, ㎏→kg, ￥→¥, Kangxi radicals) | only full-width ASCII and
  U+3000, one character for one (so offsets hold);
- traditional → simplified: SnowNLP's table (``t2s_chars.txt``; 31 of its pairs differ from OpenCC,
  e.g. 余→馀) | OpenCC t2s, 1:1 mappings, CJK blocks only;
- case: kept | ASCII lower-cased;
- whitespace: runs → one space, ends stripped | also dropped next to CJK characters;
- markup, emoticon codes, mask placeholders: kept | removed.

They differ on purpose: the shipped model was trained on exactly this input form, and changing a
single rule changes what it sees (retrain it first, then change both here and in the model card).
``tests/models/test_base.py`` pins the differences, so neither side is "unified" by accident.
"""
from __future__ import annotations

import json
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # numpy only for the annotations: importing this module loads nothing heavy
    import numpy as np

# The sentiment labels, in the column order of every predict_proba: the one definition
# (pipeline.conversation re-exports it for the results contract).
SENTIMENT_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
CLASSES: list[str] = list(SENTIMENT_LABELS)  # the same, as the list estimators expose in classes_

META_FILE = "zhijian.json"  # the metadata saved beside a model's weights (name, version, kind, temperature …)

T2S_PATH = Path(__file__).resolve().parent / "t2s_chars.txt"


class SentimentModel:
    """What every sentiment model in the project shares: the classes, predict, and the model id."""

    classes_: list[str]

    def predict_proba(self, texts: Sequence[str]) -> "np.ndarray":  # pragma: no cover - interface
        raise NotImplementedError

    def predict(self, texts: Sequence[str]) -> list[str]:
        proba = self.predict_proba(texts)
        return [self.classes_[i] for i in proba.argmax(axis=1)] if len(proba) else []

    @property
    def model_id(self) -> str:
        meta = getattr(self, "meta_", {}) or {}
        return f"{meta.get('name', type(self).__name__)}@{meta.get('version', 0)}"


def check_labels(labels: Sequence[str]) -> list[str]:
    """``labels`` as a list; a ValueError naming any label outside CLASSES."""
    bad = sorted({label for label in labels if label not in CLASSES})
    if bad:
        raise ValueError(f"unknown labels {bad}: use only {CLASSES}")
    return list(labels)


def softmax(z: "np.ndarray") -> "np.ndarray":
    """Row-wise softmax of a 2-d array (numerically stable)."""
    import numpy as np

    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def read_meta(source: str) -> dict:
    """The ``zhijian.json`` of a model directory (or hub name); {} when a model has none."""
    path = Path(source) / META_FILE
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    if Path(source).exists():
        return {}
    try:  # a hub name: fetch the metadata file next to the weights
        from huggingface_hub import hf_hub_download

        return json.loads(Path(hf_hub_download(source, META_FILE)).read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - a hub model without our metadata is still loadable
        return {}


def write_model_meta(out: Path, meta: dict) -> None:
    """The ``zhijian.json`` of a small n-gram model (acts, kinds, declines, textcat): one format for all."""
    (out / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_model_meta(directory: Path, what: str = "", rebuild: str | None = None) -> dict:
    """A small n-gram model's ``zhijian.json``; a clear error (naming the command that rebuilds it, when given) when it
    is missing."""
    path = directory / META_FILE
    if not path.exists():
        hint = f": rebuild it with `{rebuild}`" if rebuild else ""
        raise FileNotFoundError(f"{directory} holds no {what + ' ' if what else ''}model ({META_FILE} missing){hint}")
    return json.loads(path.read_text(encoding="utf-8"))


def write_gram_vocab(out: Path, vocabularies: "Sequence[dict[str, int]]") -> int:
    """``vocab.txt``: each vocabulary's grams in column order (one JSON string a line), one vocabulary after another;
    returns how many grams were written."""
    lines: list[str] = []
    for vocabulary in vocabularies:
        grams = [""] * len(vocabulary)
        for g, i in vocabulary.items():
            grams[i] = g
        lines.extend(json.dumps(g, ensure_ascii=False) for g in grams)
    (out / "vocab.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def read_gram_vocab(directory: Path) -> list[str]:
    """The grams of ``vocab.txt`` in file order (write_gram_vocab's)."""
    return [json.loads(line) for line in (directory / "vocab.txt").read_text(encoding="utf-8").splitlines() if line]


@lru_cache(maxsize=1)
def t2s_table() -> dict[int, str]:
    """The model's traditional→simplified table (read once, on first use)."""
    table = {}
    for line in T2S_PATH.read_text(encoding="utf-8").splitlines():
        if len(line) == 2 and not line.startswith("#"):
            table[ord(line[0])] = line[1]
    return table


@lru_cache(maxsize=1)
def _t2s_chars() -> Any:
    """A regex for any character t2s_table maps (a class that cannot match when the table is empty)."""
    import re

    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(t2s_table())) + "]" if t2s_table() else "(?!)")


def normalize_text(text: str) -> str:
    """The model's input form: NFKC (full-width to half-width), traditional to simplified
    characters (SnowNLP's table), collapsed whitespace.

    Applied at training and at prediction time, so 服務 and 服务 are the same input. See the
    module docstring for how it differs from the pipeline's analysis form, and why.
    """
    s = unicodedata.normalize("NFKC", text)
    # speed only: nearly every text holds no traditional character, and translate then copies it unchanged one
    # dict lookup per character (~40% of this function); one regex scan in C says so first
    if _t2s_chars().search(s):
        s = s.translate(t2s_table())
    return " ".join(s.split())


def tfidf_rows(docs: Iterable[Sequence[str]], vocabulary: dict[str, int], idf: Any) -> tuple[Any, Any, Any]:
    """Sparse rows (CSR parts: row pointers, column ids, values) of char n-gram documents.

    Sublinear tf (1 + log count) × idf, then l2 per row, in one vectorised pass for the whole batch;
    grams outside the vocabulary are dropped. The one implementation for every n-gram model here
    (the TF-IDF baseline, the act model), so their features cannot drift apart.
    """
    crow, col, counts = [0], [], []
    get = vocabulary.get
    for grams in docs:
        # count every gram at C speed, then keep the known ones in first-seen order (the order of
        # the summations below, so it must not change)
        for g, c in Counter(grams).items():
            i = get(g)
            if i is not None:
                col.append(i)
                counts.append(c)
        crow.append(len(col))
    return tfidf_counted(crow, col, counts, idf)


def tfidf_counted(crow: Any, col: Any, counts: Any, idf: Any) -> tuple[Any, Any, Any]:
    """tfidf_rows from its documents' known grams already counted: row pointers, column ids and counts, each row's
    ids in first-seen order (GramIndex.counted gives the same three for a batch of texts)."""
    import numpy as np

    ids = np.asarray(col, dtype=np.int64)
    w = (1.0 + np.log(np.asarray(counts, dtype=np.float32))) * idf[ids] if len(ids) else np.zeros(0, np.float32)
    crow_a = np.asarray(crow, dtype=np.int64)
    lengths = np.diff(crow_a)
    norms = np.zeros(len(lengths), dtype=np.float32)
    nonempty = lengths > 0
    if nonempty.any():
        norms[nonempty] = np.sqrt(np.add.reduceat(w * w, crow_a[:-1][nonempty]))
    norms[norms == 0] = 1.0
    return crow_a, ids, (w / np.repeat(norms, lengths)).astype(np.float32)


def gram_vocabulary(docs: Iterable[Iterable[str]], min_df: int) -> tuple[dict[str, int], Any]:
    """Fitting: the vocabulary (grams in at least ``min_df`` documents, sorted) and its smoothed idf
    (log((1 + n) / (1 + df)) + 1) from one gram collection per document — the one definition for every
    n-gram model's fit (acts, declines, kinds, the textcat core per field)."""
    import math

    import numpy as np

    df: Counter[str] = Counter()
    n = 0
    for grams in docs:
        df.update(set(grams))
        n += 1
    kept = sorted(g for g, c in df.items() if c >= min_df)
    idf = np.array([math.log((1 + n) / (1 + df[g])) + 1.0 for g in kept], dtype=np.float32)
    return {g: i for i, g in enumerate(kept)}, idf


def fit_sparse_linear(rows: tuple[Any, Any, Any], n_features: int, n_out: int, data_loss: Any, l2: float,
                      epochs: int, seed: int) -> tuple[Any, Any]:
    """Fitting: a linear map of sparse CSR ``rows`` (logits = x·w + b, w n_features × n_out, from zeros) that
    minimises ``data_loss(logits) + l2·|w|²`` with LBFGS (strong Wolfe, ``epochs`` iterations) — the optimiser
    every n-gram model here shares; each passes its own loss (class balance, row weights, softmax or
    logistic). Returns (w, b) as float32 arrays. Imports torch, so only fitting code calls it."""
    import warnings

    import numpy as np
    import torch

    crow, ids, val = rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = torch.sparse_csr_tensor(torch.from_numpy(crow), torch.from_numpy(ids), torch.from_numpy(val),
                                    size=(len(crow) - 1, n_features))
    torch.manual_seed(seed)
    w = torch.zeros(n_features, n_out, requires_grad=True)
    b = torch.zeros(n_out, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=epochs, history_size=20, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = data_loss(torch.sparse.mm(x, w) + b) + l2 * (w * w).sum()
        loss.backward()
        return loss

    if n_features:
        opt.step(closure)
    return w.detach().numpy().astype(np.float32), b.detach().numpy().astype(np.float32)


def sparse_logits(crow: Any, ids: Any, val: Any, coef: Any) -> Any:
    """Sparse rows (tfidf_rows' CSR parts) times `coef`: n x classes for a 2-D coef, n for a 1-D one, float32, zero for
    a row with no known gram; each row summed in its entries' order (np.add.reduceat). The one linear read of every
    n-gram model here (acts, kinds, declines, textcat and its hand-off model)."""
    import numpy as np

    out = np.zeros((len(crow) - 1,) + tuple(coef.shape[1:]), dtype=np.float32)
    nonempty = np.diff(crow) > 0
    if nonempty.any():
        contrib = coef[ids] * (val[:, None] if coef.ndim == 2 else val)
        out[nonempty] = np.add.reduceat(contrib, crow[:-1][nonempty], axis=0)
    return out


class GramIndex:
    """A char n-gram vocabulary read by numpy for a whole batch of texts: each document's known grams as vocabulary ids
    and counts, in first-seen order, exactly what `Counter(grams)` and a vocabulary lookup give in tfidf_rows (or a
    loop over n, then position, in the kind model's `_one`), with no gram string made.

    Why: cutting, hashing and counting one Python string per gram was most of what the rubric's judgement models cost
    on the run's thread (~1.5 M grams for the customer messages of 6,000 conversations, every one of them new). Here a
    gram is a number: its characters' codes in the vocabulary's alphabet, in base B (a character outside it makes a
    gram no vocabulary string can be), plus its tag's number above them. A tag is a prefix a model puts before a
    group of grams (the kind model's first-message mark "1", the hand-off model's field mark, the decline model's
    context mark "\x01"). Every vocabulary string is entered under each (tag, gram) a lookup could spell it from, so a
    number is known exactly when `tag + gram` is a key of the vocabulary (the kind model's "123" is the gram 123 and
    the marked 23 alike, as it is to a dict lookup).

    `tags`: (prefix, shortest, longest gram) per tag, the tag's number its position."""

    def __init__(self, vocabulary: dict[str, int], tags: Sequence[tuple[str, int, int]] = (("", 1, 4),)) -> None:
        import numpy as np

        alphabet = sorted({ch for g in vocabulary for ch in g})
        self.tags = tuple(tags)
        self.longest = max(hi for _, _, hi in self.tags)
        self.unknown = len(alphabet) + 1  # codes 1..len(alphabet); 0 is no character, so each length spells its own
        self.base = len(alphabet) + 2
        if len(self.tags) * self.base ** self.longest >= 2**62:
            raise ValueError("GramIndex: the alphabet is too large for int64 gram numbers")
        self.table = np.full(max((ord(c) for c in alphabet), default=0) + 1, self.unknown, dtype=np.int64)
        self.table[[ord(c) for c in alphabet]] = np.arange(1, len(alphabet) + 1)
        # `_number` of every (tag, gram) a vocabulary string spells, in numpy: the index is built on the run's thread
        # at a model's first batch, and one Python loop per gram cost ~0.09 s for the decline model's 50,000 grams.
        # The keys are distinct (a key spells one tag and one gram), so their sorted order is the loop's.
        grams, gram_ids = list(vocabulary), np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))
        keys_of, ids_of = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for t, (prefix, lo, hi) in enumerate(self.tags):
            cut = len(prefix)
            which = [k for k, g in enumerate(grams) if g.startswith(prefix) and lo <= len(g) - cut <= hi]
            if not which:
                continue
            bodies = [grams[k][cut:] for k in which]
            lengths = np.fromiter(map(len, bodies), dtype=np.int64, count=len(bodies))
            cps = np.frombuffer("".join(bodies).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
            row = np.repeat(np.arange(len(bodies)), lengths)
            place = np.arange(len(cps)) - np.repeat(np.cumsum(lengths) - lengths, lengths)  # k: the character's place
            number = np.full(len(bodies), t * self.base ** self.longest, dtype=np.int64)
            np.add.at(number, row, self.table[cps] * np.asarray([self.base ** k for k in range(self.longest)],
                                                                 dtype=np.int64)[place])
            keys_of.append(number)
            ids_of.append(gram_ids[which])
        keys, ids = np.concatenate(keys_of), np.concatenate(ids_of)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.ids = ids[order]
        self.size = max(vocabulary.values(), default=-1) + 1

    def _number(self, tag: int, gram: str) -> int:
        n = tag * self.base ** self.longest
        for k, ch in enumerate(gram):
            n += int(self.table[ord(ch)]) * self.base ** k
        return n

    def counted(self, parts: Sequence[tuple[int, int, str, int]], docs: int) -> tuple[Any, Any, Any]:
        """(row pointers, ids, counts) of `docs` documents (tfidf_counted's input) from `parts`: (document, group, text,
        tag) each. A document's grams are met group by group (the groups' numbers rising with the documents'), in a
        group by length, then position, then the part's place among the group's parts: one text alone is a group; the
        kind model's first message and its marked twin are one (each gram, then its marked one)."""
        import numpy as np

        empty = np.zeros(0, dtype=np.int64)
        texts = [p[2] for p in parts]
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        total = int(lengths.sum())
        if not total:
            return np.zeros(docs + 1, dtype=np.int64), empty, empty
        cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        codes = np.full(total + self.longest, 0, dtype=np.int64)
        inside = cps < len(self.table)
        codes[:total] = np.where(inside, self.table[np.where(inside, cps, 0)], self.unknown)
        part_of = np.repeat(np.arange(len(parts)), lengths)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        ends = (starts + lengths)[part_of]
        position = np.arange(total) - starts[part_of]
        tag = np.asarray([p[3] for p in parts], dtype=np.int64)[part_of]
        group = np.asarray([p[1] for p in parts], dtype=np.int64)[part_of]
        doc = np.asarray([p[0] for p in parts], dtype=np.int64)[part_of]
        rank = np.zeros(len(parts), dtype=np.int64)  # a part's place among its group's parts
        for k in range(1, len(parts)):
            if parts[k][1] == parts[k - 1][1]:
                rank[k] = rank[k - 1] + 1
        rank = rank[part_of]
        lo = np.asarray([t[1] for t in self.tags], dtype=np.int64)[tag]
        hi = np.asarray([t[2] for t in self.tags], dtype=np.int64)[tag]
        number = tag * self.base ** self.longest
        found: list[tuple[Any, Any, Any]] = []  # (where, n, ids) of the known grams of each length
        at = np.arange(total)
        for n in range(1, self.longest + 1):
            number = number + codes[n - 1:n - 1 + total] * self.base ** (n - 1)
            can = (at + n <= ends) & (lo <= n) & (n <= hi)
            where = at[can]
            if not len(where):
                continue
            keys = number[can]
            slot = np.minimum(np.searchsorted(self.keys, keys), max(len(self.keys) - 1, 0))
            known = self.keys[slot] == keys if len(self.keys) else np.zeros(len(keys), dtype=bool)
            found.append((where[known], np.full(int(known.sum()), n, dtype=np.int64), self.ids[slot[known]]))
        if not found:
            return np.zeros(docs + 1, dtype=np.int64), empty, empty
        where = np.concatenate([f[0] for f in found])
        lengths_n = np.concatenate([f[1] for f in found])
        ids = np.concatenate([f[2] for f in found])
        # group, then length, then position, then the part's place, as one number: one sort
        span, ranks = int(lengths.max()) + 1, int(rank.max()) + 1
        order = np.argsort(((group[where] * (self.longest + 1) + lengths_n) * span + position[where]) * ranks + rank[where])
        ids, doc_of = ids[order], doc[where][order]
        # each document's distinct ids in first-seen order, with their counts
        unique, first, counts = np.unique(doc_of * self.size + ids, return_index=True, return_counts=True)
        seen = np.argsort(first, kind="stable")
        unique, counts = unique[seen], counts[seen]
        row_of = unique // self.size
        crow = np.concatenate([[0], np.cumsum(np.bincount(row_of, minlength=docs))]).astype(np.int64)
        return crow, unique % self.size, counts

    def rows(self, texts: Sequence[str], tag: int = 0, chunk: int = 2048) -> tuple[Any, Any, Any]:
        """counted() of one text per document (each its own group), `chunk` texts at a time: counted's arrays are a few
        int64 per character, so a whole batch's customer turns at once would lift the run's peak memory (a row
        depends on its own text only, so the chunks join to the same rows)."""
        import numpy as np

        pieces = [self.counted([(k, k, t, tag) for k, t in enumerate(texts[a:a + chunk])], len(texts[a:a + chunk]))
                  for a in range(0, len(texts), chunk)] or [self.counted([], 0)]
        if len(pieces) == 1:
            return pieces[0]
        ends = np.cumsum([p[0][-1] for p in pieces])
        crow = np.concatenate([[0]] + [p[0][1:] + (ends[i - 1] if i else 0) for i, p in enumerate(pieces)]).astype(np.int64)
        return crow, np.concatenate([p[1] for p in pieces]), np.concatenate([p[2] for p in pieces])


class BoundedMemo(dict):
    """The results of a pure function kept per distinct input, started afresh when full: the one bound
    policy of every per-text memo in the run (normalisation, jieba tokens and blocks, masking, lexicon
    spans, paraphrase matches, act-model and state-model rows).

    Why per text: agents' template lines and quick replies repeat all night, so most lookups hit. Why
    cleared whole rather than least-recently-used: a night's customer texts are nearly all distinct, so
    an LRU's bookkeeping would cost on every miss for little gain, and clearing keeps memory flat however
    long the night is. A dict underneath, so a hit is one C-level `get`.

    `limit` is a number, or `(module name, constant name)`: the constant is read when the memo fills, so
    a test that patches it bounds every memo built from it. What is kept must never be changed by a
    caller (keep tuples, or hand out copies). A memo pickles empty (a model or rubric sent to a Dask
    worker carries its bound, not what this process happened to compute).
    """

    __slots__ = ("_limit", "_read")

    def __init__(self, limit: int | tuple[str, str]) -> None:
        super().__init__()
        self._limit = limit
        # (module object, constant name), looked up once here: a put is on every miss of a hot path
        self._read = (sys.modules[limit[0]], limit[1]) if isinstance(limit, tuple) else None

    @property
    def limit(self) -> int:
        return self._limit if self._read is None else getattr(*self._read)

    def put(self, key: Any, value: Any) -> Any:
        """Keep `value` for `key` (clearing everything first when full); returns `value`."""
        if len(self) >= (self._limit if self._read is None else getattr(*self._read)):
            self.clear()
        self[key] = value
        return value

    def make_room(self, n: int) -> bool:
        """Clear when `n` more entries would go over the limit (a whole batch is then put, even one
        larger than the limit, so every key of it is answered); whether it cleared."""
        if len(self) + n > self.limit:
            self.clear()
            return True
        return False

    def __reduce__(self) -> tuple:
        return (BoundedMemo, (self._limit,))


# the judgement models loaded in this process, by (class, resolved directory): a rubric's criteria, the evaluation
# tools and the Dask workers' stages all ask for the same few models, and each must be read from disk once
_LOADED_MODELS: dict[tuple[str, str], Any] = {}


def load_once(load: Any, path: "str | Path | None", default: "str | Path") -> Any:
    """`load(directory)` for `path` (None: `default`, the shipped model), once per process and directory."""
    directory = str(Path(path).resolve() if path else Path(default))
    key = (getattr(load, "__qualname__", repr(load)), directory)
    model = _LOADED_MODELS.get(key)
    if model is None:
        model = _LOADED_MODELS[key] = load(directory)
    return model

