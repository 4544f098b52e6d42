"""Load a rubric file into a `Rubric` and score conversations with it.

Score formula (also stated in every rubric file):

    score = 100 × Σ points(applicable criteria) / Σ max_points(applicable criteria)

A criterion with status `na` (not applicable: e.g. empathy when the customer
never shows a negative emotion) adds neither points nor max_points. When no
criterion applies at all (a conversation without customer messages) the score
is None. A failed red-line criterion flags the conversation whatever the total.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import yaml
from pydantic import ValidationError

from pipeline import config_yaml
from pipeline.conversation import Conversation, CriterionResult, Evidence, Flag
from pipeline.rubric.registry import CRITERIA, FLAGS, Criterion, FlagDetector
from pipeline.rubric.schema import ConfigError, RubricConfig, RubricError, errors_from_validation

# built-in criteria and flags register themselves on import, like a shop's plugin would
import pipeline.rubric.criteria  # noqa: F401,E402


SCORE_DECIMALS = 2


def conversation_score(points: float, max_points: float) -> float | None:
    """The one rounding rule for a conversation's score: 100 × points / max_points, 2 decimals.

    Used by the rubric and by every path that recomputes a score (corrections), so an automatic
    and a corrected score of the same points are equal. None when no criterion applies.
    """
    if max_points <= 0:
        return None
    return round(100.0 * points / max_points, SCORE_DECIMALS)


@dataclass
class Rubric:
    """A loaded, validated rubric: criteria and flag detectors built from data."""

    config: RubricConfig
    criteria: list[Criterion]
    flags: list[FlagDetector]
    source: str | None = None
    red_lines: set[str] = field(default_factory=set)
    # The YAML text this rubric was built from: stored per rubric version, so a month's cards
    # read the rubric its results were scored with, not today's file.
    source_text: str | None = None

    @property
    def id(self) -> str:
        """Versioned rubric id stored with every result, e.g. "default@2"."""
        return f"{self.config.id}@{self.config.version}"

    @property
    def low_score(self) -> float:
        return self.config.low_score

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def lexicon_terms(self) -> list[str]:
        """The rubric's phrases the run's segmenter keeps whole (pipeline.segment.Segmenter); loading never touches jieba."""
        terms: list[str] = []
        for c in self.criteria:
            terms.extend(c.lexicon_terms())
        for f in self.flags:
            terms.extend(f.lexicon_terms())
        return sorted({t for t in terms if 2 <= len(t) <= 12})

    def score_criteria(self, conversation: Conversation) -> dict[str, CriterionResult]:
        return {c.id: c.score(conversation) for c in self.criteria}

    @staticmethod
    def total(results: dict[str, CriterionResult]) -> float | None:
        """100 × Σ points / Σ max_points over applicable (non-na) criteria; None when none applies."""
        points = sum(r.points for r in results.values() if r.status != "na")
        max_points = sum(r.max_points for r in results.values() if r.status != "na")
        return conversation_score(points, max_points)

    def score_many(self, conversations: Sequence[Conversation]) -> None:
        """`score` for each conversation, after each criterion that reads a model has read the whole batch at once
        (`prime`): the model's rows are kept per distinct text, so the per-conversation reads find them — one numpy
        pass per batch instead of one per conversation, the same numbers (each row depends on its own text only)."""
        for c in self.criteria:
            prime = getattr(c, "prime", None)
            if prime is not None:
                prime(conversations)
        for conv in conversations:
            self.score(conv)

    def score(self, conversation: Conversation) -> None:
        """Fill conversation.criteria, .flags, .score and .rubric_version (nothing else)."""
        results = self.score_criteria(conversation)
        conversation.criteria = results
        conversation.score = self.total(results)
        conversation.rubric_version = self.id
        flags: list[Flag] = []
        for detector in self.flags:
            flags.extend(detector.detect(conversation, self))
        authors = {m.seq: m.agent_id for m in conversation.messages if m.role == "agent"}
        for flag in flags:
            if flag.agent_id is None and flag.seq in authors:
                flag.agent_id = authors[flag.seq]
        conversation.flags = flags


# ----------------------------------------------------------------------------
# loading
# ----------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        config_yaml.check_config_size(path)  # before reading: a rubric is a config file, not a data dump
        return path.read_text(encoding="utf-8")
    except config_yaml.ConfigTooLarge as exc:
        raise RubricError([ConfigError("", str(exc.problem))], str(path))
    except FileNotFoundError:
        raise RubricError([ConfigError("", f"file not found; pass a rubric YAML file such as rubrics/default.yaml")], str(path))
    except UnicodeDecodeError as exc:
        raise RubricError([ConfigError("", f"not UTF-8 text ({exc.reason}); save the file as UTF-8")], str(path))


def _parse_yaml(text: str, source: str | None) -> Any:
    try:
        return config_yaml.safe_load(text)  # safe subset, size cap, alias-expansion budget
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RubricError([ConfigError(where, f"YAML syntax error: {problem}")], source)


def _resolve(config: RubricConfig, dotted: str) -> Any:
    obj: Any = config
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def _registered(table: dict) -> str:
    return ", ".join(sorted(table)) or "(none)"


def _import_plugins(data: dict, errors: list[ConfigError]) -> None:
    """`plugins: [my_shop.criteria]` imports modules that register a shop's own criteria."""
    plugins = data.get("plugins") or []
    if not isinstance(plugins, list):
        errors.append(ConfigError("plugins", "must be a list of importable module names"))
        return
    for i, name in enumerate(plugins):
        try:
            importlib.import_module(str(name))
        except Exception as exc:
            errors.append(ConfigError(f"plugins[{i}]", f"cannot import {name!r}: {exc}"))


