"""Bytes to lines: gzip, which encoding a text file is in, which lines are text at all, which lines have bad bytes.

`decode_lines` gives one entry per line, None where that line cannot be used as text (bytes not
valid in UTF-8 nor in the file's legacy encoding, a NUL or other control byte, broken UTF-16), so a
reader quarantines that one line (saying why with `bad_bytes_reason`) and keeps the others: a bad
byte costs its line, never the file. Only a file in which no line at all is text raises `FileError`.

Decoding is per line: a line is UTF-8 where it is valid UTF-8, else the file's legacy encoding
(GB18030 or Big5, told apart by charset-normalizer on the lines that are not UTF-8), so a file
that mixes GBK and UTF-8 lines is read right, never stored as mojibake. UTF-16 is found by its
BOM or, without one, by where the NUL bytes fall (every other byte of ASCII text is NUL).

A file is never held whole (a night's export can be a gigabyte): `open_input` gives its bytes as a
seekable file (a .gz inflated into a temporary file first) and `FileLines` is the sequence of its
lines, indexed in one pass (where each block of ~BLOCK_BYTES starts, cut after a newline) and
decoded a block at a time on demand, a few blocks kept. The encoding is decided from a prefix:
the BOM and UTF-16 from the first bytes; the legacy encoding and the name reported for the file
(GB18030 when most of its text lines are) from the lines of the first DETECT_BYTES, so a file up
to that size is decided exactly as when files were read whole; a bigger one whose first legacy
line comes later decides its legacy encoding from that line's block. Memory holds a few blocks,
not the file (a 1 GB export: see benchmarks/big_file_memory.py).
"""
from __future__ import annotations

import bisect
import codecs
import gzip
import io
import re
import tempfile
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, overload

MAX_GUNZIPPED_BYTES = 2 * 1024 ** 3  # a .gz that inflates past this is refused (a gzip bomb, not an export)
BLOCK_BYTES = 4 << 20  # lines are decoded this many bytes at a time (a longer line makes its block longer)
HEAD_BYTES = 1 << 16  # the prefix that tells a binary file, and what a file-level quarantine row shows
DETECT_BYTES = 16 << 20  # the prefix whose lines decide the legacy encoding and the name reported for the file
_BLOCKS_KEPT = 3  # decoded blocks kept: the CSV reader looks back and ahead across a block's edge
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")  # not \t \n \x0b (Excel cell line break) \x0c \r, not ESC
_LEGACY_NAMES = {"gb18030": "GB18030", "cp950": "Big5"}


class FileError(Exception):
    """The whole file cannot be read; the message says why and what to do."""


