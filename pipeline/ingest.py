"""Read chat-log exports into masked `Message`s, quarantining what cannot be read.

Formats: JSON Lines, CSV/TSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GBK/GB18030,
detected without being told), Parquet, Excel .xlsx (first sheet), and nested conversation JSON (a list of
conversations each with `messages`, or `{"conversations": [...]}`; a JSONL file
whose lines are conversations also works). Directories are read file by file.

Every input row ends up in exactly one place, so
`read == len(messages) + duplicates + len(quarantined)`:
- `messages`: valid rows, text already masked (pipeline/mask.py), `message_key` set;
- `duplicates`: rows whose `message_key` already appeared in this batch;
- `quarantined`: rows that cannot be used, each with a reason a person can act on.
  A whole file that cannot be read at all (missing, binary, not JSON) is one row.

Decisions on doubtful values (the message is kept; `IngestResult.notes` says what
was changed, so nothing vanishes silently):
- csat outside 1–5 or not a number → dropped, message kept;
- seq not an integer → ignored (the message is ordered by time);
- text over MAX_TEXT_CHARS (20,000) → cut there and marked `[已截断]`; 10,000-character
  pastes are kept whole. The dedupe key uses the full raw text;
- empty text → kept (a picture or card message);
- customer_id that is itself a phone number or e-mail → replaced by a stable pseudonym.
Rows that are quarantined: missing/unknown conversation_id, timestamp, role; an
agent row without agent_id; invalid JSON; a CSV record with the wrong number of
fields; bytes that are not valid in the file's encoding.

Timestamps: ISO-8601 (with offset, or naive = settings.timezone / the mapping's
timezone), `2026/10/03 14:02:11`, `2026年10月3日 14:02`, epoch seconds, and epoch
milliseconds/microseconds (detected by size). Stored in the configured time zone.

message_key = sha256 of `conversation_id|timestamp as UTC ISO-8601|role|agent_id|raw text`
(raw = before masking), so the same message exported twice, or by two tools with
different UTC offsets, is stored once.
"""
from __future__ import annotations

import codecs
import csv
import glob
import hashlib
import io
import json
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator
from zoneinfo import ZoneInfo

from .conversation import Conversation, Message
from .mapping import REQUIRED_FIELDS, ColumnMapping, ResolvedColumns, normalise_role
from .mask import mask_text

# Pasted product descriptions can exceed csv's 128 KiB default field limit.
csv.field_size_limit(64 * 1024 * 1024)

MAX_TEXT_CHARS = 20_000
MAX_RAW_CHARS = 2_000  # how much of a bad row the quarantine keeps
TRUNCATION_MARK = "[已截断]"
_MAX_CSV_RECORD_LINES = 200  # a quoted field spanning more lines than this is a stray quote
_EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
_LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)

SUPPORTED_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet", ".pq", ".xlsx", ".xlsm")  # what a directory expands to


@dataclass
class QuarantinedRow:
    source_file: str
    line: int | None  # 1-based line (row number for Parquet, message number for nested JSON); None: whole file
    field: str | None  # the offending field(s), comma-separated; None when the row as a whole is bad
    reason: str
    raw: str  # the row as read, masked, at most MAX_RAW_CHARS characters

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class IngestResult:
    messages: list[Message] = field(default_factory=list)
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    read: int = 0
    duplicates: int = 0
    notes: list[QuarantinedRow] = field(default_factory=list)  # kept rows with a value dropped or cut
    files: list[str] = field(default_factory=list)

    @property
    def duplicates_in_batch(self) -> int:  # the name used in docs/architecture.md
        return self.duplicates

    def counts_add_up(self) -> bool:
        return self.read == len(self.messages) + self.duplicates + len(self.quarantined)


# ------------------------------------------------------------------ values


def _is_missing(value: Any) -> bool:
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


