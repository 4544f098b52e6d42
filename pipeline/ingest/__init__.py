"""Read chat-log exports into masked `Message`s, quarantining what cannot be read.

Formats: JSON Lines, CSV/TSV, Parquet, Excel .xlsx (first sheet), and nested conversation JSON
(a list of conversations each with `messages`, or `{"conversations": [...]}`; a JSONL file whose
lines are conversations also works; a JSON array or one pretty-printed object saved as .jsonl is
read as the JSON it is). Any of them gzip-compressed (`chats.jsonl.gz`, read transparently).
Encodings found without being told, line by line (pipeline/ingest/decoding.py): UTF-8 (with or
without BOM), UTF-16 (with a BOM, or without one, from where its NUL bytes fall), GB18030/GBK and
Big5 (told apart by charset-normalizer); a file mixing UTF-8 and GBK lines reads each line in its
own encoding. Directories are read file by file.

Every input row ends up in exactly one place, so
`read == len(messages) + duplicates + len(quarantined)`:
- `messages`: valid rows, every text field masked (pipeline/mask.py), `message_key` set;
- `duplicates`: rows whose `message_key` already appeared in this batch;
- `quarantined`: rows that cannot be used, each with a reason a person can act on (reasons
  and raw are masked too: they are stored and shown). A bad byte (NUL, control byte, bytes of no
  encoding) costs its line, never the file; a row whose building fails for any reason is
  quarantined alone and the file goes on. A whole file that cannot be read at all (missing,
  damaged gzip, not JSON, binary with nothing good in it) is one row.

Decisions on doubtful values (the message is kept; `IngestResult.notes`, a list of `IngestNote`
(source_file, line, field, reason, message_key), says what was changed, so nothing vanishes silently; notes
are not rows and are not counted in `read`):
- csat outside 1–5 or not a number → dropped, message kept;
- seq not an integer → ignored (the message is ordered by time);
- text over MAX_TEXT_CHARS (20,000) → cut there and marked `[已截断]`; 10,000-character
  pastes are kept whole. The dedupe key uses the full raw text;
- empty text → kept (a picture or card message);
- shop, channel, agent_name → masked like short fields (`mask_value`: phones, ID and card
  numbers, e-mails);
- customer_id carrying personal data (a phone, an e-mail) → `cust_` + a keyed pseudonym
  (HMAC-SHA256 with this installation's secret, pipeline/ingest/pseudonym.py); agent_id or
  conversation_id carrying personal data → masked plus `~` and a keyed tag, so two never merge.
Rows that are quarantined: missing/unknown conversation_id, timestamp, role; an
agent row without agent_id; invalid JSON; a CSV record with the wrong number of
fields; bytes that are not valid in the file's encoding; a timestamp more than a day
after now (FUTURE_TOLERANCE in rows.py). A quoted CSV field may span any number of lines
up to about 4 MiB per record.

Timestamps: ISO-8601 (with offset, or naive = settings.timezone / the mapping's
timezone), `2026/10/03 14:02:11`, `2026年10月3日 14:02`, epoch seconds, and epoch
milliseconds/microseconds/nanoseconds (detected by size); a time outside 1990–2100 is
quarantined. Stored in the configured time zone.

message_key = sha256 of `conversation_id|timestamp as UTC ISO-8601|role|agent_id|raw text`
(raw = before masking), so the same message exported twice, or by two tools with
different UTC offsets, is stored once. `message_key` (rows.py) is the key's only definition.

Where things are: `values` (one value: missing, text, integer, time, caps), `decoding`
(bytes → lines: gzip, encoding per line, binary files, bad bytes), `readers` (each format → raw
rows; which format a file is), `rows` (raw row → `Message`, quarantine or note; the key),
`pseudonym` (the keyed pseudonym and its secret), and here `read_inputs` with the result types.
`assemble`, the next stage, lives in pipeline/assemble.py and is re-exported here.
"""
from __future__ import annotations

