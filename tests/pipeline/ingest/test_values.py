"""pipeline/ingest/values.py: one value at a time — timestamps in every accepted form, integers, the text cap."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pipeline.ingest import MAX_TEXT_CHARS, parse_timestamp
from pipeline.ingest.values import as_int, cap_text, is_missing
from tests.pipeline.ingest._helpers import SHANGHAI, read


def test_parse_timestamp_forms():
    tz = ZoneInfo("Asia/Shanghai")
    expected = datetime(2026, 10, 3, 14, 2, 11, tzinfo=SHANGHAI)
    for value in ("2026-10-03T14:02:11+08:00", "2026-10-03 14:02:11", "2026-10-03T06:02:11Z",
                  1791007331, "1791007331", 1791007331000, "2026/10/03 14:02:11", "2026年10月3日 14时02分11秒"):
        assert parse_timestamp(value, tz) == expected, value
    for bad in ("", None, "2026-13-45", "tomorrow", 0, float("nan"), True):
        with pytest.raises(ValueError):
            parse_timestamp(bad, tz)


def test_timestamps_are_aware_and_naive_means_shanghai():
    r = read("role_strings.jsonl")
    for m in r.messages:
        assert m.timestamp.tzinfo is not None
        assert m.timestamp.utcoffset() == timedelta(hours=8)
    assert r.messages[0].timestamp == datetime(2026, 10, 3, 2, 0, tzinfo=timezone.utc)


def test_epoch_units_are_told_apart_by_size():
    tz = ZoneInfo("Asia/Shanghai")
    expected = datetime(2026, 10, 3, 14, 2, 11, tzinfo=SHANGHAI)
    for value in (1791007331, 1791007331_000, 1791007331_000_000, 1791007331_000_000_000):
        assert parse_timestamp(value, tz) == expected, value


def test_missing_values_and_integers():
    assert all(is_missing(v) for v in (None, "", "  ", float("nan")))
    assert not any(is_missing(v) for v in (0, "0", False))
    assert [as_int(v) for v in (3, "3", 3.0, "3.0", "3.5", True, "x", float("inf"))] == [3, 3, 3, 3, None, None, None, None]


def test_cap_never_leaves_half_a_number_at_the_cut():
    text = "好" * (MAX_TEXT_CHARS - 4) + "13812345678"
    cut, capped = cap_text(text)
    assert capped and cut == "好" * (MAX_TEXT_CHARS - 4)
    assert cap_text("好" * MAX_TEXT_CHARS) == ("好" * MAX_TEXT_CHARS, False)
