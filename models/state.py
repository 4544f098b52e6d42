"""Customer state: how upset a customer turn is, read with the agent's previous message (issue 13).

The sentiment model says *polarity* (negative / neutral / positive) of a turn on its own. Two questions
it cannot answer well, and which the rubric needs:

* **needs empathy** — does the turn show a feeling an agent should acknowledge first (frustration,
  worry incl. from a past bad experience, sarcasm, disappointment incl. after a thank-you,
  resignation, doubt)? A calm defect report (刚拆开 有一个碎了) is negative but needs none.
* **what a short reply means here** — 没有了 / 好的 / 嗯 after 还有什么可以帮您 is a neutral close;
  好吧 / 算了 after a refusal is resignation.

``CustomerStateModel`` is a small stacked model over three inputs: char 1–3-grams of the turn
(Cantonese words mapped to Mandarin first, then the sentiment model's input form), char 1–2-grams of
the agent's previous message for *short* turns only (``SHORT_CHARS``: context decides a bare reply,
not a sentence that speaks for itself), and the sentiment model's log-probabilities for the turn. Two
heads: ``empathy`` (logistic) and ``sentiment`` (3-class softmax, the context-read polarity). A model may
carry a second fitted model whose empathy head is read with its own (``empathy_part``: the two heads'
log-odds mixed, saved in ``empathy_part/``; ``zh-cs-state@5``), and one whose polarity head is read with its own
(``polarity_part``: the polarity logits pooled, one weight for long turns and one for short ones, saved in
``polarity_part/``; ``zh-cs-state@6``). Feature
set 2 (``feature_set`` in the model's meta; the ``@4`` candidate) adds what the agent's previous line
does (``agent_kinds``: refusal, blame, closing question, …); a model without the key reads set 1. It has
no dependencies beyond numpy (fitting on sparse rows too: ``fit_sparse``); weights are a vocabulary
(JSON) and one float32 matrix per head.

    from models.state import load_state_model
    sm = load_state_model()                               # the shipped models/zh-cs-state
    out = sm.predict(["好吧"], ["这个确实没办法退的哦"], proba)   # proba: the sentiment model's n x 3
    out.empathy[0], out.sentiment[0]                      # P(needs empathy), n x 3 context polarity
    sm.model_id                                           # "zh-cs-state@1"

Train: ``python -m models.state_recipe train`` (the shipped recipe; this module's own ``train`` fits one
file's labels as written). Calibration check: ``python -m models.state cv [TSV ...]``
(cross-validated P(needs empathy) in bands, against the share of turns that need it). A classifier of ``models/``: imports ``models.base``
only (the sentiment model is passed in by the caller as probabilities).
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import chain
from operator import add, is_not
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from models.base import CLASSES, META_FILE, BoundedMemo, normalize_text, softmax
from models.state_reading import ordered_row_sums

SHIPPED_STATE_DIR = Path(__file__).resolve().parent / "zh-cs-state"
NAME = "zh-cs-state"
VERSION = 1
_SPARSE_ROWS_MAX = 50_000  # distinct (turn, previous agent message) pairs a loaded model keeps
EMPATHY_PART_DIR = "empathy_part"  # where a model's second empathy head is saved, beside its own weights
POLARITY_PART_DIR = "polarity_part"  # and its second polarity head (``@6``)
SHORT_CHARS = 6  # a turn with at most this many word characters is read with the agent's previous message

# Cantonese → Mandarin, longest first; applied to the raw turn before the model's input form (which
# maps traditional characters to simplified), so 真係好失望 / 等咗成個禮拜 read like 真是好失望 / 等了整个星期.
CANTONESE: tuple[tuple[str, str], ...] = (
    ("頂唔順", "受不了"), ("顶唔顺", "受不了"), ("冇人理", "没人理"), ("點解", "为什么"), ("点解", "为什么"),
    ("乜嘢", "什么"), ("咩嘢", "什么"), ("幾時", "什么时候"), ("几时", "什么时候"), ("而家", "现在"),
    ("成日", "总是"), ("邊個", "谁"), ("边个", "谁"), ("唔該", "谢谢"), ("唔该", "谢谢"), ("多謝", "谢谢"),
    ("算數", "算了"), ("算数", "算了"), ("搞掂", "搞定"), ("禮拜", "星期"), ("礼拜", "星期"), ("真係", "真是"),
    ("真系", "真是"), ("係咪", "是不是"), ("系咪", "是不是"), ("佢哋", "他们"), ("你哋", "你们"), ("我哋", "我们"),
    ("嘢", "东西"), ("咁", "这么"), ("乜", "什么"), ("咩", "什么"), ("喺", "在"), ("咗", "了"), ("唔", "不"),
    ("冇", "没"), ("嘅", "的"), ("啲", "些"), ("佢", "他"), ("睇", "看"), ("諗", "想"), ("搵", "找"),
    ("攞", "拿"), ("嬲", "生气"), ("畀", "给"), ("俾", "给"), ("係", "是"), ("啱", "对"), ("揀", "选"),
)
_CANTONESE_RE = re.compile("|".join(re.escape(a) for a, _ in CANTONESE))
_CANTONESE_MAP = dict(CANTONESE)
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_KNOWN = partial(is_not, None)  # a vocabulary lookup that found its feature (index 0 included)


def mandarin(text: str) -> str:
    """Cantonese words to Mandarin (longest first), then the sentiment model's input form."""
    return normalize_text(_CANTONESE_RE.sub(lambda m: _CANTONESE_MAP[m.group(0)], text)).lower()