import glob
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.assemble import assemble
from pipeline.conversation import Message
from pipeline.errors import ZhijianError
from pipeline.ingest.decoding import FileError, binary_kind, display_raw, open_input
from pipeline.ingest.readers import NOT_TEXT, SUPPORTED_SUFFIXES, Resolver, file_rows, is_supported
from pipeline.ingest.rows import Batch, message_key
from pipeline.ingest.rows import mask_value as _mask_value  # the one mask_value fallback
from pipeline.ingest.values import MAX_RAW_CHARS, MAX_TEXT_CHARS, TRUNCATION_MARK, parse_timestamp, short, valid_text
from pipeline.mapping import ColumnMapping
from pipeline.mask import mask_text

__all__ = [
    "MAX_RAW_CHARS",
    "MAX_TEXT_CHARS",
    "SUPPORTED_SUFFIXES",
    "TRUNCATION_MARK",
    "IngestNote",
    "IngestResult",
    "QuarantinedRow",
    "assemble",
    "message_key",
    "parse_timestamp",
    "read_input_chunks",
    "read_inputs",
]

CHUNK_MESSAGES = 20_000  # messages per piece of read_input_chunks: ~2,000 conversations, tens of MB


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
class IngestNote:
    """A value dropped or cut from a row that was kept (text over MAX_TEXT_CHARS, seq not an integer, csat not 1–5).

    Computed here, stored and counted by the run (not by ingest); `reason` is masked. `message_key`
    is the kept message's key: a note belongs to its message, so a re-run that stores no message
    (already in the store) should store none of its notes either. A duplicate row gets no note.
    """
    source_file: str
    line: int | None  # as in QuarantinedRow
    field: str  # "text", "seq" or "csat"
    reason: str
    message_key: str  # the message the value was dropped or cut from

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class IngestResult:
    messages: list[Message] = field(default_factory=list)
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    read: int = 0
    duplicates: int = 0
    notes: list[IngestNote] = field(default_factory=list)  # kept rows with a value dropped or cut (not counted in `read`)
    files: list[str] = field(default_factory=list)

    @property
    def duplicates_in_batch(self) -> int:  # the name used in docs/architecture.md
        return self.duplicates

    def counts_add_up(self) -> bool:
        return self.read == len(self.messages) + self.duplicates + len(self.quarantined)

    def quarantine(self, source_file: str, line: int | None, fld: str | None, reason: str, raw: str) -> None:
        """Record a row that cannot be used (`raw` cut and masked, `reason` masked: the quarantine is stored and shown)."""
        self.quarantined.append(QuarantinedRow(source_file, line, fld, _safe_reason(reason), _safe_raw(raw)))

    def note(self, source_file: str, line: int | None, fld: str, message_key: str, reason: str) -> None:
        """Record a value dropped or cut from a row that was kept (`reason` masked)."""
        self.notes.append(IngestNote(source_file, line, fld, _safe_reason(reason), message_key))


def _safe_raw(raw: str) -> str:
    raw = valid_text(raw if len(raw) <= MAX_RAW_CHARS else raw[:MAX_RAW_CHARS] + "…")
    return _mask_value(mask_text(raw))  # the quarantine is stored and shown too; ids in it as short fields


def _safe_reason(reason: str) -> str:
    """Reasons quote the offending value (a role, an id, a file name): masked like a short field."""
    return _mask_value(valid_text(reason))


