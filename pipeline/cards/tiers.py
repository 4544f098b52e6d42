"""Star tiers (客服星级评定) as data: ordered rules, the first that holds wins, and the card prints it."""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline import config_yaml

DEFAULT_TIERS_PATH = Path(__file__).resolve().parent / "card_tiers.yaml"

_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq, "!=": operator.ne}
_OP_SHOWN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}
_CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")


class TierConfigError(ValueError):
    """All problems in a tier file at once, each with where it is."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("invalid card tier rules:\n" + "\n".join(f"  {e}" for e in errors))


@dataclass(frozen=True)
class Condition:
    figure: str
    op: str
    value: float

    def holds(self, figures: dict) -> bool:
        actual = figures.get(self.figure)
        if actual is None or (isinstance(actual, float) and actual != actual):  # None / NaN: no data
            return False
        return _OPS[self.op](float(actual), self.value)

    def __str__(self) -> str:
        value = f"{self.value:g}"
        return f"{self.figure} {_OP_SHOWN[self.op]} {value}"


@dataclass(frozen=True)
class TierRule:
    stars: int
    name: str
    description: str
    when: tuple[Condition, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return "★" * self.stars + "☆" * (5 - self.stars)

    @property
    def rule_text(self) -> str:
        """What the card prints: stars, name, the written description and the exact conditions."""
        conds = " 且 ".join(str(c) for c in self.when) or "（其余情况）"
        return f"{self.label} {self.name}：{self.description}  [{conds}]"

    def holds(self, figures: dict) -> bool:
        return all(c.holds(figures) for c in self.when)


@dataclass(frozen=True)
class TierRules:
    rules: tuple[TierRule, ...]
    source: str

    def assign(self, figures: dict) -> TierRule | None:
        for rule in self.rules:
            if rule.holds(figures):
                return rule
        return None


def load_tier_rules(path: Path | str | None = None, known_figures: set[str] | None = None) -> TierRules:
    """Read and validate a tier file; raises TierConfigError listing every problem with its location."""
    path = Path(path) if path else DEFAULT_TIERS_PATH
    where = path.name
    try:
        config_yaml.check_config_size(path)
        data = config_yaml.safe_load(path.read_text(encoding="utf-8"))  # size cap, alias-expansion budget
    except (OSError, yaml.YAMLError) as exc:
        raise TierConfigError([f"{where}: cannot read ({exc}); fix the file or pass another tiers path"]) from exc
    errors: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("tiers"), list) or not data["tiers"]:
        raise TierConfigError([f"{where} → tiers: must be a non-empty list of rules"])
    rules: list[TierRule] = []
    for i, raw in enumerate(data["tiers"]):
        loc = f"{where} → tiers[{i}]"
        if not isinstance(raw, dict):
            errors.append(f"{loc}: must be a mapping with stars, name, description, when")
            continue
        stars = raw.get("stars")
        if not isinstance(stars, int) or not 0 <= stars <= 5:
            errors.append(f"{loc} → stars: must be an integer 0–5, got {stars!r}")
            stars = 0
        when = raw.get("when") or []
        if not isinstance(when, list):
            errors.append(f"{loc} → when: must be a list of conditions like 'score_mean >= 90'")
            when = []
        conds: list[Condition] = []
        for j, text in enumerate(when):
            m = _CONDITION.match(str(text))
            if not m:
                errors.append(f"{loc} → when[{j}]: {text!r} is not '<figure> <op> <number>' (ops: >= > <= < == !=)")
                continue
            figure = m.group(1)
            if known_figures is not None and figure not in known_figures:
                errors.append(f"{loc} → when[{j}]: unknown figure {figure!r}; use a column of agents-YYYY-MM.csv")
            conds.append(Condition(figure, m.group(2), float(m.group(3))))
        rules.append(TierRule(stars, str(raw.get("name", "")), str(raw.get("description", "")), tuple(conds)))
    if errors:
        raise TierConfigError(errors)
    return TierRules(tuple(rules), str(path))
