"""The month's spreadsheet: agents-YYYY-MM.csv (every figure) and agents-YYYY-MM.xlsx (HR's short sheet first).

Agent ids and names come from chat exports: any of them may be hostile. Every cell either
file gets goes through `sheet_cell`, so no value is ever a formula (CSV/formula injection).
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.cards.links import ReviewLinks

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice or
# Google Sheets; full-width forms too, which CJK input methods produce and some versions accept.
FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")


def sheet_cell(value):
    """The one escaping function for spreadsheet and CSV cells: numbers stay numbers, text never starts a formula.

    Text whose first character (or first after leading spaces) could start a formula gets a leading
    apostrophe, the spreadsheet convention for "this is text": `=HYPERLINK(…)` → `'=HYPERLINK(…)`.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    text = str(value)
    if text[:1] in FORMULA_STARTS or text.lstrip(" ")[:1] in FORMULA_STARTS:
        return "'" + text
    return text


@dataclass(frozen=True)
class SummaryColumn:
    header: str  # Chinese, what HR reads
    source: str  # the column of the full sheet it shows
    number_format: str | None = None  # Excel format: percentages shown as percentages
    width: int = 12


# HR's short sheet, first in the workbook: a dozen columns an HR colleague reads without the explanations.
SUMMARY_COLUMNS = (
    SummaryColumn("客服ID", "agent_id", width=16),
    SummaryColumn("客服姓名", "agent_name", width=12),
    SummaryColumn("会话数", "conversations", "0", 8),
    SummaryColumn("平均质检分", "score_mean", "0.0", 11),
    SummaryColumn("星级", "tier_label", width=32),
    SummaryColumn("排名", "rank", "0", 6),
    SummaryColumn("首响达标率", "sla_pass_rate", "0.0%", 11),
    SummaryColumn("负面结束率", "negative_end_rate", "0.0%", 11),
    SummaryColumn("情绪好转率", "sentiment_turnaround_rate", "0.0%", 11),
    SummaryColumn("红线次数", "red_lines", "0", 9),
    SummaryColumn("复核更正会话数", "corrected_conversations", "0", 14),
    SummaryColumn("较上月均分变化", "score_mean_change", "+0.0;-0.0;0.0", 14),
    SummaryColumn("客户满意度(1-5)", "csat_mean", "0.00", 14),
)
SUMMARY_SHEET = "汇总"


COLUMN_NOTES = {
    "_rate": "fraction 0–1 of pass / (pass + fail); na excluded",
    "_n": "sample size (conversations) behind the rate",
    "_ci_low": "95% Wilson interval, lower bound (fraction)",
    "_ci_high": "95% Wilson interval, upper bound (fraction)",
    "_na": "conversations where the criterion did not apply",
    "_s": "seconds",
}


NAMED_COLUMN_NOTES = {
    "agent_id": "the main human agent of the conversations (most agent messages)",
    "month": "YYYY-MM; conversations counted by start time in settings.timezone",
    "eligible": "True when conversations ≥ min_conversations: only then tier, rank and team comparison",
    "conversations": "conversations handled (count)",
    "score_n": "conversations with a score",
    "score_mean": "mean QA score 0–100 (human corrections applied)",
    "score_std": "sample standard deviation of the QA score (points)",
    "first_response_n": "conversations with a measured first response",
    "first_response_unanswered": "conversations where no human agent answered the customer (first_response_sla: no reply)",
    "first_response_median_s": "median seconds, first customer message → next human-agent message (first_response_sla's rule)",
    "first_response_p90_s": "90th percentile seconds, first customer message → next human-agent message (first_response_sla's rule)",
    "sla_pass_rate": "fraction 0–1 of first_response_sla passes (same as first_response_sla_pass_rate)",
    "sentiment_turnaround_rate": "fraction 0–1 of conversations starting negative that end neutral or positive",
    "negative_end_rate": "fraction 0–1 of conversations whose last customer sentiment is negative",
    "flagged_conversations": "conversations with at least one flag",
    "red_lines": "red-line flags (forbidden phrases), occurrences",
    "csat_mean": "mean buyer rating 1–5 where the logs carry one",
    "csat_n": "conversations with a buyer rating",
    "corrected_conversations": "conversations with at least one reviewer correction",
    "corrected_scores": "conversations whose score a correction changed",
    "corrected_criteria": "criterion results changed by corrections",
    "tier_stars": "star tier 1–5; empty when not eligible",
    "tier": "tier name",
    "tier_label": "stars and tier name as the card shows them (or why no tier)",
    "tier_rule": "the tier rule that fired, in words (or why no tier)",
    "rank": "rank by score_mean among eligible agents (1 = best); empty when not eligible",
    "score_mean_prev_month": "score_mean of the previous month (same rubric version)",
    "score_mean_change": "score_mean − score_mean_prev_month (points)",
}


def column_note(column: str) -> str:
    if column.startswith("flags_"):
        return "conversations carrying this flag code at least once"
    return NAMED_COLUMN_NOTES.get(column) or next((v for k, v in COLUMN_NOTES.items() if column.endswith(k)), "")


def _append(ws, values: list) -> None:
    """One row of escaped cells; strings are written as strings (data_type 's'), never as formulas."""
    ws.append([sheet_cell(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def write_table(rows: list[dict], columns: list[str], csv_path: Path, xlsx_path: Path,
                links: ReviewLinks | None = None) -> None:
    """UTF-8 CSV (with BOM, for Excel) of every column, and an .xlsx: 汇总 (HR's short sheet), agents (every
    column, as the CSV), columns (what each column means).

    links: with them, each non-zero flag count (flags_CODE) in the agents
    sheet is a hyperlink to the workspace's queue of those conversations, as on the card."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    with csv_path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([sheet_cell(c) for c in columns])
        for r in rows:
            w.writerow(["" if r.get(c) is None else sheet_cell(r.get(c)) for c in columns])

    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY_SHEET
    _append(summary, [c.header for c in SUMMARY_COLUMNS])
    for r in rows:
        _append(summary, [r.get(c.source) for c in SUMMARY_COLUMNS])
    for i, col in enumerate(SUMMARY_COLUMNS, start=1):
        letter = get_column_letter(i)
        summary.column_dimensions[letter].width = col.width
        summary[f"{letter}1"].font = Font(bold=True)
        summary[f"{letter}1"].alignment = Alignment(horizontal="center")
        if col.number_format:
            for (cell,) in summary.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = col.number_format
    summary.freeze_panes = "C2"

    full = wb.create_sheet("agents")
    _append(full, columns)
    for r in rows:
        _append(full, [r.get(c) for c in columns])
        for cell, c in zip(full[full.max_row], columns):
            if links is not None and c.startswith("flags_") and cell.value:
                cell.hyperlink = links.queue(r["agent_id"], c.removeprefix("flags_"))
    full.freeze_panes = "B2"
    for i, c in enumerate(columns, start=1):
        full.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(c) + 2))

    notes = wb.create_sheet("columns")
    _append(notes, ["column", "meaning / unit"])
    for col in SUMMARY_COLUMNS:
        _append(notes, [f"{SUMMARY_SHEET} · {col.header}", f"agents · {col.source}: {column_note(col.source)}"])
    for c in columns:
        _append(notes, [c, column_note(c)])
    notes.column_dimensions["A"].width = 36
    notes.column_dimensions["B"].width = 100
    wb.save(xlsx_path)