def is_short(text: str, chars: int = SHORT_CHARS) -> bool:
    return len(_WORD.findall(text)) <= chars


def _grams(s: str, lo: int, hi: int, prefix: str) -> list[str]:
    """The char lo–hi-grams of ``^s$``, shorter grams first, each in text order, ``prefix`` before each."""
    s = f"^{s}$"
    if prefix:
        return [prefix + s[i : i + n] for n in range(lo, hi + 1) for i in range(len(s) - n + 1)]
    # speed only (a turn's own grams, read for every new turn): each n-gram is the (n-1)-gram before it plus
    # the next character, joined in C by map — the same strings in the same order as the slices above
    out: list[str] = []
    grams = list(s)
    for n in range(1, hi + 1):
        if n > 1:
            grams = list(map(add, grams, s[n - 1 :]))
        if n >= lo:
            out += grams
    return out


# the clause after a contrast (不过 / 但是 / 可是 / 只是) or a relief turn (还好 / 幸好 / 好在) carries the turn:
# 好的谢谢，不过说实话挺失望的 is disappointed; 吓死我了，还好收到了 is relief
CONTRAST = re.compile(r"(不过|但是|可是|只是|但|然而|还好|幸好|好在|幸亏|结果)")


def tail_clause(s: str) -> str | None:
    """The text after the last contrast or relief marker, when something follows it."""
    last = None
    for m in CONTRAST.finditer(s):
        last = m
    if last is None or last.start() == 0 and last.group(0) in ("但", "结果"):
        return None
    tail = s[last.start():]
    return tail if len(_WORD.findall(tail)) > len(last.group(0)) else None


@lru_cache(maxsize=4096)
def _prev_grams(prev_agent: str) -> tuple[str, ...]:
    """The previous agent message's features (agents' template lines recur: computed once each)."""
    return tuple(_grams(mandarin(prev_agent), 1, 2, "P:"))


FEATURE_SETS = (1, 2, 3)


def features(text: str, prev_agent: str | None, feature_set: int = 1) -> list[str]:
    """The sparse features of one turn: its char 1–3-grams; the clause after a contrast or relief marker
    again (prefix ``C:``); for a short turn, also the agent's previous message's char 1–2-grams (prefix
    ``P:``) and a short-turn marker. Feature set 2 (``@4``) adds what the previous agent line does
    (``agent_kinds``): prefix ``A:`` for a short turn, ``L:`` for a longer one (a long turn speaks for
    itself more, so its context weighs as features of their own). Feature set 3 (``@8``) adds the short
    reply's grams paired with that act (``act_pairs``)."""
    return with_set(feature_parts(text, prev_agent), feature_set)


