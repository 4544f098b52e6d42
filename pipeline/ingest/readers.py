"""File formats to raw rows: JSON Lines, nested conversation JSON, CSV/TSV, Parquet, Excel, and which one a file is.

`file_rows(path, source, rename)` yields one `RawRow` per input row, in file order: its values
renamed to the canonical field names (pipeline/mapping.py) but not yet checked, or, for a row
that cannot even be split (invalid JSON, wrong number of CSV fields, bad bytes), an `error`.
A file that cannot be read at all raises `FileError`. pipeline/ingest/rows.py turns the rows
into messages. JSON Lines and CSV/TSV are read line by line from pipeline/ingest/decoding.py's
`FileLines`, never whole; Parquet, Excel and one JSON document (an array, `{"conversations": …}`)
are parsed whole.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import orjson

from pipeline.ingest.decoding import FileError, FileLines, InputFile, all_lines_bad, bad_bytes_reason, display_raw
from pipeline.ingest.values import MAX_RAW_CHARS, short
from pipeline.mapping import REQUIRED_FIELDS, ColumnMapping, ResolvedColumns

# Pasted product descriptions can exceed csv's 128 KiB default field limit.
csv.field_size_limit(64 * 1024 * 1024)

# A quoted field may span any number of lines (a pasted product description); a record growing
# past this many characters (about 4 MiB of text) is a stray quote, not a field.
_MAX_CSV_RECORD_CHARS = 1 << 22

NOT_TEXT = ("expected a chat export: JSONL, CSV, JSON, Parquet or .xlsx, optionally gzip-compressed; "
            "check that the right file was given")
SUPPORTED_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet", ".pq", ".xlsx", ".xlsm")  # what a directory expands to


def inner_suffix(path: Path) -> str:
    """The format suffix, looking through a .gz: `chats.jsonl.gz` → `.jsonl`."""
    suffix = path.suffix.lower()
    return Path(path.stem).suffix.lower() if suffix == ".gz" else suffix


def is_supported(path: Path) -> bool:
    """Whether a directory listing should read this file (`chats.csv`, `chats.csv.gz`, …)."""
    return inner_suffix(path) in SUPPORTED_SUFFIXES


@dataclass
class RawRow:
    line: int | None
    where: str  # "line 17", "row 17", "conversations[2].messages[4]"
    raw: str
    data: dict | None = None  # canonical field -> value
    error: tuple[str | None, str] | None = None  # (field, reason) when the row could not even be parsed


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


class Resolver:
    """Caches header resolution per distinct key set (JSON rows may differ)."""

    def __init__(self, mapping: ColumnMapping) -> None:
        self.mapping = mapping
        self.cache: dict[tuple, ResolvedColumns] = {}
        # key sets already named as the canonical fields, every required one among them: a row with one
        # of these is its own renaming (an export in the spec's format, e.g. the bench's, is all such rows)
        self.canonical: set[tuple] = set()

    def __call__(self, data: dict) -> dict:
        keys = tuple(data.keys())
        if keys in self.canonical:
            return data  # what _rename would build: the same keys, in the same order, with the same values
        resolved = self.cache.get(keys)
        if resolved is None:
            resolved = self.mapping.resolve(keys)
            self.cache[keys] = resolved
            if all(resolved.by_source.get(k) == k for k in keys) and all(f in keys for f in REQUIRED_FIELDS):
                self.canonical.add(keys)
        return _rename(data, resolved, keys)


def _conversation_rows(conv: Any, where: str, line: int | None, rename: Resolver,
                       counter: list[int]) -> Iterator[RawRow]:
    """Rows of one nested conversation object; conversation-level fields fill the messages."""
    if not isinstance(conv, dict):
        counter[0] += 1
        yield RawRow(line or counter[0], where, short(json.dumps(conv, ensure_ascii=False, default=str), MAX_RAW_CHARS),
                     error=(None, "is not a conversation object (expected {\"conversation_id\": …, \"messages\": [...]})"))
        return
    messages = conv.get("messages")
    outer = {k: v for k, v in conv.items() if k != "messages"}
    if "id" in outer and not any(k in outer for k in ("conversation_id", "会话ID", "会话id")):
        outer["conversation_id"] = outer.pop("id")
    outer_canonical = {k: v for k, v in rename(outer).items() if not k.startswith("__missing__")}
    if not isinstance(messages, list):
        counter[0] += 1
        yield RawRow(line or counter[0], where, short(json.dumps(conv, ensure_ascii=False, default=str), MAX_RAW_CHARS),
                     error=("messages", "has no 'messages' list"))
        return
    for j, msg in enumerate(messages):
        counter[0] += 1
        msg_where = f"{where}.messages[{j}]"
        raw = json.dumps(msg, ensure_ascii=False, default=str)
        if not isinstance(msg, dict):
            yield RawRow(line or counter[0], msg_where, raw, error=(None, "is not a message object"))
            continue
        data = dict(outer_canonical)
        inner = rename(msg)
        for k, v in inner.items():
            if k.startswith("__missing__") and k[len("__missing__"):] in data:
                continue
            data[k] = v
        yield RawRow(line or counter[0], msg_where, raw, data=data)


def _bad_line(line_no: int, raw: bytes, encoding: str) -> RawRow:
    return RawRow(line_no, f"line {line_no}", display_raw(raw, encoding),
                  error=(None, bad_bytes_reason(raw, encoding) or "cannot be decoded"))


# What orjson hands back exactly as the json module would: a row of these values is taken as it comes.
_PLAIN_VALUES = frozenset((str, int, bool, type(None)))


def _loads_line(line: str) -> Any:
    """`json.loads(line)`, the same value, about twice as fast for an ordinary row (orjson, a dependency).

    orjson is stricter (NaN, 1e400, a lone surrogate escape: refused) and reads an integer past 64 bits
    as a float: a line it refuses, and an object holding anything but text, integers, booleans and nulls
    (a float may be such an integer; a nested value may hold one), is read again by the json module, so
    every value and every error message is the json module's."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)
    if type(obj) is dict and _PLAIN_VALUES.issuperset(map(type, obj.values())):
        return obj
    return json.loads(line)


