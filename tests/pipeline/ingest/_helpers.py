"""Shared by the ingest tests: the messy fixtures and the invariant every result must keep."""
from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path

from pipeline.ingest import IngestResult, read_inputs

TESTS = Path(__file__).resolve().parents[2]
MESSY = TESTS / "fixtures" / "messy"
SAMPLE = TESTS.parent / "data" / "sample"
SHANGHAI = timezone(timedelta(hours=8))


def check_counts(result: IngestResult) -> None:
    assert result.read == len(result.messages) + result.duplicates + len(result.quarantined)
    assert result.counts_add_up()


def read(name: str, **kw) -> IngestResult:
    result = read_inputs([MESSY / name], **kw)
    check_counts(result)
    return result
