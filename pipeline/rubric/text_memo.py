"""Per-text memos for the rubric's pure string readings (a sentence shape, clause spans): what a function of one string
alone returns, kept per distinct string.

Why: every criterion reads every message, and template lines and a chat's short replies (好的 / 在吗 / 谢谢) repeat all
night, so the same few regexes ran over the same strings again and again. Only for functions of the string alone
(no message, no conversation, no token boundaries), returning an immutable value (bool, tuple): what is kept is
handed to every caller. The bound is the run's one per-text policy (`models.base.BoundedMemo`: started afresh when
full), so memory stays flat however long the night is.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from models.base import BoundedMemo

T = TypeVar("T")

_TEXT_MEMO_MAX = 16_384  # distinct strings one memo keeps (as matching.Lexicon's spans)
_MISSING = object()


def per_text(fn: Callable[[str], T]) -> Callable[[str], T]:
    """`fn` (a pure function of one string, returning an immutable value) with its results kept per distinct string;
    `.fresh` is `fn` itself (tests compare the two)."""
    memo = BoundedMemo((__name__, "_TEXT_MEMO_MAX"))
    get, put = memo.get, memo.put

    @wraps(fn)
    def kept(s: str) -> T:
        got = get(s, _MISSING)
        return put(s, fn(s)) if got is _MISSING else got  # type: ignore[return-value]

    kept.fresh = fn  # type: ignore[attr-defined]
    kept.memo = memo  # type: ignore[attr-defined]
    return kept
