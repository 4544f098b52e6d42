"""An agent's card lists the month's upheld appeals (count and list), and its figures use the corrected criterion."""
from __future__ import annotations

import csv

from pipeline.cards import build_cards
from pipeline.corrections import effective_results
from pipeline.store import Store
from pipeline.store.appeals import decide_appeal, file_appeal
from tests.pipeline.cards.synth import build_store


def test_the_card_shows_upheld_appeals_of_the_month_only_for_their_agent(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    build_store(url, months=("2026-10",)).close()
    with Store(url) as store:
        rows, version = effective_results(store, "2026-10-01", "2026-11-01")
        target = next(r for r in rows if r["agent_id"] == "A02" and r["criteria"]["greeting"]["status"] == "pass")
        cid = target["conversation_id"]
        store.add_correction(cid, reviewer="质检员", criterion="greeting", status="fail")
        upheld = file_appeal(store.engine, cid, rubric_version=version, criterion="greeting", agent_id="A02",
                             filed_by="a02", comment="<b>问候在图片里</b>")  # fmt: skip
        decide_appeal(store, upheld, decision="upheld", reason="图片里有问候", decided_by="组长")
        rejected = file_appeal(store.engine, cid, rubric_version=version, criterion="empathy", agent_id="A02",
                               filed_by="a02", comment="不服")  # fmt: skip
        decide_appeal(store, rejected, decision="rejected", reason="没有共情", decided_by="组长")
    report = build_cards("2026-10", url, tmp_path / "out", pdf=False)
    card = report.cards_html["A02"].read_text(encoding="utf-8")
    assert "申诉成立（1）" in card and "图片里有问候" in card and "没有共情" not in card
    assert "&lt;b&gt;问候在图片里&lt;/b&gt;" in card  # the agent's text is escaped
    assert "申诉成立" not in report.cards_html["A03"].read_text(encoding="utf-8")
    with report.csv_path.open(encoding="utf-8-sig") as fh:
        a02 = next(r for r in csv.DictReader(fh) if r["agent_id"] == "A02")
    assert a02["corrected_conversations"] == "1"  # the upheld appeal is a correction the figures apply
