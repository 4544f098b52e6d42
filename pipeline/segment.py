"""jieba tokens on the analysis form, with the project's user dictionary and a rubric's phrases.

A `Segmenter` owns its jieba Tokenizer: jieba's dictionary plus pipeline/lexicon/*.txt
(domain terms such as 七天无理由退货, 价保, 工单号), the file named by
settings.user_dict_path, and the extra terms it is given — the run passes the rubric's
lexicon phrases (很高兴为您服务, 不归我管 …) so they come out as single tokens and lexicon
matches fall on token boundaries. Nothing is shared between segmenters, so what one
produces never depends on which rubric another was built for (jieba's own module-level
dictionary is never touched).

Cost: building one loads jieba's prefix dictionary (~0.3 CPU s from the cache kept in the temp
directory, `_load_cached`; more the first time on a machine) plus a few milliseconds per extra
term, so the run builds one per run; `segmenter_for` keeps the last few by their exact terms.
Once built, a segmenter only reads, so threads may share it.

`tokenize` and `segment_conversation` use the default segmenter (no rubric phrases).
jieba's start-up banner is silenced.
"""
from __future__ import annotations

import logging
import marshal
import tempfile
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from models.base import BoundedMemo

from .conversation import Conversation, Token
from .normalise import normalise_text

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
DOMAIN_TERMS_PATH = LEXICON_DIR / "domain_terms.txt"

_LONG_TERM_FREQ = 2000  # about the dictionary frequency of 质量 (8009) or 在的 (3861)
# Chats repeat themselves (quick replies, 在吗, 好的谢谢): remember recent results. Bounded by memory:
# an entry is ~1.5 KiB and a night's customer texts are nearly all distinct, so a bound of 200,000
# grew the run with the input (the segment stage alone peaked at 178 MiB for the bench's 30,000
# conversations, 343 MiB for 100,000; benchmarks/segment_cache_memory.py). With 20,000: 137 and
# 139 MiB; repeated lines (agent templates, quick replies) come back long before it fills.
_CACHE_MAX = 20_000


def _read_terms(path: Path) -> list[tuple[str, int | None]]:
    """Terms from a jieba-style user dictionary: `term [freq] [tag]`, '#' comments."""
    terms: list[tuple[str, int | None]] = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        terms.append((parts[0], freq))
    return terms


def _user_dict_path() -> Path | None:
    try:
        from .settings import get_settings

        extra = get_settings().user_dict_path
    except Exception:  # noqa: BLE001 - settings errors surface elsewhere; segmentation still works
        return None
    return Path(extra) if extra and Path(extra).is_file() else None


