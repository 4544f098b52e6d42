"""Matching building blocks shared by the criteria.

Everything here works on a message's *analysis form* (`Message.norm`: simplified,
half-width, emoticons out) and maps what it finds back onto the text as shown
with `Message.text_span`, so evidence spans always index `Message.text`.

When a message was built by hand (no `norm`), `view()` derives an analysis form locally with the pipeline's own
1:1 character fold (`pipeline.normalise.fold_table`: traditional → simplified, full-width → half-width, lower
case), so criteria give the same answer in unit tests as in the pipeline; lexicon phrases are folded the same way.

Blocks:
- `Lexicon`: phrase list (plain phrases, or `re:` regular expressions) with
  variants, exclusion contexts (垃圾袋 is not 垃圾) and token-boundary checks for
  short phrases (亲 is not the 亲 in 亲自).
- guards (negation, contrast, quotation, sarcasm): `pipeline/rubric/guards.py`; `clauses()`: clause windows.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from models.base import BoundedMemo
from pipeline.conversation import Evidence, Message
from pipeline.normalise import fold_table
from pipeline.rubric.regex_cache import cached, compile_pattern
from pipeline.rubric.text_memo import per_text

# ----------------------------------------------------------------------------
# analysis view of a message
# ----------------------------------------------------------------------------

_CLAUSE_SPLIT = re.compile(r"[，,。.!！?？;；~～…\n\r\t]+|\s{2,}")


def _lower_keeping_offsets(s: str) -> str:
    """Lower-cased, unless that would change the length (offsets must still index the same characters)."""
    low = s.lower()
    return low if len(low) == len(s) else s


@lru_cache(maxsize=4096)
def local_analysis_form(text: str) -> str:
    """The analysis form of a phrase, or of a message that was not normalised: the pipeline's
    character fold (`pipeline.normalise.fold_table`: width, case, traditional → simplified), one
    character for one, then lower-cased like a view of `Message.norm`.

    Rubric phrases go through this too, so a phrase folds exactly as the same words fold in `norm`.
    No markup removal or whitespace handling: offsets must stay those of the input.
    """
    return _lower_keeping_offsets(text.translate(fold_table()))


class View:
    """What the matchers look at: the analysis string, token boundaries, and a way back to `text`. Clause spans,
    quotations and token boundaries are computed on first use (most messages never need them: nothing matches)."""

    __slots__ = ("msg", "s", "mapped", "text", "norm", "ntokens", "_boundaries", "_clauses", "_quotes")

    def __init__(self, msg: Message, s: str, mapped: bool) -> None:
        self.msg = msg
        self.s = s
        self.mapped = mapped
        # what the view was built from (the cache checks these are unchanged)
        self.text = msg.text
        self.norm = msg.norm
        self.ntokens = len(msg.tokens)
        self._boundaries: frozenset[int] | None | bool = False
        self._clauses: tuple[tuple[int, int], ...] | None = None
        self._quotes: tuple[tuple[int, int], ...] | None = None

    @property
    def boundaries(self) -> frozenset[int] | None:
        """Token start/end offsets in `s`; None when not segmented (character fallback)."""
        if self._boundaries is False:
            b = None
            if self.msg.tokens and self.mapped:
                tokens = self.msg.tokens
                b = frozenset([t.start for t in tokens] + [t.end for t in tokens])
            self._boundaries = b
        return self._boundaries  # type: ignore[return-value]

    @property
    def clause_spans(self) -> tuple[tuple[int, int], ...]:
        if self._clauses is None:
            self._clauses = _clause_spans(self.s)
        return self._clauses

    @property
    def quotes(self) -> tuple[tuple[int, int], ...]:
        if self._quotes is None:
            self._quotes = tuple(quoted_spans(self.s)) if _ANY_QUOTE.search(self.s) else ()
        return self._quotes

    def text_span(self, start: int, end: int) -> tuple[int, int]:
        if self.mapped:
            a, b = self.msg.text_span(start, end)
        else:
            a, b = start, end
        n = len(self.msg.text)
        a, b = max(0, min(a, n)), max(0, min(b, n))
        return (a, max(a, b))


# started afresh when full, like the run's per-text memos: cheaper than evicting the oldest one by one
_VIEW_CACHE: dict[int, View] = {}
_VIEW_CACHE_SIZE = 4096


def view(msg: Message) -> View:
    """The analysis view of a message (cached: every criterion looks at the same messages)."""
    hit = _VIEW_CACHE.get(id(msg))
    if hit is not None and hit.msg is msg and hit.text is msg.text and hit.norm is msg.norm and hit.ntokens == len(msg.tokens):
        return hit
    v = _make_view(msg)
    if len(_VIEW_CACHE) >= _VIEW_CACHE_SIZE:
        _VIEW_CACHE.clear()
    _VIEW_CACHE[id(msg)] = v
    return v


def _make_view(msg: Message) -> View:
    if msg.norm:
        s = _lower_keeping_offsets(msg.norm)
        mapped = True
        # guard against a stage that left an inconsistent offset map
        if msg.norm_to_text and len(msg.norm_to_text) < len(msg.norm):
            mapped = False
            s = local_analysis_form(msg.text)
    else:
        s = local_analysis_form(msg.text or "")
        mapped = False
    return View(msg, s, mapped)


@per_text
def _clause_spans(s: str) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(s):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    return tuple(out + [(pos, len(s))] if pos < len(s) else out)


def clauses(s: str) -> list[tuple[int, int]]:
    """Clause spans of an analysis string (split on punctuation); kept per distinct string, a fresh list each call."""
    return list(_clause_spans(s))


def clause_of(s: str | View, start: int, end: int) -> tuple[int, int]:
    """The clause that contains [start, end) (pass a View to use its precomputed clauses)."""
    spans = s.clause_spans if isinstance(s, View) else clauses(s)
    for a, b in spans:
        if a <= start < b or (a < end <= b):
            return a, b
    return start, end


# ----------------------------------------------------------------------------
# matches and evidence
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    view: View
    start: int  # offsets in view.s
    end: int
    rule: str  # e.g. "greeting.lexicon", "empathy.similarity"
    pattern: str = ""  # the lexicon entry / exemplar / cue that matched
    score: float | None = None  # similarity score when rule is *.similarity

    def __init__(self, view: View, start: int, end: int, rule: str, pattern: str = "", score: float | None = None) -> None:
        # the dataclass's fields without its six object.__setattr__ calls (frozen): ~10 matches a conversation
        d = self.__dict__
        d["view"], d["start"], d["end"], d["rule"], d["pattern"], d["score"] = view, start, end, rule, pattern, score

    @property
    def seq(self) -> int:
        return self.view.msg.seq

    @property
    def matched_text(self) -> str:
        a, b = self.view.text_span(self.start, self.end)
        return self.view.msg.text[a:b]

    def evidence(self, note: str = "") -> Evidence:
        a, b = self.view.text_span(self.start, self.end)
        shown = self.view.msg.text[a:b]
        detail = f"匹配“{shown}”"
        if self.pattern and self.pattern != shown:
            detail += f"（规则项“{self.pattern}”"
            detail += f"，相似度 {self.score:.2f}）" if self.score is not None else "）"
        if note:
            detail += f"；{note}"
        return Evidence(seq=self.view.msg.seq, text=self.view.msg.text, span=(a, b), rule=self.rule, note=detail)


def message_evidence(msg: Message, rule: str, note: str, whole: bool = False) -> Evidence:
    """Evidence that points at a whole message (timing) or at where something was expected (span None)."""
    span = (0, len(msg.text)) if whole and msg.text else None
    return Evidence(seq=msg.seq, text=msg.text, span=span, rule=rule, note=note)


# ----------------------------------------------------------------------------
# lexicons
# ----------------------------------------------------------------------------

REGEX_PREFIX = "re:"


def expand_variants(phrase: str, variants: dict[str, list[str]], limit: int = 64) -> list[str]:
    """All spellings of `phrase` with each variant key replaced by its alternatives (bounded)."""
    if not variants or phrase.startswith(REGEX_PREFIX):
        return [phrase]
    keys = [k for k in sorted(variants, key=len, reverse=True) if k and k in phrase]
    if not keys:
        return [phrase]
    # split the phrase into literal pieces and variant slots
    pattern = re.compile("|".join(re.escape(k) for k in keys))
    pieces: list[list[str]] = []
    pos = 0
    for m in pattern.finditer(phrase):
        if m.start() > pos:
            pieces.append([phrase[pos : m.start()]])
        pieces.append([m.group(0), *variants[m.group(0)]])
        pos = m.end()
    if pos < len(phrase):
        pieces.append([phrase[pos:]])
    out: list[str] = []
    for combo in itertools.product(*pieces):
        out.append("".join(combo))
        if len(out) >= limit:
            break
    return out


def required_literals(regex: str) -> frozenset[str] | None:
    """Literal strings one of which every match must contain (a cheap prefilter), or None.

    Looks at the regex's top-level items that must occur (not optional) and picks the most
    selective: a literal character, or a group whose branches are all literal strings."""
    try:
        import re._parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore
    try:
        parsed = sre_parse.parse(regex)
    except Exception:
        return None
    LITERAL, SUBPATTERN, BRANCH, IN = sre_parse.LITERAL, sre_parse.SUBPATTERN, sre_parse.BRANCH, sre_parse.IN

    def literal_string(items) -> str | None:
        out = []
        for op, av in items:
            if op is LITERAL:
                out.append(chr(av))
            elif op is SUBPATTERN and av[3] is not None:
                inner = literal_string(list(av[3]))
                if inner is None:
                    return None
                out.append(inner)
            else:
                return None
        return "".join(out)

    MAX_REPEAT, MIN_REPEAT = sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT
    items = list(parsed)
    best: frozenset[str] | None = None
    best_len = 0
    # runs of plain characters (自己 in (你|您)?自己(去)?…) are one literal
    run: list[str] = []
    runs: list[str] = []
    for op, av in items + [(None, None)]:
        if op is LITERAL:
            run.append(chr(av))
            continue
        if len(run) > 1:
            runs.append("".join(run))
        run = []
    for r in runs:
        if len(r) > best_len:
            best, best_len = frozenset([r]), len(r)
    for op, av in items:
        lits: list[str] | None = None
        if op in (MAX_REPEAT, MIN_REPEAT) and av[0] >= 1 and len(av[2]) == 1:
            op, av = av[2][0]  # x{1,} / x+ : x must occur
        if op is LITERAL:
            lits = [chr(av)]
        elif op is SUBPATTERN:
            body = list(av[3])
            if len(body) == 1 and body[0][0] is BRANCH:
                branches = [literal_string(list(b)) for b in body[0][1][1]]
                if all(b for b in branches):
                    lits = branches  # type: ignore[assignment]
            elif len(body) == 1 and body[0][0] is IN and all(o is LITERAL for o, _ in body[0][1]):
                lits = [chr(c) for _, c in body[0][1]]  # (坏|错|漏): the parser makes one-character branches a class
            else:
                single = literal_string(body)
                if single:
                    lits = [single]
        elif op is IN and all(o is LITERAL for o, _ in av):
            lits = [chr(c) for _, c in av]
        if lits:
            shortest = min(len(x) for x in lits)
            if shortest > best_len or (shortest == best_len and best is not None and len(lits) < len(best)):
                best, best_len = frozenset(lits), shortest
    if best is None and not parsed.state.flags & sre_parse.SRE_FLAG_IGNORECASE:
        best = _required_any(items, sre_parse)
    return best


def _required_any(items: list, sre_parse: object) -> frozenset[str] | None:
    """For a regex whose top level holds no literal: literals one of which every match contains, from inside
    groups and branches ((以旧换新|旧…(抵|回收)): 以旧换新 or 旧; 重新(发|寄): 重新), classes ([0-9一二], small
    ranges) and repeats of at least one; None when some way through needs none. Lookarounds, anchors and
    negated classes require nothing (sound: the prefilter may only ever keep a regex that could match)."""
    P = sre_parse
    LITERAL, SUBPATTERN, BRANCH, IN, RANGE = P.LITERAL, P.SUBPATTERN, P.BRANCH, P.IN, P.RANGE  # type: ignore[attr-defined]
    REPEATS = (P.MAX_REPEAT, P.MIN_REPEAT)  # type: ignore[attr-defined]

    def better(a: frozenset[str], b: frozenset[str] | None) -> bool:
        if b is None:
            return True
        la, lb = min(map(len, a)), min(map(len, b))
        return la > lb or (la == lb and len(a) < len(b))

    def required(seq: list) -> frozenset[str] | None:
        best: frozenset[str] | None = None
        run: list[str] = []
        for op, av in seq + [(None, None)]:
            if op is LITERAL:
                run.append(chr(av))
                continue
            if run:
                cand = frozenset(["".join(run)])
                best = cand if better(cand, best) else best
                run = []
            cand = None
            if op is SUBPATTERN:
                if not av[1] & P.SRE_FLAG_IGNORECASE:  # type: ignore[attr-defined]
                    cand = required(list(av[3]))
            elif op is BRANCH:
                parts = [required(list(b)) for b in av[1]]
                cand = frozenset().union(*parts) if parts and all(parts) else None  # type: ignore[arg-type]
            elif op is IN:
                chars: list[str] = []
                for o, a in av:
                    if o is LITERAL:
                        chars.append(chr(a))
                    elif o is RANGE and a[1] - a[0] < 64:
                        chars.extend(chr(c) for c in range(a[0], a[1] + 1))
                    else:  # a negated class, a category (\d, \s): no literal to look for
                        chars = []
                        break
                cand = frozenset(chars) if chars else None
            elif op in REPEATS and av[0] >= 1:
                cand = required(list(av[2]))
            if cand and better(cand, best):
                best = cand
        return best

    return required(items)


class CompiledEntries:
    """Plain phrases as one trie regex; `re:` entries each behind a literal prefilter.

    One scan of a trie over every regex's required literals says which regexes can match
    at all; only those run (most messages trigger none)."""

    def __init__(self, plain: set[str], regexes: list[str]) -> None:
        self.trie = compile_pattern(_starts_gate(plain) + "(?=(" + _trie_regex(plain) + "))") if plain else None
        self.patterns = [compile_pattern("(?=(" + r + "))") for r in regexes]
        self.always: list[int] = []
        self.by_literal: dict[str, list[int]] = {}
        for i, r in enumerate(regexes):
            lits = cached("required_literals", r, required_literals)
            if not lits:
                self.always.append(i)
                continue
            for lit in lits:
                self.by_literal.setdefault(lit, []).append(i)
        self.literals = (
            compile_pattern(_starts_gate(self.by_literal) + "(?=(" + _trie_regex(self.by_literal) + "))") if self.by_literal else None
        )
        # The literal scan reports the longest literal at each start; the shorter ones starting there are
        # its prefixes. So each literal maps to the regexes of itself and of its literal prefixes, once here
        # rather than per message.
        self.by_longest: dict[str, tuple[int, ...]] = {
            word: tuple(sorted({i for k in range(1, len(word) + 1) for i in self.by_literal.get(word[:k], ())}))
            for word in self.by_literal
        }

    def spans(self, s: str) -> list[tuple[int, int]]:
        trie, out = self.trie, []
        # most strings hold no phrase of a given lexicon: one search says so without building a list; a hit
        # scan goes on from the next position (every match is a lookahead, at most one per position)
        first = trie.search(s) if trie is not None else None
        if first is not None:
            out = [first.span(1), *[m.span(1) for m in trie.finditer(s, first.start() + 1)]]  # type: ignore[union-attr]
        if self.patterns:
            words = self.literals.findall(s) if self.literals is not None else ()  # the scan in C
            if words or self.always:
                todo = set(self.always)
                for word in set(words):  # a literal met twice counts once
                    todo.update(self.by_longest.get(word, ()))
                for i in sorted(todo):
                    out.extend(find_spans(self.patterns[i], s))
        if len(out) > 1:
            out.sort(key=lambda ab: (ab[0], ab[0] - ab[1]))
        return out


def _split_entries(entries: Iterable[str], variants: dict[str, list[str]] | None) -> tuple[set[str], list[str]]:
    """Plain phrases (variants expanded, in analysis form) and `re:` expressions of a lexicon."""
    plain: set[str] = set()
    regexes: list[str] = []
    for e in entries:
        if e.startswith(REGEX_PREFIX):
            regexes.append(e[len(REGEX_PREFIX) :])
            continue
        for v in expand_variants(e, variants or {}):
            v = local_analysis_form(v)
            if v:
                plain.add(v)
    return plain, regexes


def compile_lexicon(entries: Iterable[str], variants: dict[str, list[str]] | None = None) -> CompiledEntries:
    return CompiledEntries(*_split_entries(entries, variants))


def compile_entries(entries: Iterable[str], variants: dict[str, list[str]] | None = None) -> re.Pattern | None:
    """One alternation (longest first) over plain phrases and `re:` expressions, analysis-form aware."""
    plain, regexes = _split_entries(entries, variants)
    alts = ([_trie_regex(plain)] if plain else []) + [f"(?:{r})" for r in regexes]
    if not alts:
        return None
    return compile_pattern("(?=(" + "|".join(alts) + "))")


def _starts_gate(words: Iterable[str]) -> str:
    """A lookahead for the characters the words start with, put before a trie regex that is tried at every
    position: the regex engine tries a trie's first level branch by branch (hundreds of first characters
    in a big lexicon), a character class in one lookup, and most positions start no phrase. It only
    refuses positions where the trie cannot match, so the matches are the same."""
    return "(?=[" + "".join(re.escape(c) for c in sorted({w[0] for w in words if w})) + "])"


def _trie_regex(words: Iterable[str]) -> str:
    """One regex for many plain phrases, as a character trie: fast, and longest match first."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        children = [(ch, sub) for ch, sub in node.items() if ch]
        if not children:
            return ""
        parts = [re.escape(ch) + build(sub) for ch, sub in sorted(children)]
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        if end:  # greedy optional: tries the longer phrase first
            return "(?:" + body + ")?" if len(parts) == 1 else body + "?"
        return body

    return "(?:" + build(trie) + ")"