def with_set(parts: tuple[list[str], list[str]], feature_set: int) -> list[str]:
    """A turn's features for a feature set, from ``feature_parts`` (computed once for every head that reads it)."""
    base, kinds = parts
    if feature_set < 2:
        return base
    return base + kinds + act_pairs(base, kinds) if feature_set >= 3 else base + kinds


def act_pairs(base: list[str], kinds: list[str]) -> list[str]:
    """Set 3: a short reply's char 1–2-grams, each paired with the agent line's act (prefix ``X:``). A linear head
    over grams and acts adds them up, so 算了 weighs the same after a refusal as after a plain offer; the pair lets
    算了 after a refusal (resignation) and 算了 after an upsell (a neutral decline) weigh apart, and it carries from one
    writer's agent lines to another's as the act does."""
    acts = [k[2:] for k in kinds if k.startswith("A:")]
    if not acts:
        return []
    grams = [g for g in base if g[0] not in "#PC" and 0 < len(g.strip("^$")) <= 2]
    return [f"X:{a}|{g}" for a in acts for g in grams]


def feature_parts(text: str, prev_agent: str | None) -> tuple[list[str], list[str]]:
    """``features`` in two parts: feature set 1's list, and what set 2 appends to it (the previous agent
    line's kinds). A model read with a second head of the other set computes a turn's grams once."""
    s = mandarin(text)
    out = _grams(s, 1, 3, "")
    tail = tail_clause(s)
    if tail:
        out += _grams(tail, 1, 3, "C:")
    ctx = bool(prev_agent and prev_agent.strip())
    kinds: list[str] = []
    if is_short(text):
        out.append("#short")
        if ctx:
            out += _prev_grams(prev_agent)
            kinds = ["A:" + k for k in agent_kinds(prev_agent)]
        else:
            out.append("#short-noctx")
    elif ctx:
        kinds = ["L:" + k for k in agent_kinds(prev_agent)]
    return out, kinds


# What the agent's previous line does, by the words that do it (after ``mandarin``, so traditional and
# Cantonese lines read alike). The raw char-grams of one writer's agent lines do not carry to another
# writer's; the act does: 好的 after a refusal is resignation, after a fix a plain yes, after 还有什么可以帮您
# a close. Several kinds can hold (抱歉 + 没办法).
AGENT_KINDS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (name, re.compile(p))
    for name, p in (
        ("refusal", r"没办法|没有办法|无法|不能|不支持|做不到|不可以|处理不了|办不了|不予|不在.{0,6}范围|超过|已过|过了|只能|规定|政策|没有权限|不补|不退|不给"),
        ("blame", r"快递(那边|的问题|公司)|物流那边|左右不了|管不了|不归|第三方|厂家那边|您自己|您这边|人为|个人原因|应该先|您没有|不是我们"),
        ("closing", r"还有(什么|其他|别的)|其他问题|随时|祝您|再见|评价|满意|感谢您的(耐心|理解|支持|咨询)"),
        ("solution", r"已(经)?(为|帮|给)您|帮您(申请|安排|处理|补|换|退|催|改|备注|登记|加急|联系)|补发|重新(发|寄)|安排|退款(已|会)|已(处理|退|发|改|补)"),
        ("ask", r"麻烦|提供|发一下|拍(个|一下|张)|照片|视频|订单号|确认一下|核实"),
        ("apology", r"抱歉|对不起|不好意思|给您带来"),
        ("wait", r"耐心|稍等|等待|尽快|催促|加急|跟进|24小时|48小时|工作日"),
    )
)


@lru_cache(maxsize=4096)
def agent_kinds(prev_agent: str) -> tuple[str, ...]:
    """The kinds of ``AGENT_KINDS`` the line shows, or ("other",)."""
    s = mandarin(prev_agent)
    found = tuple(name for name, pat in AGENT_KINDS if pat.search(s))
    if "closing" in found:  # 请问还有其他可以帮您的吗 asks nothing to report: 没有 after it is a close
        found = tuple(k for k in found if k != "ask")
    return found or ("other",)


