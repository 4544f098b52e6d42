"""The monthly_cards flow runs once end to end under Prefect's test harness."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from prefect.testing.utilities import prefect_test_harness

from flows.monthly_cards import monthly_cards, previous_month
from tests.pipeline.cards.synth import build_store


def test_previous_month_rolls_over_the_year():
    assert previous_month(datetime(2027, 1, 1, 6, tzinfo=ZoneInfo("Asia/Shanghai"))) == "2026-12"
    assert previous_month(datetime(2026, 11, 1, 6, tzinfo=ZoneInfo("Asia/Shanghai"))) == "2026-10"


def test_monthly_cards_flow_runs_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    build_store(url, months=("2026-10",)).close()
    with prefect_test_harness(server_startup_timeout=120):  # a loaded CI machine takes longer than the 30 s default
        result = monthly_cards(month="2026-10", store_url=url, out_dir=str(tmp_path / "cards"), pdf=False)
    assert result["month"] == "2026-10"
    assert result["agents"] == ["A01", "A02", "A03", "A04", "A05", "A06"]
    assert "A06" not in result["ranked"]
    assert (tmp_path / "cards" / "2026-10" / "index.html").exists()
    assert (tmp_path / "cards" / "2026-10" / "agents-2026-10.csv").exists()
