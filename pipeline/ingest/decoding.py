"""Bytes to lines: gzip, which encoding a text file is in, which lines are text at all, which lines have bad bytes.

`decode_lines` gives one entry per line, None where that line cannot be used as text (bytes not
valid in UTF-8 nor in the file's legacy encoding, a NUL or other control byte, broken UTF-16), so a
reader quarantines that one line (saying why with `bad_bytes_reason`) and keeps the others: a bad
byte costs its line, never the file. Only a file in which no line at all is text raises `FileError`.

Decoding is per line: a line is UTF-8 where it is valid UTF-8, else the file's legacy encoding
(GB18030 or Big5, told apart by charset-normalizer on the lines that are not UTF-8), so a file
that mixes GBK and UTF-8 lines is read right, never stored as mojibake. UTF-16 is found by its
BOM or, without one, by where the NUL bytes fall (every other byte of ASCII text is NUL).
"""
from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib

MAX_GUNZIPPED_BYTES = 2 * 1024 ** 3  # a .gz that inflates past this is refused (a gzip bomb, not an export)
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")  # not \t \n \x0b (Excel cell line break) \x0c \r, not ESC
_LEGACY_NAMES = {"gb18030": "GB18030", "cp950": "Big5"}


class FileError(Exception):
    """The whole file cannot be read; the message says why and what to do."""


def gunzip(data: bytes) -> bytes:
    """The content of a gzip file (FileError when it is damaged or inflates past MAX_GUNZIPPED_BYTES)."""
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            while chunk := f.read(1 << 20):
                out += chunk
                if len(out) > MAX_GUNZIPPED_BYTES:
                    raise FileError(f"the gzip file inflates past {MAX_GUNZIPPED_BYTES >> 30} GiB; "
                                    "split the export into smaller files")
    except (OSError, EOFError, zlib.error) as exc:
        raise FileError(f"the gzip file is damaged ({exc}); compress the export again or send it uncompressed") from None
    return bytes(out)


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


def raw_lines(data: bytes, encoding: str) -> list[bytes]:
    """The bytes of each line `decode_lines` returned, in the same order (for the reasons and raw of bad lines)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16_split(data[2:], "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be")
    if encoding in ("utf-16-le", "utf-16-be"):
        return _utf16_split(data, encoding)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    return data.split(b"\n")


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
    """Lines of a text file (None where a line cannot be used as text) and the encoding's name."""
    if data.startswith(codecs.BOM_UTF16_LE):
        return _utf16_lines(data[2:], "utf-16-le"), "utf-16-le"
    if data.startswith(codecs.BOM_UTF16_BE):
        return _utf16_lines(data[2:], "utf-16-be"), "utf-16-be"
    utf16 = utf16_without_bom(data)
    if utf16:
        return _utf16_lines(data, utf16), utf16
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
        encoding = "utf-8-sig"
    try:  # the common case: all of it UTF-8, decoded at once
        text = data.decode("utf-8")
        lines = text.split("\n")
        if _CONTROL_RE.search(text):
            lines = [None if _CONTROL_RE.search(line) else line for line in lines]
        return lines, encoding  # type: ignore[return-value]
    except UnicodeDecodeError:
        pass
    raw_lines = data.split(b"\n")
    lines = []
    legacy_lines: list[int] = []
    for n, line in enumerate(raw_lines):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            lines.append(None)
            if not _broken_utf8(line):
                legacy_lines.append(n)
            continue
        lines.append(None if _CONTROL_RE.search(text) else text)
    if legacy_lines:
        legacy = _legacy_encoding([raw_lines[n] for n in legacy_lines])
        for n in legacy_lines:
            lines[n] = _strict(raw_lines[n], legacy)
        if len(legacy_lines) * 2 >= sum(1 for line in raw_lines if not line.isascii()):
            encoding = _LEGACY_NAMES[legacy]  # most text lines are in the legacy encoding
    return lines, encoding


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