def _as_str(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        try:
            return _as_str(value.item())
        except Exception:  # noqa: BLE001
            pass
    return str(value).strip()


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        f = float(_as_str(value))
    except (TypeError, ValueError):
        return None
    return int(f) if math.isfinite(f) and f.is_integer() else None


def _short(value: Any, limit: int = 60) -> str:
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
    if _is_missing(value):
        raise ValueError("is missing; every message needs the time it was sent")
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
            raise ValueError(f"{_short(value)!r} is not a usable epoch time; {_TS_HINT}") from None
    else:
        text = str(value).strip()
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
                raise ValueError(f"'{_short(text)}' is not a usable epoch time; {_TS_HINT}") from None
        if result is None:
            try:
                result = datetime.fromisoformat(text)
            except ValueError:
                m = _DATE_RE.match(text)
                if not m:
                    raise ValueError(f"'{_short(text)}' is not an ISO-8601 time or epoch seconds; {_TS_HINT}") from None
                y, mo, d, h, mi, s, frac, off = m.groups()
                try:
                    result = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                                      int((frac or "0").ljust(6, "0")[:6]))
                except ValueError:
                    raise ValueError(f"'{_short(text)}' is not an ISO-8601 time or epoch seconds (no such date or time); "
                                     f"{_TS_HINT}") from None
                if off:
                    result = datetime.fromisoformat(result.isoformat() + ("+00:00" if off.upper() == "Z" else off))
        if result.tzinfo is None:
            result = result.replace(tzinfo=tz)
    if not (_EARLIEST <= result <= _LATEST):
        raise ValueError(f"{_short(value)!r} gives {result.isoformat()}, outside 1990–2100; {_TS_HINT}")
    return result.astimezone(tz)


def message_key(conversation_id: str, timestamp: datetime, role: str, agent_id: str | None, raw_text: str) -> str:
    """The idempotency key: same message, same key, whichever file or offset it came from."""
    ts = timestamp.astimezone(timezone.utc).isoformat()
    payload = f"{conversation_id}|{ts}|{role}|{agent_id or ''}|{raw_text}"
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def _pseudonym(value: str) -> str:
    return "cust_" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]


_PARTIAL_TAIL_RE = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ@._\-]+$")


def _cap_text(raw: str) -> tuple[str, bool]:
    if len(raw) <= MAX_TEXT_CHARS:
        return raw, False
    cut = raw[:MAX_TEXT_CHARS]
    # Never leave half a phone or ID number at the cut, where masking could not see it.
    cut = _PARTIAL_TAIL_RE.sub("", cut)
    return cut, True


# ------------------------------------------------------------------ batch state


@dataclass
class _RawRow:
    line: int | None
    where: str  # "line 17", "row 17", "conversations[2].messages[4]"
    raw: str
    data: dict | None = None  # canonical field -> value
    error: tuple[str | None, str] | None = None  # (field, reason) when the row could not even be parsed


class _Batch:
    def __init__(self, mapping: ColumnMapping) -> None:
        from .settings import get_settings

        self.mapping = mapping
        self.tz = ZoneInfo(mapping.timezone or get_settings().timezone)
        self.result = IngestResult()
        self.seen: set[str] = set()
        self.roles: dict[str, str | None] = {}  # raw role string -> role (exports repeat a handful)

    def quarantine(self, source: str, line: int | None, fld: str | None, reason: str, raw: str) -> None:
        self.result.quarantined.append(QuarantinedRow(source, line, fld, reason, _safe_raw(raw)))

    def note(self, source: str, line: int | None, fld: str, reason: str, raw: str) -> None:
        self.result.notes.append(QuarantinedRow(source, line, fld, reason, _safe_raw(raw)))

    def add(self, source: str, row: _RawRow) -> None:
        self.result.read += 1
        if row.error is not None:
            self.quarantine(source, row.line, row.error[0], f"{row.where}: {row.error[1]}", row.raw)
            return
        built = _build_message(self, source, row)
        if built is None:
            return
        if built.message_key in self.seen:
            self.result.duplicates += 1
            return
        self.seen.add(built.message_key)
        self.result.messages.append(built)


def _safe_raw(raw: str) -> str:
    raw = raw if len(raw) <= MAX_RAW_CHARS else raw[:MAX_RAW_CHARS] + "…"
    return mask_text(raw)  # the quarantine is stored and shown too


