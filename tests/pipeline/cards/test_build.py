"""Outputs of build_cards: files, fairness rules, corrections, the golden card, Chinese in the PDF."""
from __future__ import annotations

import csv
import os
import re
import zlib
from pathlib import Path

import pytest

from pipeline.cards import build_cards
from pipeline.cards.data import Month
from pipeline.corrections import effective_results
from pipeline.settings import get_settings
from pipeline.store import Store
from tests.pipeline.cards.conftest import GENERATED_AT
from tests.pipeline.cards.synth import build_store

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "cards" / "card-A03-2026-10.html"


def normalise(html: str) -> str:
    """Dates out, charts out (their SVG paths depend on the matplotlib and font versions)."""
    html = re.sub(r"<svg.*?</svg>", "<svg/>", html, flags=re.S)
    html = re.sub(r"生成于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "生成于 <date>", html)
    return html


def test_writes_every_output(built):
    report, out = built
    names = {p.name for p in out.iterdir()}
    assert {"index.html", "agents-2026-10.csv", "agents-2026-10.xlsx"} <= names
    for agent in ("A01", "A02", "A03", "A04", "A05", "A06"):
        assert f"card-{agent}-2026-10.html" in names and f"card-{agent}-2026-10.pdf" in names
    assert report.agents == ["A01", "A02", "A03", "A04", "A05", "A06"]
    assert report.conversations == 144


def test_html_is_self_contained(built):
    report, out = built
    for path in [report.index_html, *report.cards_html.values()]:
        html = path.read_text(encoding="utf-8")
        assert not re.search(r'src="(https?:)?//', html), path.name
        # the only links out are to the reviewer workspace (ZHIJIAN_REVIEW_URL): pages to open, never assets
        outside = re.findall(r'href="((?:https?:)?//[^"]*)"', html)
        assert all(h.startswith(get_settings().review_url.rstrip("/") + "/") for h in outside), (path.name, outside)
        assert "<link" not in html and "<script" not in html and "<img" not in html
        assert html.count("<svg") >= (2 if path.name == "index.html" else 3)


def test_pdf_embeds_a_cjk_font(built):
    report, _ = built
    data = report.cards_pdf["A03"].read_bytes()
    assert data.startswith(b"%PDF")
    # font dictionaries sit in compressed object streams: inflate them and look for an embedded CJK subset
    fonts, embedded = set(), False
    # the stream's end of line is left in the chunk and ignored by decompressobj: a compressed stream whose last byte
    # is \r lost that byte to an optional \r before endstream, so the font dictionaries sometimes went unread
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            text = zlib.decompressobj().decompress(m.group(1))
        except zlib.error:
            continue
        fonts.update(re.findall(rb"/BaseFont\s*/([^/\s>]+)", text))
        embedded = embedded or b"/FontFile" in text
    assert embedded and any(re.match(rb"[A-Z]{6}\+.*CJK", f) for f in fonts), (
        f"no embedded CJK font in the PDF (fonts: {fonts}): run scripts/install_fonts.sh")


def test_spreadsheet_one_row_per_agent_with_stable_columns(built):
    report, _ = built
    from openpyxl import load_workbook

    with report.csv_path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    for col in ("agent_id", "conversations", "score_mean", "score_std", "greeting_pass_rate", "greeting_n",
                "greeting_ci_low", "greeting_ci_high", "first_response_median_s", "first_response_p90_s",
                "sla_pass_rate", "sentiment_turnaround_rate", "negative_end_rate", "flags_forbidden_phrase",
                "csat_mean", "csat_n", "tier", "tier_rule", "red_lines", "rank", "corrected_conversations"):
        assert col in header, col
    assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in header)
    assert [r["agent_id"] for r in rows] == report.agents
    ws = load_workbook(report.xlsx_path)["agents"]
    assert [c.value for c in ws[1]] == header
    assert ws.max_row == len(rows) + 1


