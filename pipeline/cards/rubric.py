"""The rubric a month's cards describe: the one its results were scored with.

Each run keeps the text of its rubric in the store (Store.save_rubric_snapshot), so a month's
cards read that version — its criteria and first-response threshold — not whatever rubric file
is current today. Stores written before snapshots were kept fall back to the current file, and
the cards say so; a rubric that cannot be read is said too, never passed over in silence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.rubric import Rubric, RubricError, load_rubric_text
from pipeline.settings import get_settings
from pipeline.store import Store

DEFAULT_SLA_SECONDS = 300.0  # the default rubric's sla.first_response_seconds
FIRST_RESPONSE_CRITERION = "first_response_sla"  # the id the cards read the SLA from (results contract)


@dataclass
class MonthRubric:
    """What the cards take from the rubric, where it came from, and what the reader should know."""

    rubric: Rubric | None
    source: str  # "snapshot", "current file" or "built-in defaults"
    warnings: list[str] = field(default_factory=list)

    @property
    def sla_seconds(self) -> float:
        """The first-response threshold the month was scored with (the criterion's own parameter)."""
        if self.rubric is None:
            return DEFAULT_SLA_SECONDS
        try:
            return float(self.rubric.criterion(FIRST_RESPONSE_CRITERION).params.threshold_seconds)
        except (KeyError, AttributeError):  # a rubric without that criterion: its sla section
            return float(self.rubric.config.sla.first_response_seconds)


def month_rubric(store: Store, rubric_version: str | None, rubric_path: Path | str | None = None) -> MonthRubric:
    """The rubric of `rubric_version` from its snapshot; else the current rubric file, with a warning."""
    text = store.load_rubric_snapshot(rubric_version) if rubric_version else None
    if text is not None:
        try:
            return MonthRubric(load_rubric_text(text, f"rubric snapshot {rubric_version}"), "snapshot")
        except RubricError as err:
            return MonthRubric(None, "built-in defaults", [
                f"the rubric {rubric_version} kept in the store cannot be read ({err}); the cards use the built-in "
                f"criterion names and a {DEFAULT_SLA_SECONDS:.0f} s first-response line — re-run `zhijian score` "
                f"with a valid rubric to keep a readable snapshot"])  # fmt: skip
    path = Path(rubric_path or get_settings().rubric_path)
    warnings: list[str] = []
    if rubric_version:
        warnings.append(
            f"no snapshot of rubric {rubric_version} in the store (scored before snapshots were kept): the cards "
            f"read the current rubric file {path} instead — re-score the month to keep the rubric it was scored with"
        )
    try:
        rubric = load_rubric_text(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError, RubricError) as err:
        warnings.append(
            f"the rubric file {path} cannot be read ({err}); the cards use the built-in criterion names and a "
            f"{DEFAULT_SLA_SECONDS:.0f} s first-response line — fix the file or set ZHIJIAN_RUBRIC_PATH"
        )
        return MonthRubric(None, "built-in defaults", warnings)
    if rubric_version and rubric.id != rubric_version:
        warnings.append(f"the current rubric file is {rubric.id}, the month's results are {rubric_version}: "
                        "its first-response threshold may not be the one scored")  # fmt: skip
    return MonthRubric(rubric, "current file", warnings)