def _build_message(batch: _Batch, source: str, row: _RawRow) -> Message | None:
    data = row.data or {}
    if batch.mapping.defaults:
        merged = dict(batch.mapping.defaults)
        merged.update({k: v for k, v in data.items() if not _is_missing(v) or k not in merged})
        data = merged
    problems: list[tuple[str, str]] = []

    conversation_id = "" if _is_missing(data.get("conversation_id")) else _as_str(data["conversation_id"])
    if not conversation_id:
        reason = data.get("__missing__conversation_id") or "is missing; every message must name its chat session"
        problems.append(("conversation_id", reason))

    timestamp = None
    try:
        if "timestamp" not in data and data.get("__missing__timestamp"):
            raise ValueError(data["__missing__timestamp"])
        timestamp = parse_timestamp(data.get("timestamp"), batch.tz, batch.mapping.timestamp_format)
    except ValueError as exc:
        problems.append(("timestamp", str(exc)))

    role_value = data.get("role")
    role = None
    if not _is_missing(role_value):
        try:
            role = batch.roles[role_value]
        except (KeyError, TypeError):  # TypeError: an unhashable value from JSON
            role = batch.mapping.role_of(role_value)
            if isinstance(role_value, str):
                batch.roles[role_value] = role
    if role is None:
        if _is_missing(role_value):
            reason = data.get("__missing__role") or "is missing; say who wrote the message (customer/agent/bot/system)"
        else:
            reason = (f"'{_short(_as_str(role_value))}' is not a known role; use customer/agent/bot/system "
                      f"or declare it under roles: in the column mapping (e.g. {_short(_as_str(role_value), 12)}: agent)")
        problems.append(("role", reason))

    agent_id = None if _is_missing(data.get("agent_id")) else _as_str(data["agent_id"])
    if role == "agent" and not agent_id:
        problems.append(("agent_id", "is missing on an agent message; the spec needs the agent who wrote it "
                                     "(add an agent_id column or map one, e.g. 客服: agent_id)"))

    raw_text_value = data.get("text")
    if "text" not in data and data.get("__missing__text"):
        problems.append(("text", data["__missing__text"]))
        raw_text = ""
    elif raw_text_value is None or isinstance(raw_text_value, float) and math.isnan(raw_text_value):
        raw_text = ""  # a picture or card message
    elif isinstance(raw_text_value, (dict, list)):
        raw_text = json.dumps(raw_text_value, ensure_ascii=False)
    else:
        raw_text = str(raw_text_value)

    if problems:
        fields = ",".join(p[0] for p in problems)
        reason = f"{row.where}: " + "; ".join(f"field '{f}': {r}" for f, r in problems)
        batch.quarantine(source, row.line, fields, reason, row.raw)
        return None

    assert timestamp is not None and role is not None
    key = message_key(conversation_id, timestamp, role, agent_id, raw_text)
    text_to_mask, capped = _cap_text(raw_text)
    text = mask_text(text_to_mask)
    if capped:
        text += TRUNCATION_MARK
        batch.note(source, row.line, "text", f"{row.where}: field 'text' has {len(raw_text)} characters; kept the first "
                   f"{len(text_to_mask)} and marked it {TRUNCATION_MARK}", raw_text[:200])

    seq = None
    if not _is_missing(data.get("seq")):
        seq = _as_int(data["seq"])
        if seq is None:
            batch.note(source, row.line, "seq", f"{row.where}: field 'seq': '{_short(_as_str(data['seq']))}' is not an "
                       "integer; ignored, the message is ordered by its time", row.raw)

    csat = None
    if not _is_missing(data.get("csat")):
        csat = _as_int(data["csat"])
        if csat is None or not 1 <= csat <= 5:
            batch.note(source, row.line, "csat", f"{row.where}: field 'csat': '{_short(_as_str(data['csat']))}' is not "
                       "an integer 1–5; the rating was dropped, the message kept", row.raw)
            csat = None

    customer_id = None if _is_missing(data.get("customer_id")) else _as_str(data["customer_id"])
    if customer_id and mask_text(customer_id) != customer_id:
        customer_id = _pseudonym(customer_id)  # a phone/e-mail used as buyer id: keep the link, not the data

    def opt(name: str) -> str | None:
        return None if _is_missing(data.get(name)) else _as_str(data[name])

    return Message(
        conversation_id=conversation_id,
        seq=seq,  # type: ignore[arg-type]  # None until assemble() orders the conversation
        role=role,
        timestamp=timestamp,
        text=text,
        agent_id=agent_id,
        agent_name=opt("agent_name"),
        customer_id=customer_id,
        channel=opt("channel"),
        shop=opt("shop"),
        csat=csat,
        message_key=key,
        source_file=source,
        source_line=row.line,
    )


# ------------------------------------------------------------------ decoding


