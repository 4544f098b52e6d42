"""Paraphrase detection beyond word lists.

Two cheap mechanisms, both configured in the rubric:

- `similarity`: Dice coefficient over character bigrams between a clause
  window of the message and each exemplar phrase (搁谁都着急 ≈ 换做谁都会着急).
  Cost stays linear-ish: an inverted index from bigram to exemplars prefilters
  the candidates, and only windows of about the exemplar's length inside one
  clause (or two adjacent clauses) are compared — never whole texts.
- `cues`: semantic cue patterns (regular expressions such as apology cue +
  trouble cue, "换做谁都会 + feeling"), matched like a lexicon, rule `*.cue`.
"""
from __future__ import annotations

import operator
from collections import defaultdict
from dataclasses import dataclass

from models.base import BoundedMemo
from pipeline.rubric.matching import Match, View, clauses, local_analysis_form


MAX_REGION = 64  # characters; longer clauses are compared in overlapping chunks
_FOUND_MAX = 16_384  # distinct analysis strings whose matches one detector keeps (starts again when full)


def bigrams(s: str) -> set[str]:
    if len(s) < 2:
        return {s} if s else set()
    return set(map(operator.add, s, s[1:]))  # s[i] + s[i + 1] for every i, pairs made in C


def dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


@dataclass(frozen=True)
class _Exemplar:
    text: str
    grams: frozenset[str]


class ParaphraseDetector:
    """Finds clause windows whose char-bigram Dice with an exemplar reaches `threshold`."""

    def __init__(
        self,
        exemplars: list[str],
        *,
        threshold: float,
        rule: str,
        min_exemplar_chars: int = 4,
        min_shared: int = 2,
        slack: int = 3,
    ) -> None:
        self.threshold = threshold
        self.rule = rule
        self.min_shared = min_shared
        self.slack = slack
        self.exemplars: list[_Exemplar] = []
        self._found = BoundedMemo((__name__, "_FOUND_MAX"))  # analysis string -> its matches, as tuples
        self.index: dict[str, list[int]] = defaultdict(list)
        for e in exemplars:
            e = local_analysis_form(e)
            if len(e) < min_exemplar_chars:  # too short to compare reliably (不知道 ≈ 不知道您…)
                continue
            ex = _Exemplar(e, frozenset(bigrams(e)))
            idx = len(self.exemplars)
            self.exemplars.append(ex)
            for g in ex.grams:
                self.index[g].append(idx)

    def _candidates(self, grams: set[str]) -> list[int]:
        counts: dict[int, int] = defaultdict(int)
        for g in grams:
            for idx in self.index.get(g, ()):
                counts[idx] += 1
        out = []
        for i, c in counts.items():
            if c < self.min_shared:
                continue
            ex = self.exemplars[i]
            # best case: a window about the exemplar's length holding every shared bigram
            smallest_window = max(1, len(ex.text) - 2)
            if 2 * c / (smallest_window + len(ex.grams)) < self.threshold:
                continue
            out.append(i)
        return out

    def find(self, v: View) -> list[Match]:
        if not self.exemplars or not v.s:
            return []
        # a function of the analysis string alone: kept per distinct string, matches rebuilt on this view
        found = self._found.get(v.s)
        if found is None:
            found = self._found.put(v.s, tuple((m.start, m.end, m.pattern, m.score) for m in self._find(v)))
        return [Match(view=v, start=a, end=b, rule=self.rule, pattern=ex, score=sc) for a, b, ex, sc in found]

    def _find(self, v: View) -> list[Match]:
        # message-level prefilter: shared bigrams over the whole message bound every window's
        if not self._candidates(bigrams(v.s)):
            return []
        spans = list(v.clause_spans) if v.clause_spans or not v.s else clauses(v.s)
        # windows: each clause and each pair of adjacent clauses (搁谁都膈应，实在对不住)
        regions = list(spans) + [(spans[i][0], spans[i + 1][1]) for i in range(len(spans) - 1)]
        # a pasted wall of text without punctuation: overlapping chunks keep the cost linear
        bounded: list[tuple[int, int]] = []
        for a, b in regions:
            if b - a <= MAX_REGION:
                bounded.append((a, b))
            else:
                bounded.extend((i, min(b, i + MAX_REGION)) for i in range(a, b, MAX_REGION - 16))
        regions = bounded
        best: dict[tuple[int, int], tuple[float, str]] = {}
        for ra, rb in regions:
            region = v.s[ra:rb]
            rgrams = bigrams(region)
            for idx in self._candidates(rgrams):
                ex = self.exemplars[idx]
                n = len(ex.text)
                if len(region) <= n + self.slack:
                    windows = [(ra, rb)]
                else:  # slide windows about the exemplar's length over a long clause
                    windows = [
                        (ra + i, ra + i + w)
                        for w in range(max(2, n - 1), n + self.slack + 1)
                        for i in range(0, len(region) - w + 1)
                    ]
                for a, b in windows:
                    sc = dice(bigrams(v.s[a:b]), ex.grams)
                    if sc >= self.threshold and sc > best.get((a, b), (0.0, ""))[0]:
                        best[(a, b)] = (sc, ex.text)
        if not best:
            return []
        # keep the best-scoring non-overlapping windows
        chosen: list[Match] = []
        for (a, b), (sc, ex) in sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0][1] - kv[0][0])):
            # trim separators at the window edges so evidence shows words only
            while a < b and not v.s[a].strip("，,。 "):
                a += 1
            while b > a and not v.s[b - 1].strip("，,。 "):
                b -= 1
            if any(not (b <= m.start or a >= m.end) for m in chosen):
                continue
            chosen.append(Match(view=v, start=a, end=b, rule=self.rule, pattern=ex, score=round(sc, 3)))
        return sorted(chosen, key=lambda m: m.start)
