"""Prefect flow for the monthly QA cards: a thin wrapper over pipeline.cards.build_cards.

Scheduled by `zhijian serve` (flows/deployments.py: deployment `monthly-cards`, ZHIJIAN_CARDS_CRON, by
default 06:00 on the 1st, when the nightly run of the month's last day has finished) with no month
given, it builds the cards for the month that just ended.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from pipeline.cards import CardsReport, build_cards
from pipeline.settings import get_settings

ARTIFACT_KEY = "monthly-qa-cards"


def previous_month(now: datetime | None = None) -> str:
    now = now or datetime.now(ZoneInfo(get_settings().timezone))
    y, m = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return f"{y:04d}-{m:02d}"


@task(name="build-cards", retries=1, retry_delay_seconds=10, cache_policy=NO_CACHE, persist_result=False)
def build_cards_task(month: str, store_url: str | None, out_dir: str, pdf: bool) -> CardsReport:
    # one log line per card: a month of PDFs takes minutes, and the run's log shows where it is
    return build_cards(month, store_url, Path(out_dir), pdf=pdf, progress=get_run_logger().info)


@flow(name="monthly_cards", log_prints=False)
def monthly_cards(month: str | None = None, store_url: str | None = None, out_dir: str = "out/cards",
                  pdf: bool = True) -> dict[str, Any]:
    """Build one month's QA cards (default: the previous month) and publish a summary artifact."""
    month = month or previous_month()
    report = build_cards_task(month, store_url, str(Path(out_dir) / month), pdf)
    logger = get_run_logger()
    logger.info(report.summary_line())
    for w in report.warnings:
        logger.warning(w)
    rows = "\n".join(f"| {a} | {report.cards_html[a].name if a in report.cards_html else 'not written'} |"
                     for a in report.agents)
    create_markdown_artifact(
        key=ARTIFACT_KEY,
        markdown=(f"# QA cards {month}\n\n{report.conversations} conversations, {len(report.agents)} agents "
                  f"({len(report.ranked)} rated)\n\nOverview: `{report.index_html}`\n\n| agent | card |\n|---|---|\n"
                  f"{rows}\n"),
        description=f"monthly QA cards {month}",
    )
    return {"month": month, "agents": report.agents, "ranked": report.ranked, "index_html": str(report.index_html),
            "conversations": report.conversations, "warnings": report.warnings,
            "summary_line": report.summary_line()}


if __name__ == "__main__":  # pragma: no cover
    monthly_cards()