def _read_jsonl(lines: Sequence[str | None], raw_lines: Sequence[bytes] | None, encoding: str,
                rename: Resolver) -> Iterator[RawRow]:
    last = len(lines)
    while last > 0 and lines[last - 1] is not None and not lines[last - 1].strip():  # type: ignore[union-attr]
        last -= 1
    counter = [0]
    for i, line in enumerate(islice(lines, last), start=1):
        if line is None:
            yield _bad_line(i, raw_lines[i - 1] if raw_lines else b"", encoding)
            continue
        stripped = line.strip().lstrip("\ufeff")
        if not stripped:
            continue
        try:
            obj = _loads_line(stripped)
        except (json.JSONDecodeError, RecursionError) as exc:
            hint = (" — the file ends in the middle of this record (truncated export?)" if i == last
                    else "; fix or remove the line")
            msg = getattr(exc, "msg", "too deeply nested")
            yield RawRow(i, f"line {i}", stripped, error=(None, f"is not valid JSON: {msg} (column {getattr(exc, 'colno', '?')}){hint}"))
            continue
        if isinstance(obj, dict) and isinstance(obj.get("messages"), list):
            yield from _conversation_rows(obj, f"line {i}", i, rename, counter)
        elif isinstance(obj, dict):
            yield RawRow(i, f"line {i}", stripped, data=rename(obj))
        else:
            yield RawRow(i, f"line {i}", stripped, error=(None, f"is a JSON {type(obj).__name__}, not an object with the message fields"))


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


