"""Bytes to lines: which encoding a text file is in, whether it is text at all, which lines have bad bytes.

`decode_lines` gives one entry per line, None where that line's bytes are not valid in the encoding
of the rest of the file, so a reader quarantines that one line (saying why with `bad_bytes_reason`)
and keeps the others. A file that is not text at all raises `FileError`.
"""
from __future__ import annotations

import codecs


class FileError(Exception):
    """The whole file cannot be read; the message says why and what to do."""


def looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if ch < "\x20" and ch not in "\t\r\n\x0c" or "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd")
    return bad / len(sample) > 0.05


def decode_lines(data: bytes) -> tuple[list[str | None], str]:
    """Lines of a text file (None where a line is not valid in the file's encoding) and the encoding."""
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileError("the file contains NUL bytes: it is binary, not a text chat export; "
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


def bad_bytes_reason(raw: bytes, encoding: str) -> str:
    codec = "utf-8" if encoding.startswith("utf-8") else encoding
    try:
        raw.decode(codec)
        return ""
    except UnicodeDecodeError as exc:
        return (f"bytes {raw[exc.start:exc.start + 4].hex(' ')} at byte {exc.start} are not valid {encoding.upper()} "
                f"(the rest of the file is {encoding.upper()}); re-export the file in one encoding")
