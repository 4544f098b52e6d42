"""jieba tokens on the analysis form, with the project's user dictionary.

One jieba Tokenizer per process, loaded lazily under a lock (threads share it;
jieba's lookups are read-only once loaded). Its dictionary is jieba's own plus
pipeline/lexicon/*.txt (domain terms such as 七天无理由退货, 价保, 工单号), the file
named by settings.user_dict_path, and whatever the rubric engine passes to
`ensure_user_dict` (its phrase lexicons: 很高兴为您服务, 不归我管 …), so those
phrases come out as single tokens.

jieba's start-up banner is silenced, and its prefix-dictionary cache is kept in
the temp directory so a new process loads in well under a second.
"""
from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path
from typing import Iterable

from .conversation import Conversation, Token
from .normalise import normalise_message, normalise_text

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
DOMAIN_TERMS_PATH = LEXICON_DIR / "domain_terms.txt"

_lock = threading.RLock()
_tokenizer = None  # jieba.Tokenizer, created on first use
_added: set[str] = set()
_LONG_TERM_FREQ = 2000  # about the dictionary frequency of 质量 (8009) or 在的 (3861)
# Chats repeat themselves (quick replies, 在吗, 好的谢谢): remember recent results.
# Cleared whenever the dictionary changes, so a cached split never predates a term.
_CACHE_MAX = 200_000
_cache: dict[str, tuple[tuple[str, int, int], ...]] = {}


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


def _add_term(tok, term: str, freq: int | None = None) -> bool:
    """Add one term (in its analysis form) so jieba keeps it whole; False if it cannot be one token."""
    norm, _ = normalise_text(term)
    # jieba splits blocks on spaces and most punctuation: such a phrase can never be one token.
    if not norm or " " in norm or norm in _added:
        return False
    # suggest_freq(tune=False) gives the frequency that makes the term win over its own parts
    # when it stands alone; a floor for longer terms also wins against neighbours
    # (产品|质量问题, not 产品质量|问题). Two-character terms get no floor, so 在的 does
    # not break 现在的.
    needed = tok.suggest_freq(norm, tune=False)
    floor = _LONG_TERM_FREQ if len(norm) >= 3 else 3
    tok.add_word(norm, freq=max(freq or 0, needed, floor), tag=None)
    _added.add(norm)
    return True


def get_tokenizer():
    """The process-wide jieba Tokenizer with the project user dictionary loaded."""
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _lock:
        if _tokenizer is not None:
            return _tokenizer
        import jieba

        jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" banner on stderr
        tok = jieba.Tokenizer()
        tok.tmp_dir = tempfile.gettempdir()
        tok.cache_file = "zhijian-jieba.cache"
        tok.initialize()
        for path in sorted(LEXICON_DIR.glob("*.txt")):
            for term, freq in _read_terms(path):
                _add_term(tok, term, freq)
        try:
            from .settings import get_settings

            extra = get_settings().user_dict_path
        except Exception:  # noqa: BLE001 - settings errors surface elsewhere; segmentation still works
            extra = None
        if extra and Path(extra).is_file():
            for term, freq in _read_terms(Path(extra)):
                _add_term(tok, term, freq)
        _tokenizer = tok
    return _tokenizer


def ensure_user_dict(extra_terms: Iterable[str]) -> int:
    """Make each term (e.g. a rubric phrase) a single jieba token; returns how many were new.

    Safe to call repeatedly and from several threads; terms already known are skipped.
    """
    tok = get_tokenizer()
    added = 0
    with _lock:
        for term in extra_terms:
            if term and _add_term(tok, str(term).strip()):
                added += 1
        if added:
            _cache.clear()
    return added


def tokenize(norm: str) -> list[Token]:
    """jieba tokens of an analysis-form string; start/end index `norm`. Spaces are not tokens."""
    if not norm:
        return []
    cached = _cache.get(norm)
    if cached is None:
        tok = get_tokenizer()
        cached = tuple((w, s, e) for w, s, e in tok.tokenize(norm, HMM=True) if not w.isspace())
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[norm] = cached
    return [Token(w, s, e) for w, s, e in cached]


def segment_conversation(conv: Conversation) -> Conversation:
    """Fill `Message.tokens` (normalising first any message that has not been normalised)."""
    for message in conv.messages:
        if not message.norm_to_text:
            normalise_message(message)
        message.tokens = tokenize(message.norm)
    return conv