class _FileError(Exception):
    """The whole file cannot be read; the message says why and what to do."""


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if ch < "\x20" and ch not in "\t\r\n\x0c" or "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd")
    return bad / len(sample) > 0.05


def _decode_lines(data: bytes) -> tuple[list[str | None], str]:
    """Lines of a text file (None where a line is not valid in the file's encoding) and the encoding."""
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _FileError("the file contains NUL bytes: it is binary, not a text chat export; "
                         "export the chat log as CSV, JSON Lines, JSON, Parquet or .xlsx")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
        return text.split("\n"), "utf-16"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
        encoding = "utf-8-sig"
    else:
        encoding = ""
    raw_lines = data.split(b"\n")
    try:
        text = data.decode("utf-8")
        return text.split("\n"), encoding or "utf-8"
    except UnicodeDecodeError:
        pass
    if not encoding:
        # Vote on the lines that are not plain ASCII: a GBK export almost never decodes as UTF-8.
        utf8_ok = gb_ok = non_ascii = 0
        for line in raw_lines:
            if line.isascii():
                continue
            non_ascii += 1
            try:
                line.decode("utf-8")
                utf8_ok += 1
            except UnicodeDecodeError:
                pass
            try:
                line.decode("gb18030")
                gb_ok += 1
            except UnicodeDecodeError:
                pass
        encoding = "utf-8" if utf8_ok and utf8_ok >= gb_ok * 0.5 and utf8_ok * 2 >= non_ascii else "gb18030"
    codec = "utf-8" if encoding.startswith("utf-8") else encoding
    lines: list[str | None] = []
    for line in raw_lines:
        try:
            lines.append(line.decode(codec))
        except UnicodeDecodeError:
            lines.append(None)
    return lines, encoding


def _bad_bytes_reason(raw: bytes, encoding: str) -> str:
    codec = "utf-8" if encoding.startswith("utf-8") else encoding
    try:
        raw.decode(codec)
        return ""
    except UnicodeDecodeError as exc:
        return (f"bytes {raw[exc.start:exc.start + 4].hex(' ')} at byte {exc.start} are not valid {encoding.upper()} "
                f"(the rest of the file is {encoding.upper()}); re-export the file in one encoding")


# ------------------------------------------------------------------ readers


def _rename(data: dict, resolved: ResolvedColumns, headers: Iterable[str]) -> dict:
    out: dict[str, Any] = {}
    for key, value in data.items():
        target = resolved.by_source.get(key)
        if target:
            out[target] = value
    for required in REQUIRED_FIELDS:
        if required not in out:
            out[f"__missing__{required}"] = resolved.missing_reason(required, headers)
    return out


class _Resolver:
    """Caches header resolution per distinct key set (JSON rows may differ)."""

    def __init__(self, mapping: ColumnMapping) -> None:
        self.mapping = mapping
        self.cache: dict[tuple, ResolvedColumns] = {}

    def __call__(self, data: dict) -> dict:
        keys = tuple(data.keys())
        resolved = self.cache.get(keys)
        if resolved is None:
            resolved = self.mapping.resolve(keys)
            self.cache[keys] = resolved
        return _rename(data, resolved, keys)


def _conversation_rows(conv: Any, where: str, line: int | None, rename: _Resolver,
                       counter: list[int]) -> Iterator[_RawRow]:
    """Rows of one nested conversation object; conversation-level fields fill the messages."""
    if not isinstance(conv, dict):
        counter[0] += 1
        yield _RawRow(line or counter[0], where, _short(json.dumps(conv, ensure_ascii=False, default=str), MAX_RAW_CHARS),
                      error=(None, "is not a conversation object (expected {\"conversation_id\": …, \"messages\": [...]})"))
        return
    messages = conv.get("messages")
    outer = {k: v for k, v in conv.items() if k != "messages"}
    if "id" in outer and not any(k in outer for k in ("conversation_id", "会话ID", "会话id")):
        outer["conversation_id"] = outer.pop("id")
    outer_canonical = {k: v for k, v in rename(outer).items() if not k.startswith("__missing__")}
    if not isinstance(messages, list):
        counter[0] += 1
        yield _RawRow(line or counter[0], where, _short(json.dumps(conv, ensure_ascii=False, default=str), MAX_RAW_CHARS),
                      error=("messages", "has no 'messages' list"))
        return
    for j, msg in enumerate(messages):
        counter[0] += 1
        msg_where = f"{where}.messages[{j}]"
        raw = json.dumps(msg, ensure_ascii=False, default=str)
        if not isinstance(msg, dict):
            yield _RawRow(line or counter[0], msg_where, raw, error=(None, "is not a message object"))
            continue
        data = dict(outer_canonical)
        inner = rename(msg)
        for k, v in inner.items():
            if k.startswith("__missing__") and k[len("__missing__"):] in data:
                continue
            data[k] = v
        yield _RawRow(line or counter[0], msg_where, raw, data=data)