def find_spans(pattern: re.Pattern | None, s: str) -> list[tuple[int, int]]:
    """All (possibly overlapping) matches, longest at each start; zero-length ones dropped."""
    if pattern is None or not s:
        return []
    return [span for m in pattern.finditer(s) for span in (m.span(1),) if span[1] > span[0]]


def validate_entries(entries: Iterable[str]) -> list[str]:
    """Error messages for entries that are not valid regular expressions."""
    errors = []
    for i, e in enumerate(entries):
        if e.startswith(REGEX_PREFIX):
            try:
                compile_pattern(e[len(REGEX_PREFIX) :])
            except re.error as exc:
                errors.append(f"[{i}] {e!r}: invalid regular expression ({exc})")
        elif not e.strip():
            errors.append(f"[{i}]: empty phrase")
    return errors


# distinct analysis strings whose spans one lexicon keeps (starts again when full; ~1-2 MB per lexicon)
_KEPT_MAX = 16_384


class Lexicon:
    """A phrase lexicon with variants, exclusion contexts and token-boundary checks.

    - phrases: plain phrases, or `re:<regex>` (matched on the analysis form).
    - variants: {"您": ["你"]} — every phrase is also matched with the alternatives.
    - exclude: contexts in which a match does not count (垃圾袋, 滚筒, 不知道您…):
      a match lying inside an exclusion match is dropped.
    - boundary_max_len: matches this short must start and end on jieba token
      boundaries when the message is segmented (character fallback otherwise).
    """

    def __init__(
        self,
        phrases: Iterable[str],
        *,
        rule: str,
        variants: dict[str, list[str]] | None = None,
        exclude: Iterable[str] = (),
        boundary_max_len: int = 1,
    ) -> None:
        self.phrases = list(phrases)
        self.rule = rule
        self.pattern = compile_lexicon(self.phrases, variants)
        self.exclude = compile_lexicon(list(exclude), variants)
        self.boundary_max_len = boundary_max_len
        self._kept = BoundedMemo((__name__, "_KEPT_MAX"))  # analysis string -> its kept spans

    def terms(self) -> list[str]:
        """Plain phrases (for the segmenter's user dictionary)."""
        return [p for p in self.phrases if not p.startswith(REGEX_PREFIX)]

    def _not_excluded(self, s: str) -> tuple[tuple[int, int], ...]:
        """The phrase spans of `s` outside every exclusion match: a function of `s` alone, kept per
        distinct string (template lines repeat all day, and every criterion reads every message)."""
        kept = self._kept.get(s)
        if kept is None:
            spans = self.pattern.spans(s)
            if spans:
                excluded = self.exclude.spans(s)
                # nearly always no exclusion context: the spans as they are
                kept = tuple((a, b) for a, b in spans if not any(ea <= a and b <= eb for ea, eb in excluded)) \
                    if excluded else tuple(spans)
            else:
                kept = ()
            self._kept.put(s, kept)
        return kept

    def reads_boundaries(self, s: str) -> bool:
        """Whether `find` on a view of `s` may consult its token boundaries (a kept span short enough
        for the boundary check): when not, what `find` returns depends on `s` alone."""
        n = self.boundary_max_len
        return any(b - a <= n for a, b in self._not_excluded(s))

    def boundary_reading(self, v: View) -> tuple[bool, ...] | None:
        """All that `find` reads of `v`'s token boundaries: None when the message is not segmented,
        else whether each short kept span starts and ends on a boundary. With `v.s` it decides `find`."""
        bounds = v.boundaries
        if bounds is None:
            return None
        n = self.boundary_max_len
        return tuple(a in bounds and b in bounds for a, b in self._not_excluded(v.s) if b - a <= n)

    def find(self, v: View) -> list[Match]:
        spans = self._kept.get(v.s)  # _not_excluded's memo read here first: most calls end at it
        if spans is None:
            spans = self._not_excluded(v.s)
        if not spans:
            return []
        out: list[Match] = []
        last_end = -1
        for a, b in spans:
            if a < last_end:  # inside a match already taken (longest at each start wins)
                continue
            if v.boundaries is not None and (b - a) <= self.boundary_max_len:
                if a not in v.boundaries or b not in v.boundaries:
                    continue
            out.append(Match(view=v, start=a, end=b, rule=self.rule, pattern=v.s[a:b]))
            last_end = b
        return out


_ANY_QUOTE = re.compile("[“「『\"‘'《]")
_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", '"': '"', "‘": "’", "'": "'", "《": "》"}


def quoted_spans(s: str) -> list[tuple[int, int]]:
    spans = []
    i = 0
    while i < len(s):
        close = _QUOTE_PAIRS.get(s[i])
        if close:
            j = s.find(close, i + 1)
            if j > i:
                spans.append((i + 1, j))
                i = j + 1
                continue
        i += 1
    return spans
