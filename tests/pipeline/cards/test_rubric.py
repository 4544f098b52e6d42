"""The cards read the rubric the month was scored with, and say so when they cannot."""
from __future__ import annotations

import re

import pytest

from pipeline.cards import build_cards
from pipeline.cards.rubric import DEFAULT_SLA_SECONDS, month_rubric
from pipeline.settings import REPO_ROOT
from pipeline.store import Store
from tests.pipeline.cards.synth import RUBRIC, build_store

DEFAULT = (REPO_ROOT / "rubrics" / "default.yaml").read_text(encoding="utf-8")
# the rubric as it was when the month was scored (synth's version): a 180 s first-response threshold
SCORED_WITH = re.sub(r"(?m)^version: \d+$", "version: " + RUBRIC.split("@")[1], DEFAULT).replace(
    "first_response_seconds: 300", "first_response_seconds: 180")


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'qa.db'}") as s:
        yield s


def test_snapshot_wins_over_todays_file(store):
    assert SCORED_WITH != DEFAULT
    store.save_rubric_snapshot(RUBRIC, SCORED_WITH, "rubrics/default.yaml")
    got = month_rubric(store, RUBRIC)
    assert got.source == "snapshot" and got.warnings == [] and got.sla_seconds == 180.0


def test_no_snapshot_falls_back_to_the_file_and_says_so(store, tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text(SCORED_WITH, encoding="utf-8")
    got = month_rubric(store, RUBRIC, path)
    assert got.source == "current file" and got.sla_seconds == 180.0
    (warning,) = got.warnings
    assert f"no snapshot of rubric {RUBRIC} in the store" in warning and str(path) in warning
    assert "re-score the month" in warning
    other = month_rubric(store, "default@1", path)
    assert any(f"the current rubric file is {RUBRIC}, the month's results are default@1" in w for w in other.warnings)


def test_broken_rubrics_are_reported_not_swallowed(store, tmp_path):
    store.save_rubric_snapshot(RUBRIC, "id: default\nversion: [", "rubrics/default.yaml")
    got = month_rubric(store, RUBRIC)
    assert got.rubric is None and got.sla_seconds == DEFAULT_SLA_SECONDS
    (warning,) = got.warnings
    assert f"the rubric {RUBRIC} kept in the store cannot be read" in warning and "YAML syntax error" in warning
    missing = tmp_path / "nope.yaml"
    got = month_rubric(store, "default@9", missing)
    assert got.rubric is None and len(got.warnings) == 2
    assert f"the rubric file {missing} cannot be read" in got.warnings[1] and "ZHIJIAN_RUBRIC_PATH" in got.warnings[1]


def test_empty_store_reads_the_current_file_without_a_warning(store):
    got = month_rubric(store, None)
    assert got.source == "current file" and got.warnings == [] and got.sla_seconds == 300.0


def test_cards_of_an_older_store_carry_the_warning(tmp_path):
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    build_store(url, months=("2026-10",), snapshot=False).close()
    report = build_cards("2026-10", url, tmp_path / "out", pdf=False)
    assert any(f"no snapshot of rubric {RUBRIC}" in w for w in report.warnings)
    lines = report.summary().splitlines()
    assert lines[-1].startswith("cards: month=2026-10") and lines[0].startswith("warning: no snapshot of rubric")
