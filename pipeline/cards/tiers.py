"""Star tiers (客服星级评定) as data: ordered rules, the first that holds wins, and the card prints it."""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline import config_yaml
from pipeline.cards.aggregate import criterion_name, flag_name

DEFAULT_TIERS_PATH = Path(__file__).resolve().parent / "card_tiers.yaml"

_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq, "!=": operator.ne}
_OP_SHOWN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}
# How a condition reads on a card: the figure in Chinese and its unit (how its numbers are written).
_FIGURE_WORDS = {
    "conversations": ("处理会话数", "conversations"),
    "score_n": ("有评分的会话数", "conversations"),
    "score_mean": ("均分", "points"),
    "score_std": ("得分标准差", "points"),
    "first_response_n": ("计入首响的会话数", "conversations"),
    "first_response_unanswered": ("无人回复的会话数", "conversations"),
    "first_response_median_s": ("首响时间中位数", "seconds"),
    "first_response_p90_s": ("P90 首响时间", "seconds"),
    "sla_pass_rate": ("首响达标率", "rate"),
    "sentiment_turnaround_rate": ("情绪好转率", "rate"),
    "negative_end_rate": ("负面结束率", "rate"),
    "flagged_conversations": ("被标记的会话数", "conversations"),
    "red_lines": ("红线", "times"),
    "csat_mean": ("客户满意度（1–5）", "csat"),
    "csat_n": ("有满意度评价的会话数", "conversations"),
    "corrected_conversations": ("复核更正的会话数", "conversations"),
}
_SUFFIX_WORDS = (("_pass_rate", "通过率", "rate"), ("_rate", "比率", "rate"), ("_ci_low", "95% 区间下限", "rate"),
                 ("_ci_high", "95% 区间上限", "rate"), ("_n", "样本数", "conversations"),
                 ("_na", "不适用的会话数", "conversations"))
_OP_WORDS = {  # op -> (for amounts, for counts)
    ">=": ("不低于", "不少于"), ">": ("高于", "多于"), "<=": ("不高于", "不多于"), "<": ("低于", "少于"),
    "==": ("等于", "等于"), "!=": ("不等于", "不等于"),
}
_UNITS = {"points": " 分", "csat": " 分", "seconds": " 秒", "conversations": " 段", "times": " 次"}


def figure_words(figure: str) -> tuple[str, str]:
    """(Chinese name, unit) of a figure column: the words a tier condition is said in."""
    if figure in _FIGURE_WORDS:
        return _FIGURE_WORDS[figure]
    if figure.startswith("flags_"):
        return f"带“{flag_name(figure[len('flags_'):])}”标记的会话数", "conversations"
    for suffix, words, unit in _SUFFIX_WORDS:
        if figure.endswith(suffix):
            return f"{criterion_name(figure[: -len(suffix)])}{words}", unit
    return figure, ""


def say_value(figure: str, value) -> str:
    """A figure's value as a card prints it: rates as percentages, with the unit."""
    if value is None or (isinstance(value, float) and value != value):
        return "无数据"
    unit = figure_words(figure)[1]
    if unit == "rate":
        return f"{100 * float(value):.1f}%".replace(".0%", "%")
    if unit in ("conversations", "times"):
        return f"{float(value):g}{_UNITS[unit]}"
    return f"{float(value):.1f}".removesuffix(".0") + _UNITS.get(unit, "")


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

    def sentence(self) -> str:
        """The condition in Chinese: 'red_lines == 0' → '没有红线', 'sla_pass_rate >= 0.95' → '首响达标率不低于 95%'."""
        name, unit = figure_words(self.figure)
        counted = unit in ("conversations", "times")
        if counted and self.op == "==" and self.value == 0:
            return f"没有{name.removesuffix('数')}"
        word = _OP_WORDS[self.op][1 if counted else 0]
        return f"{name}{word} {say_value(self.figure, self.value)}"


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
    def conditions_text(self) -> str:
        """The conditions in Chinese sentences (the written description where there are none)."""
        return "、".join(c.sentence() for c in self.when) or self.description or "其余情况"

    @property
    def rule_text(self) -> str:
        """What the overview and the spreadsheet print: stars, name and the conditions in Chinese."""
        return f"{self.label} {self.name}：{self.conditions_text}"

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
