"""Card → reviewer workspace links: absolute, one path segment or query value per id, the card's month."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from pipeline.cards.data import Month
from pipeline.cards.links import ReviewLinks


def test_conversation_link_is_absolute_and_quotes_the_id_as_one_segment():
    links = ReviewLinks("https://qa.example.cn/review/", Month.parse("2026-10"))
    assert links.conversation("QM20261001-004") == "https://qa.example.cn/review/conversations/QM20261001-004"
    # ids come from chat exports: a slash, a query or a quote must not leave the segment
    hostile = links.conversation('a/../b?x=1#"<')
    assert hostile == "https://qa.example.cn/review/conversations/a%2F..%2Fb%3Fx%3D1%23%22%3C"


def test_flag_count_link_filters_the_queue_to_agent_flag_and_the_whole_month():
    url = ReviewLinks("http://127.0.0.1:8000", Month.parse("2026-02")).queue("售后&小王", "sla_breach")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "127.0.0.1:8000", "/queue")
    assert parse_qs(parts.query) == {"agent": ["售后&小王"], "flag": ["sla_breach"],
                                     "from": ["2026-02-01"], "to": ["2026-02-28"]}  # fmt: skip
    december = parse_qs(urlsplit(ReviewLinks("http://h", Month.parse("2026-12")).queue("A", "f")).query)
    assert (december["from"], december["to"]) == (["2026-12-01"], ["2026-12-31"])  # the year turns at the end


def test_spreadsheet_flag_counts_link_to_the_queue_and_zero_counts_do_not(tmp_path):
    from openpyxl import load_workbook

    from pipeline.cards.sheets import write_table

    columns = ["agent_id", "conversations", "flags_sla_breach", "flags_low_score"]
    rows = [{"agent_id": "=HYPERLINK(1)", "conversations": 4, "flags_sla_breach": 2, "flags_low_score": 0}]
    links = ReviewLinks("http://127.0.0.1:8000", Month.parse("2026-10"))
    write_table(rows, columns, tmp_path / "a.csv", tmp_path / "a.xlsx", links=links)
    sheet = load_workbook(tmp_path / "a.xlsx")["agents"]
    agent, _, breach, low = sheet[2]
    assert breach.value == 2 and breach.hyperlink.target == links.queue("=HYPERLINK(1)", "sla_breach")
    assert "agent=%3DHYPERLINK%281%29" in breach.hyperlink.target  # the hostile id stays inside its query value
    assert low.value == 0 and low.hyperlink is None
    assert agent.value == "'=HYPERLINK(1)" and agent.hyperlink is None  # still text, never a formula