@dataclass
class StateOutput:
    empathy: np.ndarray  # n: P(needs empathy)
    sentiment: np.ndarray  # n x 3 (CLASSES order): the context-read polarity


def sparse_rows(vocab: dict[str, int], texts: Sequence[str], prevs: Sequence[str], feature_set: int = 1) -> list[tuple[np.ndarray, float]]:
    """Each turn's features as (distinct vocabulary indices, value): one row of the stacked model's sparse
    part (binary, L2-normalised per turn), without an n x vocabulary matrix."""
    out = []
    for t, p in zip(texts, prevs):
        idx = [vocab[g] for g in features(t, p, feature_set) if g in vocab]
        out.append((np.unique(np.array(idx, dtype=np.int64)), 1.0 / np.sqrt(len(idx)) if idx else 0.0))
    return out


def fit_sparse(rows: Sequence[tuple[np.ndarray, float]], n_vocab: int, proba: np.ndarray, y: np.ndarray, k: int,
               l2: float, weights: np.ndarray, iters: int = 300) -> np.ndarray:
    """Softmax (k > 1) or logistic (k == 1) regression by full-batch Adam (float32) on sparse rows plus the
    sentiment model's log-probabilities; W with a bias row. A dense n x vocabulary matrix made one fit of
    ~3,000 rows cost minutes on a busy 2-core machine; this, seconds."""
    r_idx = np.concatenate([np.full(len(i), n, dtype=np.int64) for n, (i, _) in enumerate(rows)] or [np.zeros(0, np.int64)])
    c_idx = np.concatenate([i for i, _ in rows] or [np.zeros(0, np.int64)])
    vals = np.concatenate([np.full(len(i), v, dtype=np.float32) for i, v in rows] or [np.zeros(0, np.float32)])
    n = len(rows)
    dense = np.hstack([np.log(np.clip(np.asarray(proba, dtype=np.float32), 1e-4, 1.0)) / 4.0,
                       np.ones((n, 1), dtype=np.float32)]).astype(np.float32)
    w = np.zeros((n_vocab + 4, k), dtype=np.float32)
    m, v = np.zeros_like(w), np.zeros_like(w)
    sw = (weights.astype(np.float32) / weights.sum())[:, None]
    onehot = (np.eye(k)[y] if k > 1 else y.reshape(-1, 1)).astype(np.float32)
    decay = np.full((n_vocab + 4, 1), l2, dtype=np.float32)
    decay[-1] = 0.0
    for t in range(1, iters + 1):
        z = dense @ w[n_vocab:]
        for j in range(k):
            z[:, j] += np.bincount(r_idx, weights=vals * w[c_idx, j], minlength=n)
        p = softmax(z) if k > 1 else 1 / (1 + np.exp(-z))
        r = ((p - onehot) * sw).astype(np.float32)
        g = np.empty_like(w)
        for j in range(k):
            g[:n_vocab, j] = np.bincount(c_idx, weights=vals * r[r_idx, j], minlength=n_vocab)
        g[n_vocab:] = dense.T @ r
        g += decay * w
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= (0.1 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)).astype(np.float32)
    return w