def test_no_tier_rank_or_comparison_below_min_conversations(built):
    report, _ = built
    assert "A06" in report.agents and "A06" not in report.ranked
    with report.csv_path.open(encoding="utf-8-sig") as fh:
        a06 = next(r for r in csv.DictReader(fh) if r["agent_id"] == "A06")
    assert a06["tier"] == "" and a06["tier_stars"] == "" and a06["rank"] == ""
    assert a06["eligible"] == "False" and "8 conversations < 20" in a06["tier_rule"]
    card = report.cards_html["A06"].read_text(encoding="utf-8")
    assert "本月不评星级、不排名、不与团队比较" in card and "少于 20 段" in card
    assert "团队排名" not in card and "<th class=\"num\">团队</th>" not in card
    overview = report.index_html.read_text(encoding="utf-8")
    assert "样本不足未列入：A06" in overview


def test_tier_and_rule_printed_for_eligible_agents(built):
    report, _ = built
    with report.csv_path.open(encoding="utf-8-sig") as fh:
        rows = {r["agent_id"]: r for r in csv.DictReader(fh)}
    assert rows["A01"]["tier_stars"] == "5"
    card = report.cards_html["A01"].read_text(encoding="utf-8")
    assert "★★★★★" in card and "判定规则：均分不低于 90 分、没有红线、首响达标率不低于 95%" in card
    assert "本人情况：均分不低于 90 分（本人 " in card and "score_mean" not in card
    ranks = sorted(int(rows[a]["rank"]) for a in report.ranked)
    assert ranks == list(range(1, len(report.ranked) + 1))


def test_red_lines_listed_with_conversation_and_seq(built):
    report, _ = built
    card = report.cards_html["A03"].read_text(encoding="utf-8")
    assert "红线明细（1）" in card and "A03-2026-10-012" in card


def test_coaching_excerpts_highlight_the_span(built):
    report, _ = built
    card = report.cards_html["A05"].read_text(encoding="utf-8")
    section = card[card.index("辅导材料"):]
    assert section.count('class="example"') >= 2
    red = report.cards_html["A03"].read_text(encoding="utf-8")
    assert re.search(r"<mark>(这是规定|我已经说过了|跟我们无关)</mark>", red)


def test_excerpt_cuts_around_the_span():
    from pipeline.cards.aggregate import excerpt

    text = "前" * 50 + "这是规定" + "后" * 50
    before, marked, after = excerpt(text, [50, 54], width=5)
    assert (before, marked, after) == ("…前前前前前", "这是规定", "后后后后后…")
    assert excerpt("您好", None) == ("您好", "", "")


def test_min_conversations_setting_lowers_the_bar(synthetic_store, tmp_path):
    report = build_cards("2026-10", synthetic_store, tmp_path, pdf=False, min_conversations=5)
    assert "A06" in report.ranked


def test_min_conversations_defaults_to_the_setting(synthetic_store, tmp_path):
    from pipeline.settings import get_settings

    minimum = get_settings().card_min_conversations
    report = build_cards("2026-10", synthetic_store, tmp_path, pdf=False)
    with report.csv_path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {int(r["min_conversations"]) for r in rows} == {minimum}
    assert {r["agent_id"] for r in rows if r["eligible"] == "True"} == {
        r["agent_id"] for r in rows if int(r["conversations"]) >= minimum}