class InputFile:
    """One input file's content as a seekable binary file, never read whole: `head`, `gzipped`, `read_all()`.

    A gzip file (by its magic bytes, whatever its name) is inflated into a temporary file first, so a
    damaged or oversized one is refused before any row, as when it was inflated in memory.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: IO[bytes] = open(path, "rb")  # FileNotFoundError / OSError: the caller names the file
        self.gzipped = self.file.read(2) == b"\x1f\x8b"
        self.file.seek(0)
        if self.gzipped:
            compressed = self.file
            try:
                self.file = _inflate(compressed)
            finally:
                compressed.close()
        self.head = self.file.read(HEAD_BYTES)
        self.file.seek(0)

    def read_all(self) -> bytes:
        """The whole content (Parquet, Excel and one JSON document need it in memory)."""
        self.file.seek(0)
        return self.file.read()

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> "InputFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_input(path: Path) -> InputFile:
    """The content of `path` (through a .gz), for `FileLines` and the readers; FileError when a gzip is damaged."""
    return InputFile(path)


def _inflate(compressed: IO[bytes]) -> IO[bytes]:
    """A gzip file's content in a temporary file (FileError when it is damaged or inflates past MAX_GUNZIPPED_BYTES)."""
    out = tempfile.TemporaryFile(prefix="zhijian-gunzip-")
    size = 0
    try:
        with gzip.GzipFile(fileobj=compressed) as f:
            while chunk := f.read(1 << 20):
                size += len(chunk)
                if size > MAX_GUNZIPPED_BYTES:
                    raise FileError(f"the gzip file inflates past {MAX_GUNZIPPED_BYTES >> 30} GiB; "
                                    "split the export into smaller files")
                out.write(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        out.close()
        raise FileError(f"the gzip file is damaged ({exc}); compress the export again or send it uncompressed") from None
    except FileError:
        out.close()
        raise
    out.seek(0)
    return out


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the NUL bytes fall where UTF-16 puts them for mostly-ASCII text, else None."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 4 or b"\x00" not in sample:
        return None
    even_nul = sum(1 for i in range(0, pairs * 2, 2) if sample[i] == 0)
    odd_nul = sum(1 for i in range(1, pairs * 2, 2) if sample[i] == 0)
    if odd_nul >= pairs * 0.3 and even_nul <= odd_nul * 0.1:
        return "utf-16-le"
    if even_nul >= pairs * 0.3 and odd_nul <= even_nul * 0.1:
        return "utf-16-be"
    return None


def _utf16_split(data: bytes, codec: str) -> list[bytes]:
    """UTF-16 bytes split on the newline code unit (never on a 0x0A byte inside another character)."""
    newline = b"\n\x00" if codec == "utf-16-le" else b"\x00\n"
    parts: list[bytes] = []
    start = 0
    pos = data.find(newline)
    while pos != -1:
        if pos % 2 == 0:
            parts.append(data[start:pos])
            start = pos + 2
            pos = data.find(newline, start)
        else:
            pos = data.find(newline, pos + 1)
    parts.append(data[start:])
    return parts


def _utf16_lines(data: bytes, codec: str) -> list[str | None]:
    return [_strict(part, codec) for part in _utf16_split(data, codec)]


def display_raw(raw: bytes, encoding: str) -> str:
    """A bad line as text a person can read in the quarantine: best-effort decoded, control bytes dropped.

    Dropping them (not escaping them) matters: a phone number with NULs between its digits must
    reach the masking as a phone number.
    """
    codec = {"GB18030": "gb18030", "Big5": "cp950"}.get(encoding, encoding)
    if codec.startswith("utf-8"):
        codec = "utf-8"
    try:
        text = raw.decode(codec, "replace")
    except LookupError:
        text = raw.decode("utf-8", "replace")
    return _CONTROL_RE.sub("", text)


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        return None
    return None if _CONTROL_RE.search(text) else text


def _broken_utf8(line: bytes) -> bool:
    """A UTF-8 line with a damaged byte (its other characters are valid UTF-8), not a legacy-encoded line."""
    valid = sum(1 for ch in line.decode("utf-8", "ignore") if ord(ch) > 0x7F)
    invalid = line.decode("utf-8", "replace").count("\ufffd") - line.decode("utf-8", "ignore").count("\ufffd")
    return valid > 0 and valid >= invalid


def _legacy_encoding(lines: list[bytes]) -> str:
    """GB18030 or Big5 (cp950) for the lines that are not UTF-8; charset-normalizer decides when both decode.

    Only lines that decode in one of the two vote: random junk between the rows must not pick the encoding.
    """
    votes = {"gb18030": 0, "cp950": 0}
    both: list[bytes] = []
    for line in lines:
        fits = [codec for codec in votes if _decodes(line, codec)]
        if len(fits) == 1:
            votes[fits[0]] += 1
        elif fits:
            both.append(line)
    if not both or votes["gb18030"] != votes["cp950"] and max(votes.values()) >= len(both):
        return max(votes, key=lambda codec: (votes[codec], codec == "gb18030"))
    sample = b"\n".join(both)[:200_000]
    try:
        import charset_normalizer

        best = charset_normalizer.from_bytes(sample, cp_isolation=["gb18030", "big5", "cp950"]).best()
    except Exception:  # noqa: BLE001 - the detector is a help, never a reason to lose the file
        best = None
    if best is not None and best.encoding in ("big5", "cp950", "big5hkscs"):
        return "cp950"
    return "gb18030"


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
        return True
    except UnicodeDecodeError:
        return False


def decode_lines(data: bytes) -> tuple[list[str | None], str]:
    """Lines of a text file held in memory (None where a line cannot be used as text) and the encoding's name."""
    lines = FileLines(io.BytesIO(data), data[:HEAD_BYTES])
    return list(lines), lines.encoding


class FileLines(Sequence):
    """The lines of a text file (None where a line cannot be used as text), decoded a block at a time.

    `encoding` is the file's encoding as reported in reasons; `raw[i]` the bytes of line i (for the
    reasons and raw of bad lines). Line i is what `bytes.split(b"\n")` (UTF-16: split on the newline
    code unit) of the whole file, BOM removed, would give at i: every line once, the last one after
    the last newline included (often ""). The blocks are cut after a newline, so a line is never
    split between two; the readers index and iterate this as they would a list.
    """

    def __init__(self, file: IO[bytes], head: bytes) -> None:
        self._file = file
        self._utf16: str | None = None
        start = 0
        if head.startswith(codecs.BOM_UTF16_LE):
            self._utf16, start = "utf-16-le", 2
        elif head.startswith(codecs.BOM_UTF16_BE):
            self._utf16, start = "utf-16-be", 2
        else:
            self._utf16 = utf16_without_bom(head)
        if self._utf16:
            self.encoding = self._utf16
            self._newline = b"\n\x00" if self._utf16 == "utf-16-le" else b"\x00\n"
        else:
            self.encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
            start = len(codecs.BOM_UTF8) if self.encoding == "utf-8-sig" else 0
            self._newline = b"\n"
        self._legacy: str | None = None  # gb18030 or cp950 for lines in neither UTF
        # (byte offset, byte length) of each block and the number of its first line; the last block ends the file
        self._blocks: list[tuple[int, int]] = []
        self._first_line: list[int] = []
        self._len = self._index(start)
        self._cache: OrderedDict[int, tuple[bytes, list[str | None], list[bytes] | None]] = OrderedDict()
        self._current: tuple[int, int, list[str | None]] = (0, 0, [])  # the last block looked up: first, end, lines
        if not self._utf16:
            self._detect(start)

    @property
    def raw(self) -> _RawLines:
        # made on each use, not kept: a kept one would point back here, and the cycle would hold this
        # file's decoded blocks (megabytes) after its last line until a full garbage collection
        return _RawLines(self)

    def _detect(self, start: int) -> None:
        """The legacy encoding and the name reported for the file, from the lines of its first DETECT_BYTES
        (a smaller file: all of it, as when files were read whole). A file with no legacy line there
        decides its legacy encoding at the first block that has one."""
        legacy: list[bytes] = []
        non_ascii = 0  # lines: the name is the legacy one when most text lines are in it
        utf8_blocks: list[int] = []  # their non-ASCII lines are counted only when some line is legacy
        for b, (offset, _length) in enumerate(self._blocks):
            if offset - start >= DETECT_BYTES:
                break
            data = self._block_bytes(b)
            if data.isascii():
                continue
            if _decodes(data, "utf-8"):
                utf8_blocks.append(b)
                continue
            lines = data.split(b"\n")
            non_ascii += sum(1 for line in lines if not line.isascii())
            legacy.extend(line for line in lines if not _decodes(line, "utf-8") and not _broken_utf8(line))
        if legacy:
            self._legacy = _legacy_encoding(legacy)
            for b in utf8_blocks:
                non_ascii += sum(1 for line in self._block_bytes(b).split(b"\n") if not line.isascii())
            if len(legacy) * 2 >= non_ascii:
                self.encoding = _LEGACY_NAMES[self._legacy]

    # ------------------------------------------------------------------ the index: one pass, counts only
    def _last_newline(self, chunk: bytes | bytearray, since: int = 0) -> tuple[int, int]:
        """(end of the last newline in chunk, newlines up to it), or (-1, 0) when there is none at or after `since`
        (the caller found none before it). UTF-16 newlines count only at code-unit boundaries."""
        if not self._utf16:
            at = chunk.rfind(b"\n", since)
            return (at + 1, chunk.count(b"\n", 0, at + 1)) if at >= 0 else (-1, 0)
        end, count, pos = -1, 0, chunk.find(self._newline, since - since % 2)
        while pos != -1:
            if pos % 2 == 0:
                end, count = pos + 2, count + 1
                pos = chunk.find(self._newline, pos + 2)
            else:
                pos = chunk.find(self._newline, pos + 1)
        return end, count

    def _index(self, start: int) -> int:
        """Cut the file into blocks after a newline; the number of lines."""
        lines, pos = 0, start
        self._file.seek(pos)
        while True:
            chunk = bytearray(self._file.read(BLOCK_BYTES))
            at_end = len(chunk) < BLOCK_BYTES
            cut, count = self._last_newline(chunk)
            while cut < 0 and not at_end:  # a line longer than a block: the block grows to its end
                searched = len(chunk)
                more = self._file.read(BLOCK_BYTES)
                at_end = len(more) < BLOCK_BYTES
                chunk += more
                cut, count = self._last_newline(chunk, max(searched - 1, 0))
            self._first_line.append(lines)
            if at_end:  # the rest of the file, whole: its last line is the one after its last newline
                self._blocks.append((pos, len(chunk)))
                return lines + count + 1
            self._blocks.append((pos, cut))
            lines += count
            pos += cut
            self._file.seek(pos)

    # ------------------------------------------------------------------ blocks, decoded on demand
    def _block_of(self, i: int) -> int:
        return bisect.bisect_right(self._first_line, i) - 1

    def _block_bytes(self, b: int) -> bytes:
        offset, length = self._blocks[b]
        self._file.seek(offset)
        data = self._file.read(length)
        if b + 1 < len(self._blocks):  # cut after its newline: drop it, the next line starts the next block
            data = data[: -len(self._newline)]
        return data

    def _decoded(self, b: int) -> tuple[bytes, list[str | None], list[bytes] | None]:
        hit = self._cache.get(b)
        if hit is not None:
            self._cache.move_to_end(b)
            return hit
        data = self._block_bytes(b)
        lines = _utf16_lines(data, self._utf16) if self._utf16 else self._utf8_or_legacy(data)
        entry = (data, lines, None)
        self._cache[b] = entry
        if len(self._cache) > _BLOCKS_KEPT:
            self._cache.popitem(last=False)
        return entry

    def _utf8_or_legacy(self, data: bytes) -> list[str | None]:
        """A line is UTF-8 where it is valid UTF-8, else the legacy encoding (None where neither, or a control byte)."""
        try:  # the common case: all of it UTF-8, decoded at once
            text = data.decode("utf-8")
            lines = text.split("\n")
            if _CONTROL_RE.search(text):
                lines = [None if _CONTROL_RE.search(line) else line for line in lines]
            return lines  # type: ignore[return-value]
        except UnicodeDecodeError:
            pass
        raw = data.split(b"\n")
        lines = []
        legacy_lines: list[int] = []
        for n, line in enumerate(raw):
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                lines.append(None)
                if not _broken_utf8(line):
                    legacy_lines.append(n)
                continue
            lines.append(None if _CONTROL_RE.search(text) else text)
        if legacy_lines:
            if self._legacy is None:  # none in the prefix _detect read: this block's lines decide
                self._legacy = _legacy_encoding([raw[n] for n in legacy_lines])
            for n in legacy_lines:
                lines[n] = _strict(raw[n], self._legacy)
        return lines

    def raw_line(self, i: int) -> bytes:
        b = self._block_of(i)
        data, lines, raw = self._decoded(b)
        if raw is None:
            raw = _utf16_split(data, self._utf16) if self._utf16 else data.split(b"\n")
            self._cache[b] = (data, lines, raw)
        return raw[i - self._first_line[b]]

    # ------------------------------------------------------------------ the sequence
    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, i: int) -> str | None: ...
    @overload
    def __getitem__(self, i: slice) -> list[str | None]: ...
    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        first, end, lines = self._current
        if first <= i < end:
            return lines[i - first]
        if not 0 <= i < self._len:
            raise IndexError("line index out of range")
        b = self._block_of(i)
        lines = self._decoded(b)[1]
        first = self._first_line[b]
        self._current = (first, first + len(lines), lines)
        return lines[i - first]

    def __iter__(self) -> Iterator[str | None]:
        for b in range(len(self._blocks)):
            yield from self._decoded(b)[1]