class CustomerStateModel:
    def __init__(self, l2: float = 3e-4, min_df: int = 2, feature_set: int = 1) -> None:
        self.l2 = l2
        self.min_df = min_df
        self.feature_set = feature_set  # FEATURE_SETS: 1 for @1–@3, 2 adds the previous agent line's act, 3 its pairs
        self.vocab: dict[str, int] = {}
        self.w_empathy: np.ndarray | None = None
        self.w_sentiment: np.ndarray | None = None
        # a second fitted model whose empathy head is read together with this one's (``@5``): P(needs empathy)
        # from the two heads' log-odds mixed (1 - weight) : weight; the polarity head stays this model's own
        self.empathy_part: CustomerStateModel | None = None
        self.empathy_part_weight: float = 0.0
        # a fitted model whose polarity head is read with this one's (``@6``): the polarity logits pooled (1 - w) : w,
        # w one weight for long turns and one for short ones — at most ``polarity_part_short_chars`` word characters:
        # a reply read against the agent's line (那算了 我用花呗 after a refusal that offers another way), where the
        # writers' conventions differ most; without it (or at 0) the polarity is this model's own head (``@5``)
        self.polarity_part: CustomerStateModel | None = None
        self.polarity_part_weight: float = 0.0
        self.polarity_part_short_weight: float = 0.0
        self.polarity_part_short_chars: int = SHORT_CHARS
        # ``@7``: the short weight only on a reply (a turn with an agent line before it); a short opener keeps this
        # model's reading — a bare 退款退了兩週還沒到帳 has no line to be read against, and the writers' heads read it calm
        self.polarity_part_short_replies: bool = False
        self.meta_: dict = {"name": NAME, "version": VERSION}

    @property
    def model_id(self) -> str:
        return f"{self.meta_.get('name', NAME)}@{self.meta_.get('version', VERSION)}"

    def fit(self, texts: Sequence[str], prevs: Sequence[str | None], proba: np.ndarray,
            sentiment: Sequence[str], needs_empathy: Sequence[bool],
            empathy_rows: Sequence[bool] | None = None) -> "CustomerStateModel":
        """``empathy_rows``: which rows train the empathy head (default all); the others train the polarity head only
        (``state_recipe``'s ``polarity_only`` files: rows that teach a short reply's reading without moving the
        calibration the rubric's cut-offs were chosen on)."""
        counts: dict[str, int] = {}
        for t, p in zip(texts, prevs):
            for g in set(features(t, p, self.feature_set)):
                counts[g] = counts.get(g, 0) + 1
        kept = sorted(g for g, c in counts.items() if c >= self.min_df)
        self.vocab = {g: i for i, g in enumerate(kept)}
        rows = sparse_rows(self.vocab, texts, prevs, self.feature_set)
        ys = np.array([CLASSES.index(s) for s in sentiment])
        ye = np.array([bool(e) for e in needs_empathy], dtype=np.int64)
        # balanced: yes and no weigh the same in the empathy head
        on = np.ones(len(ye), dtype=bool) if empathy_rows is None else np.asarray(empathy_rows, dtype=bool)
        pos = ye[on].mean()
        we = np.where(ye == 1, 0.5 / max(pos, 1e-6), 0.5 / max(1 - pos, 1e-6)) * on
        self._sparse_rows = BoundedMemo((__name__, "_SPARSE_ROWS_MAX"))  # rows of earlier weights go
        self.w_empathy = fit_sparse(rows, len(self.vocab), proba, ye, 1, self.l2, we)
        self.w_sentiment = fit_sparse(rows, len(self.vocab), proba, ys, 3, self.l2, np.ones(len(rows)))
        self.meta_.update({"n_train": len(texts), "features": len(self.vocab), "short_chars": SHORT_CHARS})
        return self

    def predict(self, texts: Sequence[str], prevs: Sequence[str | None], proba: np.ndarray) -> StateOutput:
        if not len(texts):
            return StateOutput(np.zeros(0), np.zeros((0, 3)))
        if self.empathy_part is None and self.polarity_part is None:
            z = self.logits(texts, prevs, proba)
        else:
            # heads read together: the own ones fitted on the shipped rows (calibrated on whole conversations), the
            # parts on many writers (they rank and read an unseen writer's turns better); neither alone held every
            # dev set. A turn's grams are the same for every head's feature set up to the agent-kind tail: made once.
            parts: dict[int, tuple[list[str], list[str]]] = {}

            def grams(i: int, feature_set: int) -> list[str]:
                if i not in parts:
                    parts[i] = feature_parts(texts[i], prevs[i])
                return with_set(parts[i], feature_set)

            z = self.logits(texts, prevs, proba, grams)
            ze = None
            if self.empathy_part is not None:
                w = self.empathy_part_weight
                ze = self.empathy_part.logits(texts, prevs, proba, grams)
                z[:, 0] = (1 - w) * z[:, 0] + w * ze[:, 0]
            if self.polarity_part is not None and (self.polarity_part_weight or self.polarity_part_short_weight):
                short, replies = self.polarity_part_short_chars, self.polarity_part_short_replies
                wp = np.array([(self.polarity_part_short_weight if not replies or (p and p.strip()) else 0.0) if is_short(t, short)
                               else self.polarity_part_weight for t, p in zip(texts, prevs)])[:, None]
                mix = np.flatnonzero(wp[:, 0])  # the part's head is read only where it counts (most chat turns are short)
                if self.polarity_part is self.empathy_part:
                    zp = ze[mix]
                else:
                    zp = self.polarity_part.logits([texts[i] for i in mix], [prevs[i] for i in mix], np.asarray(proba)[mix],
                                                   lambda j, feature_set: grams(int(mix[j]), feature_set))
                z[mix, 1:] = (1 - wp[mix]) * z[mix, 1:] + wp[mix] * zp[:, 1:]
        e = 1 / (1 + np.exp(-z[:, 0]))
        return StateOutput(e, softmax(z[:, 1:]))

    def logits(self, texts: Sequence[str], prevs: Sequence[str | None], proba: np.ndarray,
               grams: Callable[[int, int], list[str]] | None = None) -> np.ndarray:
        """n x 4: the empathy head's log-odds, then the polarity head's three logits (this model's own heads).
        ``grams(i, feature_set)``: turn i's features when a caller already has them (``predict``)."""
        # sparse: sum the weight rows of each turn's features (no n x vocab matrix)
        n = len(self.vocab)
        w = np.hstack([self.w_empathy, self.w_sentiment])  # (n + 3 + 1) x 4
        z = np.tile(w[-1], (len(texts), 1)).astype(np.float64)
        # the sparse part of a row depends on (turn, previous agent message) alone: kept per distinct
        # pair (好的 / 在吗 after the same template line recur), computed exactly as before when new; a pair
        # repeated within this call is computed once too (its row copied: the same bits as computing it again)
        kept = self.__dict__.setdefault("_sparse_rows", BoundedMemo((__name__, "_SPARSE_ROWS_MAX")))
        kept.make_room(len(texts))  # this call's rows all go in, even past the bound
        hits: list[int] = []
        hit_rows: list[np.ndarray] = []
        first: dict[tuple[str, str | None], int] = {}  # a new pair -> its place among new_rows
        new_rows: list[int] = []
        new_idx: list[list[int]] = []
        repeats: list[int] = []
        repeat_of: list[int] = []
        get, feature_set = self.vocab.get, self.feature_set
        for i, pair in enumerate(zip(texts, prevs)):
            row = kept.get(pair)
            if row is not None:
                hits.append(i)
                hit_rows.append(row)
                continue
            j = first.get(pair)
            if j is not None:
                repeats.append(i)
                repeat_of.append(j)
                continue
            first[pair] = len(new_rows)
            turn = grams(i, feature_set) if grams else features(pair[0], pair[1], feature_set)
            new_rows.append(i)
            new_idx.append(list(filter(_KNOWN, map(get, turn))))  # the known features' rows, in feature order
        if hits:
            z[hits] = hit_rows
        # the new rows' weight sums in a few numpy calls (a call per turn cost more than the sums), each row
        # added up in its features' order in the weights' float32, as w[idx].sum(axis=0) did (ordered_row_sums)
        lens = np.fromiter(map(len, new_idx), dtype=np.int64, count=len(new_idx))
        some = lens > 0
        if some.any():
            flat = np.fromiter(chain.from_iterable(new_idx), dtype=np.int64, count=int(lens.sum()))
            sums = ordered_row_sums(w, flat, lens)
            rows = np.asarray(new_rows, dtype=np.int64)[some]
            z[rows] += sums[some] / np.sqrt(lens[some])[:, None]
        if new_rows:
            block = z[new_rows]  # a copy: what the memo keeps never changes with z
            kept.update(zip(first, block))  # first's keys are in new_rows' order
            if repeats:
                z[repeats] = block[repeat_of]
        lp = np.log(np.clip(np.asarray(proba, dtype=np.float64), 1e-4, 1.0)) / 4.0
        z += lp @ w[n : n + 3]
        return z

    def save(self, directory: str | Path) -> Path:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        (d / "vocab.json").write_text(json.dumps(list(self.vocab), ensure_ascii=False), encoding="utf-8")
        np.savez_compressed(d / "weights.npz", empathy=self.w_empathy, sentiment=self.w_sentiment)
        meta = dict(self.meta_, kind="state", l2=self.l2, min_df=self.min_df, feature_set=self.feature_set)
        meta.pop("empathy_part", None)
        if self.empathy_part is not None:
            self.empathy_part.save(d / EMPATHY_PART_DIR)
            meta["empathy_part"] = {"dir": EMPATHY_PART_DIR, "weight": self.empathy_part_weight}
        meta.pop("polarity_part", None)
        if self.polarity_part is not None:
            self.polarity_part.save(d / POLARITY_PART_DIR)
            meta["polarity_part"] = {"dir": POLARITY_PART_DIR, "weight": self.polarity_part_weight,
                                     "short_weight": self.polarity_part_short_weight, "short_chars": self.polarity_part_short_chars}
            if self.polarity_part_short_replies:
                meta["polarity_part"]["short_replies"] = True
        (d / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return d

    @classmethod
    def load(cls, directory: str | Path) -> "CustomerStateModel":
        d = Path(directory)
        meta = json.loads((d / META_FILE).read_text(encoding="utf-8"))
        self = cls(l2=meta.get("l2", 3e-4), min_df=meta.get("min_df", 2), feature_set=meta.get("feature_set", 1))
        self.vocab = {g: i for i, g in enumerate(json.loads((d / "vocab.json").read_text(encoding="utf-8")))}
        w = np.load(d / "weights.npz")
        self.w_empathy, self.w_sentiment = w["empathy"], w["sentiment"]
        self.meta_ = meta
        part = meta.get("empathy_part")
        if part:
            self.empathy_part = cls.load(d / part["dir"])
            self.empathy_part_weight = float(part["weight"])
        part = meta.get("polarity_part")
        if part:
            self.polarity_part = cls.load(d / part["dir"])
            self.polarity_part_weight, self.polarity_part_short_weight = float(part["weight"]), float(part["short_weight"])
            self.polarity_part_short_chars = int(part.get("short_chars", SHORT_CHARS))
            self.polarity_part_short_replies = bool(part.get("short_replies", False))
        return self


_CACHE: dict[str, CustomerStateModel] = {}


def load_state_model(directory: str | Path | None = None) -> CustomerStateModel:
    """The customer-state model at ``directory`` (default: the shipped models/zh-cs-state), cached."""
    key = str(directory or SHIPPED_STATE_DIR)
    if key not in _CACHE:
        _CACHE[key] = CustomerStateModel.load(key)
    return _CACHE[key]


# ---------------------------------------------------------------------- training
TRAIN_FILE = Path(__file__).resolve().parent.parent / "data" / "sentiment" / "chat_turns_context.tsv"
# written for a next state model (calm-toned reports that carry a feeling, plain questions); not in @1
CALM_FILE = TRAIN_FILE.with_name("chat_turns_context_calm.tsv")
# calm factual reports (negative / no needs_empathy): the kind the head reads too high on other writers' chats
REPORTS_FILE = TRAIN_FILE.with_name("chat_turns_context_reports.tsv")


def read_context_tsv(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def train(out: str | Path = SHIPPED_STATE_DIR, data: str | Path | Sequence[str | Path] = TRAIN_FILE,
          sentiment_model=None) -> CustomerStateModel:
    """Fit on the context TSV(s) with the sentiment model's probabilities for each turn, and save."""
    if sentiment_model is None:
        from models.loader import load_sentiment_model

        sentiment_model = load_sentiment_model()
    files = [data] if isinstance(data, (str, Path)) else list(data)
    rows = [r for f in files for r in read_context_tsv(f)]
    texts = [r["text"] for r in rows]
    prevs = [r.get("prev_agent") or "" for r in rows]
    proba = np.asarray(sentiment_model.predict_proba(texts), dtype=np.float32)
    model = CustomerStateModel().fit(texts, prevs, proba, [r["sentiment"] for r in rows], [r["needs_empathy"] == "yes" for r in rows])
    model.meta_.update({"trained_on": [Path(f).name for f in files], "sentiment_model": getattr(sentiment_model, "model_id", None)})
    model.save(out)
    return model


def _fold(text: str, k: int) -> int:
    import hashlib

    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % k


def cross_validated_empathy(rows: Sequence[dict], proba: np.ndarray, k: int = 5) -> np.ndarray:
    """P(needs empathy) of every row from a model fitted on the other folds (folds by text hash, so the
    same text never sits on both sides)."""
    texts = [r["text"] for r in rows]
    prevs = [r.get("prev_agent") or "" for r in rows]
    fold = np.array([_fold(t, k) for t in texts])
    out = np.zeros(len(rows))
    for f in range(k):
        tr, te = np.where(fold != f)[0], np.where(fold == f)[0]
        m = CustomerStateModel().fit([texts[i] for i in tr], [prevs[i] for i in tr], proba[tr],
                                     [rows[i]["sentiment"] for i in tr], [rows[i]["needs_empathy"] == "yes" for i in tr])
        out[te] = m.predict([texts[i] for i in te], [prevs[i] for i in te], proba[te]).empathy
    return out


RELIABILITY_BINS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


def reliability(p: np.ndarray, yes: np.ndarray, bins: Sequence[float] = RELIABILITY_BINS) -> list[dict]:
    """Calibration table: for each band of P(needs empathy), how many turns and the share that do need it.
    A calibrated head has share ≈ the band's P; the rubric's min_state_score means what it says then."""
    out = []
    for lo, hi in zip(bins[:-1], bins[1:]):
        m = (p >= lo) & ((p < hi) | (hi >= 1.0))
        out.append({"band": (lo, hi), "n": int(m.sum()), "share_yes": round(float(yes[m].mean()), 3) if m.any() else None})
    return out


def cv_report(files: Sequence[str | Path] = (TRAIN_FILE,), sentiment_model=None, k: int = 5) -> str:
    """Cross-validated calibration of the empathy head on written training files (never a measure-only set)."""
    if sentiment_model is None:
        from models.loader import load_sentiment_model

        sentiment_model = load_sentiment_model()
    rows = [r for f in files for r in read_context_tsv(f)]
    proba = np.asarray(sentiment_model.predict_proba([r["text"] for r in rows]), dtype=np.float32)
    p = cross_validated_empathy(rows, proba, k)
    yes = np.array([r["needs_empathy"] == "yes" for r in rows])
    lines = [f"{k}-fold CV of the empathy head on {', '.join(Path(f).name for f in files)} (n={len(rows)}, yes={int(yes.sum())})",
             "  P band        turns  share needing empathy"]
    lines += [f"  [{b['band'][0]:.2f}, {b['band'][1]:.2f})  {b['n']:5d}  {b['share_yes']}" for b in reliability(p, yes)]
    for cut in (0.5, 0.7, 0.8, 0.9):
        tp = int((yes & (p >= cut)).sum())
        lines.append(f"  head alone at {cut}: P {tp / max(int((p >= cut).sum()), 1):.3f}  R {tp / max(int(yes.sum()), 1):.3f}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    import sys

    if sys.argv[1:2] == ["train"]:  # python -m models.state train [OUT [TSV ...]]
        m = train(*(sys.argv[2:3] or []), *([sys.argv[3:]] if sys.argv[3:] else []))
        print(f"saved {m.model_id}: {m.meta_['features']} features, {m.meta_['n_train']} turns")
    elif sys.argv[1:2] == ["cv"]:  # python -m models.state cv [TSV ...]: calibration check of the empathy head
        print(cv_report(sys.argv[2:] or (TRAIN_FILE,)))