def _read_file(batch: Batch, path: Path, rename: Resolver) -> Iterator[None]:
    """Read one file into `batch.result`; yields after each row where the caller may cut a chunk.

    A cut is offered only once the file has kept a message: until then the file may still turn
    out to be binary junk whose rows are replaced by one file-level row, which needs them all
    in the same result.
    """
    source_name = str(path)
    batch.result.files.append(source_name)

    def file_level(reason: str, raw: str = "") -> None:
        batch.result.read += 1
        batch.result.quarantine(source_name, None, None, f"{path.name}: {reason}", raw)

    try:
        source = open_input(path)  # the file is read line by line from here, never whole (pipeline/ingest/decoding.py)
    except FileNotFoundError:
        file_level("file not found; check the path")
        return
    except OSError as exc:
        file_level(f"cannot read the file ({exc.strerror or exc}); check the path and permissions")
        return
    except FileError as exc:  # a damaged or oversized gzip
        file_level(str(exc), display_raw(_first_bytes(path), "utf-8"))
        return
    result = batch.result  # stays the same object until `kept`: no cut is offered before
    produced, read_before, quarantined_before = 0, result.read, len(result.quarantined)
    kept = False
    try:
        for row in file_rows(path, source, rename):
            produced += 1
            if kept:
                batch.add(source_name, row)
                yield
                continue
            kept_before = len(result.messages) + result.duplicates
            batch.add(source_name, row)
            kept = len(result.messages) + result.duplicates > kept_before
    except FileError as exc:
        if produced == 0:
            file_level(str(exc), display_raw(source.head[:300], "utf-8"))
        else:  # rows already counted; the rest of the file is one more quarantined row
            file_level(f"after {produced} rows: {exc}")
    except ZhijianError:
        raise  # configuration (the pseudonym secret), not this file: the run must stop and say so
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the night's run
        file_level(f"after {produced} rows, reading stopped: {type(exc).__name__}: {short(str(exc), 200)}; "
                   "please report this file to the Zhijian maintainers")
    finally:
        source.close()
    # A binary file (an image, a database, mostly NULs) read line by line gives only junk rows:
    # when nothing was kept from it, say so once instead. Decided after reading, so a file
    # with good rows among binary junk never loses them.
    if produced > 1 and not kept:
        why = binary_kind(source.head)
        if why:
            result.read = read_before
            del result.quarantined[quarantined_before:]
            file_level(f"the file is not text ({why}); {NOT_TEXT}")


def _first_bytes(path: Path, n: int = 300) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def _expand(paths: Iterable[str | Path] | str | Path) -> list[Path]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(sorted(f for f in path.rglob("*") if f.is_file() and is_supported(f)))
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
    batch = Batch(_resolve_mapping(mapping), IngestResult())
    rename = Resolver(batch.mapping)
    for path in _expand(paths):
        for _ in _read_file(batch, path, rename):
            pass
    return batch.result


def read_input_chunks(paths: Iterable[str | Path] | str | Path, mapping: ColumnMapping | str | Path | None = None,
                      *, chunk_messages: int = CHUNK_MESSAGES) -> Iterator[IngestResult]:
    """`read_inputs` in pieces of about `chunk_messages` kept messages, so memory does not grow with the input.

    Each piece is an IngestResult whose counts add up on their own (`counts_add_up`); the pieces
    together count every row once. A chunk may end inside a file, and the last one may be empty.
    Duplicates are found within a piece: a row repeating one from an earlier piece is kept here
    and found again by the store (its `message_key` is already there), so the run's duplicate
    total is the same and the memory for seen keys stays one piece's worth. A conversation's
    messages may be spread over several pieces: the run stores every piece before it scores.
    A JSONL or CSV file is read a block of lines at a time (pipeline/ingest/decoding.py), never whole.
    """
    batch = Batch(_resolve_mapping(mapping), IngestResult())
    rename = Resolver(batch.mapping)
    for path in _expand(paths):
        for _ in _read_file(batch, path, rename):
            if len(batch.result.messages) >= chunk_messages:
                yield batch.result
                batch.result = IngestResult(files=[str(path)])
                batch.seen.clear()
    yield batch.result


# The run (pipeline/scoring.py ingest_step) asks the reader it was given for `.chunks`: a
# replacement reader without it (tests' fakes) is called once, whole, as before.
read_inputs.chunks = read_input_chunks  # type: ignore[attr-defined]


def _resolve_mapping(mapping: ColumnMapping | str | Path | None) -> ColumnMapping:
    if mapping is None:
        return ColumnMapping(source="<built-in header names>")
    if not isinstance(mapping, ColumnMapping):
        return ColumnMapping.load(mapping)
    return mapping