class _RawLines(Sequence):
    """`FileLines.raw`: the bytes of each line, split the same way."""

    def __init__(self, lines: FileLines) -> None:
        self._lines = lines

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("line index out of range")
        return self._lines.raw_line(i)


_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"BM", b"\x7fELF", b"MZ", b"Rar!", b"7z\xbc\xaf",
                 b"\xd0\xcf\x11\xe0", b"SQLite format 3", b"\x28\xb5\x2f\xfd", b"BZh", b"\xfd7zXZ")


def binary_kind(data: bytes) -> str | None:
    """Why `data` is a binary file, not a text export (a known file signature, or mostly NUL bytes); None if text."""
    for magic in _BINARY_MAGIC:
        if data.startswith(magic) and (magic != b"BM" or b"\x00" in data[:64]) and (magic != b"MZ" or b"\x00" in data[:64]):
            return f"it starts with the signature of a binary file ({magic[:8]!r})"
    head = data[:65536]
    if head and head.count(0) > len(head) * 0.1 and not utf16_without_bom(data) and not data.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return f"{head.count(0) * 100 // len(head)}% of its first bytes are NUL"
    return None


def all_lines_bad(lines: list[str | None]) -> bool:
    """No line of the file is text (a binary file renamed, random bytes): the file is one quarantined row."""
    return not any(line is not None for line in lines if line != "") and any(line is None for line in lines)


