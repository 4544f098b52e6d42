"""Registries of criteria and flag detectors, named and versioned.

A rubric file refers to a criterion by its registered name (`greeting.v1`), so
a rubric keeps its meaning when code changes: a changed behaviour gets a new
name (`greeting.v2`) and both stay registered. Built-in criteria register
themselves exactly the way a shop's own criterion would:

    from pydantic import BaseModel
    from pipeline.rubric import register_criterion, Criterion

    @register_criterion("mentions_coupon.v1")
    class MentionsCoupon(Criterion):
        class Params(BaseModel):
            words: list[str] = ["优惠券"]

        def score(self, conversation):
            ...
            return self.passed([...])
"""
from __future__ import annotations

import re
from typing import Any, Callable, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from pipeline.conversation import Conversation, CriterionResult, Evidence, Flag

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*\.v[0-9]+$")


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Component:
    """What criteria and flag detectors share: patterns compiled once per object, on first use,
    and the phrases they contribute to the segmenter's user dictionary."""

    _compiled: Any = None

    def compile(self) -> Any:  # pragma: no cover - overridden where needed
        return None

    @property
    def compiled(self) -> Any:
        if self._compiled is None:
            self._compiled = self.compile()
        return self._compiled

    def lexicon_terms(self) -> list[str]:
        """Plain phrases this component matches (added to the segmenter's user dictionary)."""
        return []


class Criterion(_Component):
    """One rubric criterion. `__init__` only stores its arguments; `score` does the work.

    Subclasses set `Params` (a pydantic model, validated when the rubric loads;
    every field needs a default so the criterion builds with `Params()`), and
    may set `rubric_defaults` = {param: "sla.first_response_seconds"} to take a
    parameter from the rubric's top level when the criterion does not set it.
    """

    name: ClassVar[str] = ""  # set by register_criterion
    Params: ClassVar[type[BaseModel]] = NoParams
    rubric_defaults: ClassVar[dict[str, str]] = {}

    def __init__(self, id: str | None = None, max_points: float = 10.0, params: BaseModel | None = None) -> None:
        self.id = id or self.name.split(".")[0]
        self.max_points = float(max_points)
        self.params = params if params is not None else self.Params()
        self._compiled: Any = None

    def score(self, conversation: Conversation) -> CriterionResult:
        raise NotImplementedError

    # result helpers ---------------------------------------------------------
    def passed(self, evidence: list[Evidence] | None = None) -> CriterionResult:
        return CriterionResult("pass", self.max_points, self.max_points, list(evidence or []))

    def failed(self, evidence: list[Evidence] | None = None) -> CriterionResult:
        return CriterionResult("fail", 0.0, self.max_points, list(evidence or []))

    def not_applicable(self, evidence: list[Evidence] | None = None) -> CriterionResult:
        # na adds nothing to the score: neither points nor max_points
        return CriterionResult("na", 0.0, 0.0, list(evidence or []))

    # a batch's model readings (`prime`), each handed once to `score` ----------------------------------------------
    def keep_primed(self, conversations: Any, sizes: Any, *arrays: Any) -> None:
        """Keep, for each conversation of a batch, its slice of each of `arrays`: rows read by one model pass over the
        whole batch, `sizes[i]` of them for conversation i (nothing kept where 0), for `take_primed`."""
        kept = self.__dict__.get("_primed")
        if kept is None or len(kept) > 1_000_000:  # batches never scored (an error) are not kept for ever
            kept = self._primed = Primed()
        start = 0
        for conv, n in zip(conversations, sizes):
            if n:
                kept[id(conv)] = (conv, tuple(a[start : start + n] for a in arrays))
                start += n

    def take_primed(self, conversation: Conversation) -> tuple | None:
        """The slices `keep_primed` kept for this very conversation object, once; None when none were kept (`score`
        then reads the model itself, and gets the same numbers)."""
        kept = self.__dict__.get("_primed")
        got = kept.pop(id(conversation), None) if kept else None
        return got[1] if got is not None and got[0] is conversation else None


class Primed(dict):
    """id(conversation) → (conversation, slices): the conversation is kept, so an id reused by another object is never
    mistaken for it. Pickles (and copies) empty: a rubric sent to a worker carries no batch of this process."""

    def __reduce__(self):
        return (Primed, ())


class FlagDetector(_Component):
    """A flag definition: looks at a scored conversation and returns flags."""

    name: ClassVar[str] = ""
    Params: ClassVar[type[BaseModel]] = NoParams
    rubric_defaults: ClassVar[dict[str, str]] = {}

    def __init__(self, code: str, params: BaseModel | None = None, red_line: bool = False) -> None:
        self.code = code
        self.params = params if params is not None else self.Params()
        self.red_line = red_line
        self._compiled: Any = None

    def detect(self, conversation: Conversation, rubric: Any) -> list[Flag]:
        raise NotImplementedError

    def flag(self, reason: str, seq: int | None) -> Flag:
        return Flag(code=self.code, reason=reason, seq=seq, red_line=self.red_line)


CRITERIA: dict[str, type[Criterion]] = {}
FLAGS: dict[str, type[FlagDetector]] = {}

C = TypeVar("C", bound=type)


def _register(table: dict, kind: str, name: str, base: type) -> Callable[[C], C]:
    if not NAME_RE.match(name):
        raise ValueError(f"{kind} name {name!r} must look like 'name.v1' (lower-case name, dot, version)")

    def deco(cls: C) -> C:
        if not (isinstance(cls, type) and issubclass(cls, base)):
            raise TypeError(f"@register_{kind}({name!r}) must decorate a subclass of {base.__name__}")
        existing = table.get(name)
        if existing is not None and existing.__qualname__ != cls.__qualname__:
            raise ValueError(f"{kind} {name!r} is already registered by {existing.__module__}.{existing.__qualname__}")
        cls.name = name
        table[name] = cls
        return cls

    return deco


def register_criterion(name: str) -> Callable[[C], C]:
    """Class decorator: register a Criterion subclass under a versioned name like "greeting.v1"."""
    return _register(CRITERIA, "criterion", name, Criterion)


def register_flag(name: str) -> Callable[[C], C]:
    """Class decorator: register a FlagDetector subclass under a versioned name like "negative_end.v1"."""
    return _register(FLAGS, "flag", name, FlagDetector)