def _load_cached(tok) -> bool:
    """Fill a jieba Tokenizer from its cache file as `initialize` would, but read whole and unmarshalled from
    memory; False (nothing changed) when there is no usable cache, and `initialize` decides then.

    Why: jieba's `marshal.load(file)` pulls the 9 MB (498,113 entries) through Python's io object by object:
    0.67 CPU s against 0.29 for `marshal.loads` of the same bytes, on the run's own thread at every start
    (session 11). Same file, same condition as jieba's (its default dictionary: the cache is used whenever it
    exists), same objects: FREQ and total as jieba would have set them.
    """
    if tok.dictionary is not None or tok.initialized:  # jieba's mtime check applies to other dictionaries
        return False
    try:
        freq, total = marshal.loads((Path(tok.tmp_dir) / tok.cache_file).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return False
    if not isinstance(freq, dict) or not isinstance(total, int):
        return False
    with tok.lock:
        tok.FREQ, tok.total, tok.initialized = freq, total, True
    return True


class Segmenter:
    """jieba with the domain terms, settings.user_dict_path and `extra_terms`, in that order.

    The order matters (a term's frequency is chosen against the dictionary as it stands), so
    the same inputs always give the same tokens.
    """

    def __init__(self, extra_terms: Iterable[str] = ()) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" banner on stderr
        tok = jieba.Tokenizer()
        tok.tmp_dir = tempfile.gettempdir()
        tok.cache_file = "zhijian-jieba.cache"
        if not _load_cached(tok):
            tok.initialize()  # builds the dictionary and writes the cache (or reads it, if ours could not)
        self._tokenizer = tok
        # jieba cuts a text block by block (runs of Han letters and ASCII alphanumerics, split by its
        # own `re_han_default`), each block on its own: the words of a block are kept per distinct
        # block, since replies are built from the same clauses (亲 / 您好 / 请稍等 / 好的谢谢).
        self._block_re = jieba.re_han_default
        self._blocks = BoundedMemo((__name__, "_CACHE_MAX"))  # jieba block -> its words
        self._added: set[str] = set()
        # Token is frozen, so one tuple of them per distinct norm serves every message with that norm
        # (building frozen dataclasses again on each hit cost more than jieba itself on repeated lines).
        self._cache = BoundedMemo((__name__, "_CACHE_MAX"))  # norm -> its tokens
        for path in sorted(LEXICON_DIR.glob("*.txt")):
            for term, freq in _read_terms(path):
                self._add_term(term, freq)
        extra = _user_dict_path()
        if extra is not None:
            for term, freq in _read_terms(extra):
                self._add_term(term, freq)
        self.extra_terms = tuple(str(t).strip() for t in extra_terms if t and str(t).strip())
        self.added_extra = sum(self._add_term(t) for t in self.extra_terms)

    @property
    def tokenizer(self):  # jieba.Tokenizer
        return self._tokenizer

    def _add_term(self, term: str, freq: int | None = None) -> bool:
        """Add one term (in its analysis form) so jieba keeps it whole; False if it cannot be one token."""
        norm, _ = normalise_text(term)
        # jieba splits blocks on spaces and most punctuation: such a phrase can never be one token.
        if not norm or " " in norm or norm in self._added:
            return False
        # suggest_freq(tune=False) gives the frequency that makes the term win over its own parts
        # when it stands alone; a floor for longer terms also wins against neighbours
        # (产品|质量问题, not 产品质量|问题). Two-character terms get no floor, so 在的 does
        # not break 现在的.
        needed = self._tokenizer.suggest_freq(norm, tune=False)
        floor = _LONG_TERM_FREQ if len(norm) >= 3 else 3
        self._tokenizer.add_word(norm, freq=max(freq or 0, needed, floor), tag=None)
        self._added.add(norm)
        return True

    def tokenize(self, norm: str) -> list[Token]:
        """jieba tokens of an analysis-form string; start/end index `norm`. Spaces are not tokens."""
        if not norm:
            return []
        cached = self._cache.get(norm)
        if cached is None:
            cached = self._cache.put(norm, tuple(self._cut(norm)))
        return list(cached)

    def _cut(self, norm: str) -> list[Token]:
        """What `jieba.Tokenizer.tokenize(norm, HMM=True)` gives (its `cut` splits on the same blocks and
        cuts each alone; offsets add up the words' lengths), spaces dropped, with each block's words kept."""
        out: list[Token] = []
        start = 0
        blocks = self._blocks
        for block in self._block_re.split(norm):
            if not block:
                continue
            words = blocks.get(block)
            if words is None:
                words = blocks.put(block, tuple(self._tokenizer.cut(block, HMM=True)))
            for w in words:
                end = start + len(w)
                if not w.isspace():
                    out.append(Token(w, start, end))
                start = end
        return out

    def segment_conversation(self, conv: Conversation) -> Conversation:
        """Fill `Message.tokens` from `Message.norm` (the normalise stage runs first; the run checks that)."""
        for message in conv.messages:
            message.tokens = self.tokenize(message.norm)
        return conv

    __call__ = segment_conversation


@lru_cache(maxsize=4)
def _segmenter_for(terms: tuple[str, ...], user_dict: Path | None) -> Segmenter:
    return Segmenter(terms)


_lock = threading.Lock()


def segmenter_for(terms: Iterable[str] = ()) -> Segmenter:
    """A segmenter for exactly these extra terms (kept for reuse: same terms, same segmenter)."""
    key = tuple(terms)
    with _lock:  # one dictionary load at a time, never two for the same terms
        return _segmenter_for(key, _user_dict_path())


def default_segmenter() -> Segmenter:
    """Domain terms and settings.user_dict_path only: no rubric's phrases."""
    return segmenter_for(())


def get_tokenizer():
    """The default segmenter's jieba Tokenizer (benchmarks time its load)."""
    return default_segmenter().tokenizer


def tokenize(norm: str) -> list[Token]:
    """`Segmenter.tokenize` with the default segmenter."""
    return default_segmenter().tokenize(norm)


def segment_conversation(conv: Conversation) -> Conversation:
    """`Segmenter.segment_conversation` with the default segmenter."""
    return default_segmenter().segment_conversation(conv)