def bad_bytes_reason(raw: bytes, encoding: str) -> str:
    """Why one line (its raw bytes) was not used as text; "" when it decodes after all."""
    if encoding.startswith("utf-16"):
        try:
            text = raw.decode("utf-16-be" if encoding.endswith("be") else "utf-16-le")
        except UnicodeDecodeError:
            return "has broken UTF-16 characters (bytes that are not text); re-export the file"
    elif b"\x00" in raw:
        at = raw.index(b"\x00")
        return (f"contains NUL bytes at byte {at} (binary junk inside the export); "
                "the line was skipped, re-export the file if it should be there")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            legacy = {"GB18030": "gb18030", "Big5": "cp950"}.get(encoding)
            if legacy is None or _broken_utf8(raw):
                return (f"bytes {raw[exc.start:exc.start + 4].hex(' ')} at byte {exc.start} are not valid UTF-8 "
                        f"(the rest of the file is {encoding.upper()}); re-export the file in one encoding")
            try:
                text = raw.decode(legacy)
            except UnicodeDecodeError as exc2:
                return (f"bytes {raw[exc2.start:exc2.start + 4].hex(' ')} at byte {exc2.start} are not valid {encoding} "
                        f"nor UTF-8 (the rest of the file is {encoding}); re-export the file in one encoding")
    m = _CONTROL_RE.search(text)
    if m:
        return (f"contains the control character U+{ord(m.group()):04X} (binary junk inside the export); "
                "the line was skipped, re-export the file if it should be there")
    return ""