def _read_jsonl(lines: list[str | None], raw_lines: list[bytes] | None, encoding: str,
                rename: _Resolver) -> Iterator[_RawRow]:
    last = len(lines)
    while last > 0 and lines[last - 1] is not None and not lines[last - 1].strip():  # type: ignore[union-attr]
        last -= 1
    counter = [0]
    for i, line in enumerate(lines[:last], start=1):
        if line is None:
            raw_bytes = raw_lines[i - 1] if raw_lines else b""
            yield _RawRow(i, f"line {i}", raw_bytes.decode("utf-8", "backslashreplace"),
                          error=(None, _bad_bytes_reason(raw_bytes, encoding) or "cannot be decoded"))
            continue
        stripped = line.strip().lstrip("\ufeff")
        if not stripped:
            continue
        try:
            obj = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError) as exc:
            hint = (" — the file ends in the middle of this record (truncated export?)" if i == last
                    else "; fix or remove the line")
            msg = getattr(exc, "msg", "too deeply nested")
            yield _RawRow(i, f"line {i}", stripped, error=(None, f"is not valid JSON: {msg} (column {getattr(exc, 'colno', '?')}){hint}"))
            continue
        if isinstance(obj, dict) and isinstance(obj.get("messages"), list):
            yield from _conversation_rows(obj, f"line {i}", i, rename, counter)
        elif isinstance(obj, dict):
            yield _RawRow(i, f"line {i}", stripped, data=rename(obj))
        else:
            yield _RawRow(i, f"line {i}", stripped, error=(None, f"is a JSON {type(obj).__name__}, not an object with the message fields"))


def _json_elements(text: str, start: int) -> Iterator[tuple[Any, int, str | None]]:
    """Elements of a JSON array starting at `start` (just after '['), recovering up to a truncation."""
    decoder = json.JSONDecoder()
    pos = start
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= n:
            yield None, pos, "the file ends before the closing ']' (truncated export?)"
            return
        if text[pos] == "]":
            return
        try:
            obj, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield None, pos, f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            return
        yield obj, pos, None
        pos = end


_CONVERSATIONS_HEAD_RE = re.compile(r'^\s*\{\s*"conversations"\s*:\s*\[')


def _read_json(text: str, rename: _Resolver) -> Iterator[_RawRow]:
    text = text.lstrip("\ufeff")
    stripped = text.lstrip()
    counter = [0]
    if stripped.startswith("["):
        start = text.index("[") + 1
        prefix = ""
    else:
        m = _CONVERSATIONS_HEAD_RE.match(text)
        if m:
            start, prefix = m.end(), "conversations"
        else:
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                raise _FileError(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
                                 "expected a list of conversations, {\"conversations\": [...]} or JSON Lines") from None
            if isinstance(obj, dict) and isinstance(obj.get("messages"), list):
                yield from _conversation_rows(obj, "conversation", None, rename, counter)
                return
            if isinstance(obj, dict) and isinstance(obj.get("conversations"), list):  # keys in another order
                for i, conv in enumerate(obj["conversations"]):
                    yield from _conversation_rows(conv, f"conversations[{i}]", None, rename, counter)
                return
            if isinstance(obj, dict):
                counter[0] += 1
                yield _RawRow(1, "the file", _short(text, MAX_RAW_CHARS), data=rename(obj))
                return
            raise _FileError("JSON top level is neither a list nor an object with 'conversations'")
    for i, (obj, pos, error) in enumerate(_json_elements(text, start)):
        where = f"{prefix or ''}[{i}]"
        line_no = text.count("\n", 0, pos) + 1
        if error:
            counter[0] += 1
            yield _RawRow(line_no, f"{where} (line {line_no})", text[pos:pos + MAX_RAW_CHARS], error=(None, error))
            return
        if isinstance(obj, dict) and isinstance(obj.get("messages"), list):
            yield from _conversation_rows(obj, where, None, rename, counter)
        elif isinstance(obj, dict):  # a flat list of messages
            counter[0] += 1
            yield _RawRow(line_no, f"{where} (line {line_no})", json.dumps(obj, ensure_ascii=False, default=str),
                          data=rename(obj))
        else:
            counter[0] += 1
            yield _RawRow(line_no, f"{where} (line {line_no})", _short(json.dumps(obj, ensure_ascii=False, default=str), MAX_RAW_CHARS),
                          error=(None, "is neither a conversation nor a message object"))


