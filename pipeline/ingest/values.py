"""Single values of a row, parsed and cleaned: missing or not, as text, as an integer, as a time, capped.

Each function looks at one value as a reader produced it (a str from CSV or JSON Lines, an int,
float or bool from JSON, a datetime, numpy scalar or pandas NaT/NA from Parquet and Excel) and
never at the rest of the row. `parse_timestamp` raises ValueError with a sentence that the
quarantine shows; `as_int` answers None where there is no integer, and the caller decides.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

MAX_TEXT_CHARS = 20_000
MAX_RAW_CHARS = 2_000  # how much of a bad row the quarantine keeps
TRUNCATION_MARK = "[已截断]"
_EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
_LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if type(value) is str:  # the common case, first
        return not value or value.isspace()
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    # pandas NaT / NA without importing pandas
    return type(value).__name__ in ("NaTType", "NAType")


def as_str(value: Any) -> str:
    if type(value) is str:  # the common case, first
        return value.strip()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        try:
            return as_str(value.item())
        except Exception:  # noqa: BLE001
            pass
    return str(value).strip()


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        f = float(as_str(value))
    except (TypeError, ValueError):
        return None
    return int(f) if math.isfinite(f) and f.is_integer() else None


def valid_text(value: str) -> str:
    """`value` without lone surrogates (JSON's "\\ud800"), which no store can encode: each becomes U+FFFD."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def short(value: Any, limit: int = 60) -> str:
    s = value if isinstance(value, str) else repr(value)
    return s if len(s) <= limit else s[:limit] + "…"


_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s*T\s*|\s+|(?=\d))(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:[.,](\d{1,6}))?\s*秒?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_TS_HINT = "use ISO-8601 (e.g. 2026-10-03T14:02:11+08:00) or epoch seconds (e.g. 1759471331)"


def _from_epoch(number: float, tz: ZoneInfo) -> datetime:
    magnitude = abs(number)
    if magnitude >= 1e17:  # nanoseconds
        number /= 1e9
    elif magnitude >= 1e14:  # microseconds
        number /= 1e6
    elif magnitude >= 1e11:  # milliseconds
        number /= 1e3
    return datetime.fromtimestamp(number, tz)


def parse_timestamp(value: Any, tz: ZoneInfo, fmt: str | None = None) -> datetime:
    """A timezone-aware datetime in `tz`; ValueError with a sentence saying what is wrong."""
    if is_missing(value):
        raise ValueError("is missing; every message needs the time it was sent")
    if type(value) is str:  # the common case (JSON Lines, CSV), first
        result = _parse_text(value, tz, fmt)
    else:
        if hasattr(value, "to_pydatetime"):  # pandas Timestamp
            value = value.to_pydatetime()
        if isinstance(value, datetime):
            result = value if value.tzinfo else value.replace(tzinfo=tz)
        elif isinstance(value, date):
            result = datetime(value.year, value.month, value.day, tzinfo=tz)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) or hasattr(value, "item") and not isinstance(value, str):
            try:
                number = float(value)
                if not math.isfinite(number):
                    raise ValueError
                result = _from_epoch(number, tz)
            except (ValueError, OverflowError, OSError, TypeError):
                raise ValueError(f"{short(value)!r} is not a usable epoch time; {_TS_HINT}") from None
        else:
            result = _parse_text(str(value), tz, fmt)
    if not (_EARLIEST <= result <= _LATEST):
        raise ValueError(f"{short(value)!r} gives {result.isoformat()}, outside 1990–2100; {_TS_HINT}")
    return result.astimezone(tz)


def _parse_text(value: str, tz: ZoneInfo, fmt: str | None) -> datetime:
    """A time written as text (ISO-8601, epoch digits, 2026年10月3日 14:02 …) as an aware datetime."""
    text = value.strip()
    result = None
    if fmt:
        try:
            result = datetime.strptime(text, fmt)
        except ValueError:
            result = None
    if result is None and _NUMBER_RE.match(text):
        try:
            result = _from_epoch(float(text), tz)
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"'{short(text)}' is not a usable epoch time; {_TS_HINT}") from None
    if result is None:
        try:
            result = datetime.fromisoformat(text)
        except ValueError:
            m = _DATE_RE.match(text)
            if not m:
                raise ValueError(f"'{short(text)}' is not an ISO-8601 time or epoch seconds; {_TS_HINT}") from None
            y, mo, d, h, mi, s, frac, off = m.groups()
            try:
                result = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                                  int((frac or "0").ljust(6, "0")[:6]))
            except ValueError:
                raise ValueError(f"'{short(text)}' is not an ISO-8601 time or epoch seconds (no such date or time); "
                                 f"{_TS_HINT}") from None
            if off:
                result = datetime.fromisoformat(result.isoformat() + ("+00:00" if off.upper() == "Z" else off))
    if result.tzinfo is None:
        result = result.replace(tzinfo=tz)
    return result


_PARTIAL_TAIL_RE = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ@._\-]+$")


def cap_text(raw: str) -> tuple[str, bool]:
    if len(raw) <= MAX_TEXT_CHARS:
        return raw, False
    cut = raw[:MAX_TEXT_CHARS]
    # Never leave half a phone or ID number at the cut, where masking could not see it.
    cut = _PARTIAL_TAIL_RE.sub("", cut)
    return cut, True