def _read_json(text: str, rename: Resolver) -> Iterator[RawRow]:
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
                raise FileError(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
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
                yield RawRow(1, "the file", short(text, MAX_RAW_CHARS), data=rename(obj))
                return
            raise FileError("JSON top level is neither a list nor an object with 'conversations'")
    for i, (obj, pos, error) in enumerate(_json_elements(text, start)):
        where = f"{prefix or ''}[{i}]"
        line_no = text.count("\n", 0, pos) + 1
        if error:
            counter[0] += 1
            yield RawRow(line_no, f"{where} (line {line_no})", text[pos:pos + MAX_RAW_CHARS], error=(None, error))
            return
        if isinstance(obj, dict) and isinstance(obj.get("messages"), list):
            yield from _conversation_rows(obj, where, None, rename, counter)
        elif isinstance(obj, dict):  # a flat list of messages
            counter[0] += 1
            yield RawRow(line_no, f"{where} (line {line_no})", json.dumps(obj, ensure_ascii=False, default=str),
                         data=rename(obj))
        else:
            counter[0] += 1
            yield RawRow(line_no, f"{where} (line {line_no})", short(json.dumps(obj, ensure_ascii=False, default=str), MAX_RAW_CHARS),
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


def _read_csv(lines: Sequence[str | None], raw_lines: Sequence[bytes] | None, encoding: str, path: Path,
              rename: Resolver) -> Iterator[RawRow]:
    # header: first non-blank line
    i = 0
    while i < len(lines) and lines[i] is not None and not lines[i].strip():  # type: ignore[union-attr]
        i += 1
    if i >= len(lines):
        return
    header_line = lines[i]
    if header_line is None:
        raise FileError(f"the header line (line {i + 1}) cannot be decoded as {encoding}; re-export as UTF-8")
    header_line = header_line.rstrip("\r").lstrip("\ufeff")
    delimiter = "\t" if inner_suffix(path) == ".tsv" or header_line.count("\t") > header_line.count(",") else ","
    header = _split_csv(header_line, delimiter) or _split_csv_literal(header_line, delimiter)
    header = [h.strip().lstrip("\ufeff") for h in header]
    resolved = rename.mapping.resolve(header)
    n_fields = len(header)

    optional_tail = [resolved.by_source.get(h) not in REQUIRED_FIELDS for h in header]
    ends_cleanly = bool(lines) and lines[-1] is not None and not lines[-1].strip()

    def to_row(line_no: int, record: str, fields: list[str]) -> RawRow:
        if len(fields) > n_fields and not any(f.strip() for f in fields[n_fields:]):
            fields = fields[:n_fields]  # trailing empty columns from Excel
        # Some tools drop trailing empty optional columns; a short last line without a
        # final newline is a truncated export instead.
        if (len(fields) < n_fields and all(optional_tail[len(fields):])
                and (ends_cleanly or line_no < last)):
            fields = fields + [""] * (n_fields - len(fields))
        if len(fields) != n_fields:
            truncated = " (truncated line?)" if len(fields) < n_fields else " (an unquoted comma in the text?)"
            return RawRow(line_no, f"line {line_no}", record,
                          error=(None, f"has {len(fields)} fields but the header has {n_fields}{truncated}; fix the quoting or re-export"))
        return RawRow(line_no, f"line {line_no}", record, data=_rename(dict(zip(header, fields)), resolved, header))

    def _fits(fields: list[str]) -> bool:
        """A multi-line record is taken only when it splits into the header's fields (else: a stray quote)."""
        return len(fields) == n_fields or len(fields) > n_fields and not any(f.strip() for f in fields[n_fields:])

    last = len(lines)
    while last > i + 1 and lines[last - 1] is not None and not lines[last - 1].strip():  # type: ignore[union-attr]
        last -= 1
    pos = i + 1
    while pos < last:
        line = lines[pos]
        line_no = pos + 1
        if line is None:
            yield _bad_line(line_no, raw_lines[pos] if raw_lines else b"", encoding)
            pos += 1
            continue
        if not line.strip():
            pos += 1
            continue
        # A record continues while its quotes are unbalanced (a quoted field with line breaks),
        # bounded by size, not by a count of lines.
        parts = [line.rstrip("\r")]
        size = len(parts[0])
        end = pos
        quotes = parts[0].count('"')
        while quotes % 2 == 1 and end + 1 < last and size < _MAX_CSV_RECORD_CHARS and lines[end + 1] is not None:
            end += 1
            nxt = lines[end].rstrip("\r")  # type: ignore[union-attr]
            parts.append(nxt)
            size += len(nxt) + 1
            quotes += nxt.count('"')
        record = "\n".join(parts)
        if quotes % 2 == 0:
            fields = _split_csv(record, delimiter)
            if end > pos and fields is not None and _fits(fields):
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
            yield RawRow(line_no, f"line {line_no}", single,
                         error=(None, "has an unmatched quote (\") and cannot be split into the header's "
                                      f"{n_fields} fields" + (" — the file ends in the middle of this record (truncated export?)"
                                                              if is_last else "; fix the quoting or re-export")))
        pos += 1


def _read_parquet(data: bytes, rename: Resolver) -> Iterator[RawRow]:
    try:
        import pyarrow.parquet as pq

        table = pq.read_table(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any reader failure is a file-level quarantine
        raise FileError(f"cannot read as Parquet ({type(exc).__name__}: {short(str(exc), 160)}); re-export the file") from None
    columns = table.column_names
    resolved = rename.mapping.resolve(columns)
    for n, record in enumerate(table.to_pylist(), start=1):
        raw = json.dumps(record, ensure_ascii=False, default=str)
        yield RawRow(n, f"row {n}", raw, data=_rename(record, resolved, columns))


def _read_xlsx(data: bytes, rename: Resolver) -> Iterator[RawRow]:
    """Seller consoles often export Excel: the first sheet, first non-empty row as the header."""
    try:
        import openpyxl

        # From bytes: openpyxl refuses a workbook whose file name does not end in .xlsx.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a file-level quarantine
        raise FileError(f"cannot read as an Excel workbook ({type(exc).__name__}: {short(str(exc), 160)}); "
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
            yield RawRow(n, f"sheet '{sheet.title}' row {n}", raw, data=_rename(record, resolved, header))  # type: ignore[arg-type]
    finally:
        workbook.close()


def _sniff_kind(suffix: str, head: bytes) -> str:
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


def file_rows(path: Path, source: InputFile, rename: Resolver) -> Iterator[RawRow]:
    """The rows of one file (opened by decoding.open_input), whatever its format; FileError when none can be read."""
    suffix = path.suffix.lower()
    if source.gzipped:  # gzip, whatever the name says: read what is inside
        suffix = inner_suffix(path)
    elif suffix == ".gz":
        raise FileError("the name ends in .gz but the file is not gzip-compressed; rename it or compress it again")
    kind = _sniff_kind(suffix, source.head[:64])
    if kind == "parquet":
        yield from _read_parquet(source.read_all(), rename)
        return
    if kind == "xlsx":
        yield from _read_xlsx(source.read_all(), rename)
        return
    lines = FileLines(source.file, source.head)
    encoding = lines.encoding
    if all_lines_bad(lines):
        raise FileError(f"the file is not text (no line is text: NUL or control bytes, or bytes of no known encoding); {NOT_TEXT}")
    raw = lines.raw  # read only for the lines that are None
    text_head = next((line.lstrip("\ufeff").lstrip() for line in lines if line and line.strip()), "")
    if kind == "jsonl" and (text_head.startswith("[") or text_head.startswith("{") and _is_one_json_document(lines)):
        kind = "json"  # a JSON array (or one pretty-printed object) saved as .jsonl: read it as the JSON it is
    if kind == "json":
        text = "\n".join(line if line is not None else "" for line in lines)
        head = text.lstrip("\ufeff").lstrip()
        # A .json file that is really JSON Lines (several objects, one a line).
        if head.startswith("{") and not _CONVERSATIONS_HEAD_RE.match(text.lstrip("\ufeff")) and _is_jsonl(lines):
            yield from _read_jsonl(lines, raw, encoding, rename)
        else:
            yield from _read_json(text, rename)
    elif kind == "jsonl":
        yield from _read_jsonl(lines, raw, encoding, rename)
    else:
        yield from _read_csv(lines, raw, encoding, path, rename)


def _is_one_json_document(lines: Sequence[str | None]) -> bool:
    """A .jsonl whose first line is not JSON on its own but whose whole text is one JSON value."""
    first = next((line for line in lines if line and line.strip()), "")
    try:
        json.loads(first)
        return False
    except (json.JSONDecodeError, RecursionError):
        pass
    try:
        json.loads("\n".join(line for line in lines if line is not None).lstrip("\ufeff"))
        return True
    except (json.JSONDecodeError, RecursionError):
        return False


def _is_jsonl(lines: Sequence[str | None]) -> bool:
    nonblank = [line for line in lines if line and line.strip()]
    if len(nonblank) < 2:
        return False
    try:
        json.loads(nonblank[0])
        return True
    except json.JSONDecodeError:
        return False