def _split_csv(record: str, delimiter: str) -> list[str] | None:
    try:
        rows = list(csv.reader([record], delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def _split_csv_literal(record: str, delimiter: str) -> list[str]:
    """Split treating quotes as ordinary characters: the fallback for a stray quote."""
    try:
        return next(csv.reader([record], delimiter=delimiter, quoting=csv.QUOTE_NONE))
    except (csv.Error, StopIteration):
        return record.split(delimiter)


def _read_csv(lines: list[str | None], raw_lines: list[bytes] | None, encoding: str, path: Path,
              rename: _Resolver) -> Iterator[_RawRow]:
    # header: first non-blank line
    i = 0
    while i < len(lines) and lines[i] is not None and not lines[i].strip():  # type: ignore[union-attr]
        i += 1
    if i >= len(lines):
        return
    header_line = lines[i]
    if header_line is None:
        raise _FileError(f"the header line (line {i + 1}) cannot be decoded as {encoding}; re-export as UTF-8")
    header_line = header_line.rstrip("\r").lstrip("\ufeff")
    delimiter = "\t" if path.suffix.lower() == ".tsv" or header_line.count("\t") > header_line.count(",") else ","
    header = _split_csv(header_line, delimiter) or _split_csv_literal(header_line, delimiter)
    header = [h.strip().lstrip("\ufeff") for h in header]
    resolved = rename.mapping.resolve(header)
    n_fields = len(header)

    optional_tail = [resolved.by_source.get(h) not in REQUIRED_FIELDS for h in header]
    ends_cleanly = bool(lines) and lines[-1] is not None and not lines[-1].strip()

    def to_row(line_no: int, record: str, fields: list[str]) -> _RawRow:
        if len(fields) > n_fields and not any(f.strip() for f in fields[n_fields:]):
            fields = fields[:n_fields]  # trailing empty columns from Excel
        # Some tools drop trailing empty optional columns; a short last line without a
        # final newline is a truncated export instead.
        if (len(fields) < n_fields and all(optional_tail[len(fields):])
                and (ends_cleanly or line_no < last)):
            fields = fields + [""] * (n_fields - len(fields))
        if len(fields) != n_fields:
            truncated = " (truncated line?)" if len(fields) < n_fields else " (an unquoted comma in the text?)"
            return _RawRow(line_no, f"line {line_no}", record,
                           error=(None, f"has {len(fields)} fields but the header has {n_fields}{truncated}; fix the quoting or re-export"))
        return _RawRow(line_no, f"line {line_no}", record, data=_rename(dict(zip(header, fields)), resolved, header))

    last = len(lines)
    while last > i + 1 and lines[last - 1] is not None and not lines[last - 1].strip():  # type: ignore[union-attr]
        last -= 1
    pos = i + 1
    while pos < last:
        line = lines[pos]
        line_no = pos + 1
        if line is None:
            raw_bytes = raw_lines[pos] if raw_lines else b""
            yield _RawRow(line_no, f"line {line_no}", raw_bytes.decode("utf-8", "backslashreplace"),
                          error=(None, _bad_bytes_reason(raw_bytes, encoding) or "cannot be decoded"))
            pos += 1
            continue
        if not line.strip():
            pos += 1
            continue
        # A record continues while its quotes are unbalanced (a quoted field with a line break).
        record = line.rstrip("\r")
        end = pos
        quotes = record.count('"')
        while quotes % 2 == 1 and end + 1 < last and end - pos < _MAX_CSV_RECORD_LINES and lines[end + 1] is not None:
            end += 1
            nxt = lines[end].rstrip("\r")  # type: ignore[union-attr]
            record += "\n" + nxt
            quotes += nxt.count('"')
        if quotes % 2 == 0:
            fields = _split_csv(record, delimiter)
            if fields is not None and len(fields) >= n_fields:
                yield to_row(line_no, record, fields)
                pos = end + 1
                continue
            if end == pos:
                fields = fields if fields is not None else _split_csv_literal(record, delimiter)
                yield to_row(line_no, record, fields)
                pos += 1
                continue
        # Unbalanced or a multi-line record that does not fit: read this line on its own,
        # quotes as ordinary characters (a stray quote in the text).
        single = line.rstrip("\r")
        fields = _split_csv_literal(single, delimiter)
        if len(fields) == n_fields:
            fields = [f[1:-1].replace('""', '"') if len(f) >= 2 and f[0] == f[-1] == '"' else f for f in fields]
            yield to_row(line_no, single, fields)
        else:
            is_last = pos == last - 1
            yield _RawRow(line_no, f"line {line_no}", single,
                          error=(None, "has an unmatched quote (\") and cannot be split into the header's "
                                       f"{n_fields} fields" + (" — the file ends in the middle of this record (truncated export?)"
                                                               if is_last else "; fix the quoting or re-export")))
        pos += 1


def _read_parquet(path: Path, rename: _Resolver) -> Iterator[_RawRow]:
    try:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a file-level quarantine
        raise _FileError(f"cannot read as Parquet ({type(exc).__name__}: {_short(str(exc), 160)}); re-export the file") from None
    columns = table.column_names
    resolved = rename.mapping.resolve(columns)
    for n, record in enumerate(table.to_pylist(), start=1):
        raw = json.dumps(record, ensure_ascii=False, default=str)
        yield _RawRow(n, f"row {n}", raw, data=_rename(record, resolved, columns))


def _read_xlsx(data: bytes, rename: _Resolver) -> Iterator[_RawRow]:
    """Seller consoles often export Excel: the first sheet, first non-empty row as the header."""
    try:
        import openpyxl

        # From bytes: openpyxl refuses a workbook whose file name does not end in .xlsx.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a file-level quarantine
        raise _FileError(f"cannot read as an Excel workbook ({type(exc).__name__}: {_short(str(exc), 160)}); "
                         "re-export it or save it as CSV") from None
    try:
        header: list[str] | None = None
        resolved: ResolvedColumns | None = None
        for n, values in enumerate(rows, start=1):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            if header is None:
                header = [str(v).strip() if v is not None else f"column{i + 1}" for i, v in enumerate(values)]
                resolved = rename.mapping.resolve(header)
                continue
            record = dict(zip(header, values))
            raw = json.dumps(record, ensure_ascii=False, default=str)
            yield _RawRow(n, f"sheet '{sheet.title}' row {n}", raw, data=_rename(record, resolved, header))  # type: ignore[arg-type]
    finally:
        workbook.close()


def _sniff_kind(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):  # a workbook, whatever its name
        return "xlsx"
    if head.startswith(b"PAR1") or suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix in (".csv", ".tsv"):
        return "csv"
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        return "jsonl"
    return "csv"


def _read_file(batch: _Batch, path: Path, rename: _Resolver) -> None:
    source = str(path)
    batch.result.files.append(source)

    def file_level(reason: str, raw: str = "") -> None:
        batch.result.read += 1
        batch.quarantine(source, None, None, f"{path.name}: {reason}", raw)

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        file_level("file not found; check the path")
        return
    except OSError as exc:
        file_level(f"cannot read the file ({exc.strerror or exc}); check the path and permissions")
        return
    kind = _sniff_kind(path, data[:64])
    rows: Iterator[_RawRow]
    produced = 0
    try:
        if kind == "parquet":
            rows = _read_parquet(path, rename)
        elif kind == "xlsx":
            rows = _read_xlsx(data, rename)
        else:
            lines, encoding = _decode_lines(data)
            if _looks_binary("\n".join(line for line in lines[:200] if line)):
                raise _FileError("the file is not text (control characters / undecodable bytes); "
                                 "expected JSONL, CSV, JSON or Parquet")
            raw_lines = data.split(b"\n") if None in lines else None
            if raw_lines is not None and data.startswith(codecs.BOM_UTF8):
                raw_lines = data[len(codecs.BOM_UTF8):].split(b"\n")
            if kind == "json":
                text = "\n".join(line if line is not None else "" for line in lines)
                head = text.lstrip("\ufeff").lstrip()
                # A .json file that is really JSON Lines (several objects, one a line).
                if head.startswith("{") and not _CONVERSATIONS_HEAD_RE.match(text.lstrip("\ufeff")) and _is_jsonl(lines):
                    rows = _read_jsonl(lines, raw_lines, encoding, rename)
                else:
                    rows = _read_json(text, rename)
            elif kind == "jsonl":
                rows = _read_jsonl(lines, raw_lines, encoding, rename)
            else:
                rows = _read_csv(lines, raw_lines, encoding, path, rename)
        for row in rows:
            produced += 1
            batch.add(source, row)
    except _FileError as exc:
        if produced == 0:
            file_level(str(exc), data[:300].decode("utf-8", "backslashreplace"))
        else:  # rows already counted; the rest of the file is one more quarantined row
            file_level(f"after {produced} rows: {exc}")
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the night's run
        file_level(f"after {produced} rows, reading stopped: {type(exc).__name__}: {_short(str(exc), 200)}; "
                   "please report this file to the Zhijian maintainers")


def _is_jsonl(lines: list[str | None]) -> bool:
    nonblank = [line for line in lines if line and line.strip()]
    if len(nonblank) < 2:
        return False
    try:
        json.loads(nonblank[0])
        return True
    except json.JSONDecodeError:
        return False


def _expand(paths: Iterable[str | Path] | str | Path) -> list[Path]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES))
        elif not path.exists() and any(ch in str(p) for ch in "*?["):
            # A pattern the shell did not expand (Windows, a scheduler's config): expand it here.
            matches = sorted(Path(m) for m in glob.glob(str(p), recursive=True) if Path(m).is_file())
            out.extend(matches or [path])  # no match: reported as a missing file
        else:
            out.append(path)
    return out


