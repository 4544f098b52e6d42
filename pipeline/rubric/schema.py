"""The rubric file format (pydantic), and config errors with locations.

Errors are collected, never raised one at a time: a QA manager editing
rubrics/default.yaml sees every problem at once, each with where it is:

    rubrics/default.yaml → criteria[3] → params.window: must be ≥ 1
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.rubric.matching import validate_entries

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


# ----------------------------------------------------------------------------
# shared parameter blocks used by criteria Params
# ----------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_entries(v: list[str]) -> list[str]:
    errors = validate_entries(v)
    if errors:
        raise ValueError("; ".join(errors))
    return v


class LexiconParams(Strict):
    """A phrase list. Entries are plain phrases or `re:<regular expression>` on the analysis form."""

    phrases: list[str] = Field(default_factory=list, description="phrases (or re:regex) that count")
    variants: dict[str, list[str]] = Field(default_factory=dict, description="spelling variants: {您: [你]}")
    exclude: list[str] = Field(default_factory=list, description="contexts in which a match does not count")
    boundary_max_len: int = Field(default=1, ge=0, description="matches this short must sit on token boundaries")

    _v1 = field_validator("phrases", "exclude")(_check_entries)


class ParaphraseParams(Strict):
    """Beyond word lists: exemplar similarity (char-bigram Dice over clause windows) and cue patterns."""

    enabled: bool = True
    threshold: float = Field(default=0.6, gt=0, le=1, description="Dice over char bigrams needed to match")
    exemplars: list[str] = Field(default_factory=list)
    cues: list[str] = Field(default_factory=list, description="semantic cue patterns (re:regex or phrases)")
    min_exemplar_chars: int = Field(default=4, ge=2)

    _v1 = field_validator("cues")(_check_entries)


# ----------------------------------------------------------------------------
# the rubric file
# ----------------------------------------------------------------------------


class SlaConfig(Strict):
    first_response_seconds: float = Field(default=300, gt=0, description="first human reply within this")
    reply_seconds: float = Field(default=300, gt=0, description="every customer message answered within this")


class CriterionConfig(Strict):
    id: str
    type: str
    max_points: float = Field(ge=0, alias="weight")
    red_line: bool = False
    description: str = ""
    params: dict[str, Any] = Field(default_factory=dict)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not ID_RE.match(v):
            raise ValueError("must be lower-case letters, digits and _ (e.g. first_response_sla)")
        return v


class FlagConfig(Strict):
    code: str
    type: str
    red_line: bool = False
    description: str = ""
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not ID_RE.match(v):
            raise ValueError("must be lower-case letters, digits and _ (e.g. sla_breach)")
        return v


class RubricConfig(Strict):
    id: str
    version: int = Field(ge=1)
    title: str = ""
    description: str = ""
    score_formula: str = ""
    sla: SlaConfig = Field(default_factory=SlaConfig)
    low_score: float = Field(default=60, ge=0, le=100, description="flag low_score below this total")
    total_points: float = Field(default=100, gt=0, description="the criteria's points must add up to this")
    criteria: list[CriterionConfig] = Field(min_length=1)
    red_lines: list[str] = Field(
        default_factory=list, description="criterion ids whose failure is a red line (红线): flagged whatever the total"
    )
    flags: list[FlagConfig] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not ID_RE.match(v):
            raise ValueError("must be lower-case letters, digits and _ (e.g. default)")
        return v


# ----------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigError:
    location: str  # "criteria[3] → params.window"
    message: str  # "must be ≥ 1"

    def render(self, source: str | None) -> str:
        parts = [p for p in (source, self.location) if p]
        return " → ".join(parts) + f": {self.message}"


class RubricError(Exception):
    """A rubric that cannot be used; `errors` lists every problem with its location."""

    def __init__(self, errors: list[ConfigError], source: str | None = None) -> None:
        self.errors = list(errors)
        self.source = source
        super().__init__(self.render())

    @property
    def messages(self) -> list[str]:
        return [e.render(self.source) for e in self.errors]

    def render(self) -> str:
        n = len(self.errors)
        head = f"{self.source or 'rubric'}: {n} error{'s' if n != 1 else ''}"
        return "\n".join([head, *("  " + m for m in self.messages)])

    def __str__(self) -> str:
        return self.render()


def format_loc(loc: tuple[Any, ...] | list[Any]) -> str:
    """('criteria', 3, 'params', 'window') -> 'criteria[3] → params.window'."""
    segments: list[str] = []
    current = ""
    for part in loc:
        if isinstance(part, int):
            current += f"[{part}]"
            segments.append(current)
            current = ""
        else:
            current = f"{current}.{part}" if current else str(part)
    if current:
        segments.append(current)
    return " → ".join(segments)


def _num(x: Any) -> Any:
    return f"{x:g}" if isinstance(x, float) else x


def _friendly(err: dict[str, Any]) -> str:
    t = err.get("type", "")
    ctx = {k: _num(v) for k, v in (err.get("ctx") or {}).items()}
    got = err.get("input")
    if t == "greater_than_equal":
        return f"must be ≥ {ctx.get('ge')} (got {got!r})"
    if t == "greater_than":
        return f"must be > {ctx.get('gt')} (got {got!r})"
    if t == "less_than_equal":
        return f"must be ≤ {ctx.get('le')} (got {got!r})"
    if t == "less_than":
        return f"must be < {ctx.get('lt')} (got {got!r})"
    if t == "missing":
        return "required, but missing"
    if t == "extra_forbidden":
        return "unknown field (check the spelling; see the criterion's documented params)"
    if t in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number (got {got!r})"
    if t in ("float_parsing", "float_type"):
        return f"must be a number (got {got!r})"
    if t in ("bool_parsing", "bool_type"):
        return f"must be true or false (got {got!r})"
    if t in ("list_type",):
        return f"must be a list (got {type(got).__name__})"
    if t in ("dict_type", "model_type"):
        return f"must be a mapping (got {type(got).__name__})"
    if t in ("string_type",):
        return f"must be text (got {got!r})"
    if t == "too_short":
        return f"must have at least {ctx.get('min_length')} item(s)"
    if t == "value_error":
        return str(ctx.get("error") or err.get("msg", "")).removeprefix("Value error, ")
    return err.get("msg", t)


def errors_from_validation(exc: ValidationError, prefix: tuple[Any, ...] = ()) -> list[ConfigError]:
    out = []
    for err in exc.errors():
        loc = tuple(prefix) + tuple(err.get("loc", ()))
        # "weight" is an alias of max_points: report the name the file uses
        out.append(ConfigError(format_loc(loc), _friendly(err)))
    return out