def build_rubric(
    data: Any, source: str | None = None, *, similarity: bool | None = None, exemplars: bool | None = None
) -> Rubric:
    """Validate already-parsed rubric data; raise RubricError listing every problem."""
    errors: list[ConfigError] = []
    if not isinstance(data, dict):
        raise RubricError([ConfigError("", "the rubric must be a YAML mapping with id, version, criteria …")], source)
    data = dict(data)
    _import_plugins(data, errors)
    data.pop("plugins", None)
    try:
        config = RubricConfig.model_validate(data)
    except ValidationError as exc:
        errors.extend(errors_from_validation(exc))
        # keep going on the criteria we can read, so every error is reported at once
        config = None

    raw_criteria = data.get("criteria") if isinstance(data.get("criteria"), list) else []
    raw_flags = data.get("flags") if isinstance(data.get("flags"), list) else []

    criteria: list[Criterion] = []
    seen_ids: dict[str, int] = {}
    total = 0.0
    for i, raw in enumerate(raw_criteria):
        if not isinstance(raw, dict):
            if config is not None:
                errors.append(ConfigError(f"criteria[{i}]", "must be a mapping with id, type, weight, params"))
            continue
        cid, ctype = raw.get("id"), raw.get("type")
        if isinstance(cid, str):
            if cid in seen_ids:
                errors.append(ConfigError(f"criteria[{i}] → id", f"duplicate id {cid!r} (also criteria[{seen_ids[cid]}])"))
            seen_ids.setdefault(cid, i)
        weight = raw.get("weight", raw.get("max_points"))
        if isinstance(weight, (int, float)) and not isinstance(weight, bool):
            total += float(weight)
        if not isinstance(ctype, str):
            continue  # reported by the schema
        cls = CRITERIA.get(ctype)
        if cls is None:
            errors.append(
                ConfigError(f"criteria[{i}] → type", f"unknown criterion type {ctype!r}; registered: {_registered(CRITERIA)}")
            )
            continue
        params_raw = raw.get("params") or {}
        if not isinstance(params_raw, dict):
            continue  # reported by the schema
        params_raw = dict(params_raw)
        if config is not None:
            for pname, dotted in cls.rubric_defaults.items():
                params_raw.setdefault(pname, _resolve(config, dotted))
        if "paraphrase" in cls.Params.model_fields and (similarity is not None or exemplars is False):
            para = dict(params_raw.get("paraphrase") or cls.Params().paraphrase.model_dump())
            if similarity is not None:
                para["enabled"] = bool(similarity)
            if exemplars is False:  # keep the cue patterns, drop exemplar similarity
                para["exemplars"] = []
            params_raw["paraphrase"] = para
        try:
            params = cls.Params.model_validate(params_raw)
        except ValidationError as exc:
            errors.extend(errors_from_validation(exc, (f"criteria", i, "params")))
            continue
        if isinstance(cid, str) and isinstance(weight, (int, float)):
            criteria.append(cls(id=cid, max_points=float(weight), params=params))

    expected_total = config.total_points if config is not None else data.get("total_points", 100)
    if isinstance(expected_total, (int, float)) and raw_criteria and abs(total - expected_total) > 1e-6:
        weights = ", ".join(
            f"{r.get('id')}={r.get('weight', r.get('max_points'))}" for r in raw_criteria if isinstance(r, dict)
        )
        errors.append(
            ConfigError("criteria", f"weights must sum to {expected_total:g}, they sum to {total:g} ({weights})")
        )

    flags: list[FlagDetector] = []
    seen_codes: set[str] = set()
    for i, raw in enumerate(raw_flags):
        if not isinstance(raw, dict):
            continue
        code, ftype = raw.get("code"), raw.get("type")
        if isinstance(code, str):
            if code in seen_codes:
                errors.append(ConfigError(f"flags[{i}] → code", f"duplicate flag code {code!r}"))
            seen_codes.add(code)
        if not isinstance(ftype, str):
            continue
        fcls = FLAGS.get(ftype)
        if fcls is None:
            errors.append(ConfigError(f"flags[{i}] → type", f"unknown flag type {ftype!r}; registered: {_registered(FLAGS)}"))
            continue
        params_raw = dict(raw.get("params") or {}) if isinstance(raw.get("params") or {}, dict) else {}
        if config is not None:
            for pname, dotted in fcls.rubric_defaults.items():
                params_raw.setdefault(pname, _resolve(config, dotted))
        try:
            fparams = fcls.Params.model_validate(params_raw)
        except ValidationError as exc:
            errors.extend(errors_from_validation(exc, ("flags", i, "params")))
            continue
        ref = getattr(fparams, "criterion", None)
        if ref is not None and ref not in seen_ids:
            errors.append(
                ConfigError(
                    f"flags[{i}] → params.criterion",
                    f"no criterion with id {ref!r} in this rubric; ids: {', '.join(seen_ids) or '(none)'}",
                )
            )
            continue
        if isinstance(code, str):
            flags.append(fcls(code=code, params=fparams, red_line=bool(raw.get("red_line", False))))

    if config is not None:
        for i, rid in enumerate(config.red_lines):
            if rid not in seen_ids:
                errors.append(
                    ConfigError(f"red_lines[{i}]", f"no criterion with id {rid!r} in this rubric; ids: {', '.join(seen_ids) or '(none)'}")
                )
    if errors:
        raise RubricError(errors, source)
    assert config is not None
    red_lines = {c.id for c in config.criteria if c.red_line} | set(config.red_lines)
    for f in flags:  # a flag raised by a red-line criterion is a red line too
        if getattr(f.params, "criterion", None) in red_lines:
            f.red_line = True
    return Rubric(config=config, criteria=criteria, flags=flags, source=source, red_lines=red_lines)


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_rubric(
    path: str | Path | None = None, *, similarity: bool | None = None, exemplars: bool | None = None
) -> Rubric:
    """Load and validate a rubric file (default: settings.rubric_path).

    similarity: None keeps the file's setting; False/True switches every
    criterion's paraphrase layer (exemplar similarity and cue patterns) off/on,
    used by the evaluation to measure what it adds; exemplars=False keeps the cue patterns
    but drops exemplar similarity (to measure the two mechanisms apart).
    Raises RubricError listing every problem with its location.
    """
    if path is None:
        from pipeline.settings import get_settings

        path = get_settings().rubric_path
    path = Path(path)
    source = _display_path(path)
    return load_rubric_text(_read_text(path), source, similarity=similarity, exemplars=exemplars)


def load_rubric_text(
    text: str, source: str | None = None, *, similarity: bool | None = None, exemplars: bool | None = None
) -> Rubric:
    """Build a rubric from YAML text (a file's, or the snapshot the store kept for a rubric version)."""
    rubric = build_rubric(_parse_yaml(text, source), source, similarity=similarity, exemplars=exemplars)
    rubric.source_text = text
    return rubric


def criterion_alone(criterion_id: str, params: dict[str, dict] | None = None, rubric_path: str | Path | None = None) -> Rubric:
    """The rubric file's criterion `criterion_id` alone (weight 100, no red lines, no flags), each key of `params`
    merged into that key of its params (e.g. {"kinds": {"enabled": False}}): what a measuring tool scores one
    criterion with, its model or thresholds swapped."""
    from pipeline.settings import get_settings

    path = Path(rubric_path or get_settings().rubric_path)
    data = config_yaml.safe_load(_read_text(path))
    crit = next(c for c in data["criteria"] if c.get("id") == criterion_id)
    own = crit.setdefault("params", {})
    for key, value in (params or {}).items():
        own[key] = {**(own.get(key) or {}), **value}
    data.update(criteria=[dict(crit, weight=100)], red_lines=[], flags=[])
    return build_rubric(data, str(path))