def test_correction_replaces_the_automatic_score(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    build_store(url, months=("2026-10",)).close()

    def a02_row(out: Path) -> dict:
        report = build_cards("2026-10", url, out, pdf=False)
        with report.csv_path.open(encoding="utf-8-sig") as fh:
            return next(r for r in csv.DictReader(fh) if r["agent_id"] == "A02")

    before = a02_row(tmp_path / "before")
    with Store(url) as store:
        rows, _ = effective_results(store, "2026-10-01", "2026-11-01")
        target = min((r for r in rows if r["agent_id"] == "A02"), key=lambda r: r["score"])
        store.add_correction(target["conversation_id"], reviewer="组长", score=100.0)
    after = a02_row(tmp_path / "after")
    n = int(before["conversations"])
    assert float(after["score_mean"]) == pytest.approx(float(before["score_mean"]) + (100.0 - target["score"]) / n)
    assert after["corrected_conversations"] == "1" and after["corrected_scores"] == "1"
    card = (tmp_path / "after" / "card-A02-2026-10.html").read_text(encoding="utf-8")
    assert "1 段会话有复核更正" in card


def test_bad_month_says_what_to_write():
    with pytest.raises(ValueError, match="YYYY-MM"):
        Month.parse("2026/10")
    with pytest.raises(ValueError, match="2026-10"):
        Month.parse("2026-13")


def test_golden_card(built):
    report, _ = built
    got = normalise(report.cards_html["A03"].read_text(encoding="utf-8"))
    if os.environ.get("UPDATE_GOLDEN") or not GOLDEN.exists():
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(got, encoding="utf-8")
        if not os.environ.get("UPDATE_GOLDEN"):
            pytest.fail(f"golden file was missing and has been written: {GOLDEN}; review and commit it")
    assert got == GOLDEN.read_text(encoding="utf-8"), "card changed: review, then UPDATE_GOLDEN=1 pytest to accept"
    assert GENERATED_AT.year == 2026


def test_agent_ids_are_safe_in_file_names():
    from pipeline.cards.build import safe_name

    assert safe_name("A03") == "A03" and safe_name("售后小王01") == "售后小王01"
    assert re.fullmatch(r"售后_小王_01-[0-9a-f]{10}", safe_name("售后/小王 01"))  # readable, and no other id's


def test_custom_tier_file(synthetic_store, tmp_path):
    tiers = tmp_path / "tiers.yaml"
    tiers.write_text("tiers:\n  - stars: 3\n    name: 合格\n    description: 会话 ≥ 20\n    when: ['conversations >= 20']\n"
                     "  - stars: 1\n    name: 其他\n    description: 其余\n    when: []\n", encoding="utf-8")
    report = build_cards("2026-10", synthetic_store, tmp_path / "out", pdf=False, tiers_path=tiers)
    with report.csv_path.open(encoding="utf-8-sig") as fh:
        rows = {r["agent_id"]: r for r in csv.DictReader(fh)}
    assert {rows[a]["tier"] for a in report.ranked} == {"合格"}
    assert "处理会话数不少于 20 段" in rows["A01"]["tier_rule"]


def test_hr_sheet_comes_first_short_in_chinese_with_percentages(built):
    from openpyxl import load_workbook

    report, _ = built
    wb = load_workbook(report.xlsx_path)
    assert wb.sheetnames == ["汇总", "agents", "columns"]  # HR's sheet first, the full one and the notes beside it
    ws = wb["汇总"]
    headers = [c.value for c in ws[1]]
    assert 10 <= len(headers) <= 14 and all(re.search(r"[\u4e00-\u9fff]", h) for h in headers)
    assert {"客服ID", "会话数", "平均质检分", "星级", "首响达标率", "红线次数", "复核更正会话数"} <= set(headers)
    rows = {r[0].value: {h: c for h, c in zip(headers, r)} for r in ws.iter_rows(min_row=2)}
    assert list(rows) == report.agents
    assert rows["A01"]["星级"].value == "★★★★★ 五星客服" and rows["A06"]["星级"].value.startswith("不评星级")
    assert rows["A01"]["首响达标率"].number_format == "0.0%" and 0 <= rows["A01"]["首响达标率"].value <= 1
    assert rows["A01"]["平均质检分"].number_format == "0.0"
    assert rows["A03"]["红线次数"].value == 1 and rows["A03"]["复核更正会话数"].value == 2
    notes = [r[0].value for r in wb["columns"].iter_rows(min_row=2)]
    assert "汇总 · 首响达标率" in notes and "sla_pass_rate" in notes