def read_inputs(paths: Iterable[str | Path] | str | Path,
                mapping: ColumnMapping | str | Path | None = None) -> IngestResult:
    """Read chat-log files into masked messages; never raises on bad rows or unreadable files.

    `mapping` is a ColumnMapping or the path of a YAML/TOML mapping file (an invalid
    mapping file raises MappingError: that is a configuration error, not bad input).
    Without one, canonical and common Chinese header names are recognised.
    """
    if mapping is None:
        mapping = ColumnMapping(source="<built-in header names>")
    elif not isinstance(mapping, ColumnMapping):
        mapping = ColumnMapping.load(mapping)
    batch = _Batch(mapping)
    rename = _Resolver(mapping)
    for path in _expand(paths):
        _read_file(batch, path, rename)
    return batch.result


# ------------------------------------------------------------------ assemble


def _most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def assemble(messages: Iterable[Message]) -> list[Conversation]:
    """Group messages into conversations, order them and assign 1-based `seq`.

    Order: by the source `seq` when every message of the conversation has one and
    no two share it (ties by time), otherwise by timestamp (seq breaks ties); equal
    keys keep file order (the sort is stable). Messages already stored (seq 1..n) can be passed together with a
    new night's messages to rebuild a conversation split across files.
    Conversations come out in order of first appearance.
    """
    groups: dict[str, list[Message]] = {}
    for m in messages:
        groups.setdefault(m.conversation_id, []).append(m)
    conversations: list[Conversation] = []
    for conversation_id, msgs in groups.items():
        seqs = [m.seq for m in msgs]
        if None not in seqs and len(set(seqs)) == len(seqs):
            msgs.sort(key=lambda m: (m.seq, m.timestamp))
        else:
            # No seq, or seq restarting per file (two nightly exports both counting from 1):
            # time decides, the file's seq only breaks ties.
            msgs.sort(key=lambda m: (m.timestamp, m.seq if m.seq is not None else float("inf")))
        for n, m in enumerate(msgs, start=1):
            m.seq = n
        customer_ids = [m.customer_id for m in msgs if m.role == "customer"] or [m.customer_id for m in msgs]
        conversations.append(Conversation(
            conversation_id=conversation_id,
            messages=msgs,
            customer_id=next((c for c in customer_ids if c), None),
            shop=_most_common(m.shop for m in msgs),
            channel=_most_common(m.channel for m in msgs),
        ))
    return conversations
