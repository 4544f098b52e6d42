"""Fuzz over ingest with hostile files: nothing lost, nothing leaked.

Hypothesis builds chat exports the way a careless or hostile user would: JSON Lines, CSV, a JSON
array saved as .jsonl, whole-file UTF-16, gzip, a UTF-8 BOM, lines in GB18030 among UTF-8 lines,
random bytes, NULs and stray quotes between good rows, a quoted field hundreds of lines long,
rows that must be quarantined, and phone / ID / card / e-mail variants in every field. Each
example must keep:

- the counting invariant: read == messages + duplicates + quarantined;
- every good row stored, its text exactly the masked original (no mojibake, nothing shredded);
- no unmasked phone, ID, card number or e-mail anywhere that would be stored: every string
  field of every message, every quarantined row's raw and reason, every note's reason.

The PII check does not trust the mask: it compares digits only (full-width folded, Chinese
numerals read as digits, separators dropped), so a variant the mask missed is caught.
Bounded: max_examples and a deadline keep it to a few seconds (ZHIJIAN_FUZZ_EXAMPLES=2000 for a soak run).
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import tempfile
import unicodedata
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import mask
from pipeline.ingest import read_inputs
from tests.pipeline.ingest._helpers import check_counts

PHONE, ID_NUMBER, CARD, EMAIL = "13812345678", "11010519491231002X", "4111111111111111", "zhang.san@example.com"
_PHONE_VARIANTS = ["13812345678", "138-1234-5678", "138 1234 5678", "+86 13812345678", "１３８１２３４５６７８"]
_ID_VARIANTS = ["11010519491231002X", "11010519491231002x"]
_CARD_VARIANTS = ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111"]
_EMAIL_VARIANTS = ["zhang.san@example.com", "ZHANG.SAN@EXAMPLE.COM"]
# the variants the red team found unmasked
_PHONE_VARIANTS += ["138.1234.5678", "一三八一二三四五六七八", "幺三八幺二三四五六七八", "1 3 8 1 2 3 4 5 6 7 8",
                    "138\u200b1234\u200b5678"]
_ID_VARIANTS += ["110105 19491231 002X"]
PII_VARIANTS = _PHONE_VARIANTS + _ID_VARIANTS + _CARD_VARIANTS + _EMAIL_VARIANTS
_PII_DIGITS = [PHONE, ID_NUMBER[:-1], CARD]

_BASES = ["我的电话是{}请尽快发货", "亲，这边联系方式{}", "质量问题要退款", "收到了谢谢", "地址不对请改一下{}"]
_NUMERALS = str.maketrans("〇零一二三四五六七八九幺", "001234567891")
_SEPARATORS = re.compile(r"[\s\-.\u200b\u200c\u200d\ufeff]")


def _leaks(value: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", value).translate(_NUMERALS)
    digits = re.sub(r"\D", "", _SEPARATORS.sub("", folded))
    found = [d for d in _PII_DIGITS if d in digits]
    if EMAIL in folded.lower():
        found.append(EMAIL)
    return found


_pii = st.sampled_from(PII_VARIANTS)
_maybe_pii = st.one_of(st.just(""), _pii)
_good_row = st.fixed_dictionaries({
    "text": st.tuples(st.sampled_from(_BASES), _maybe_pii).map(lambda t: t[0].format(t[1])),
    "role": st.sampled_from(["customer", "agent"]),
    "shop": st.one_of(st.none(), st.tuples(st.just("旗舰店"), _pii).map("".join)),
    "channel": st.one_of(st.none(), _pii),
    "agent_name": st.one_of(st.none(), st.tuples(st.just("小王"), _pii).map("".join)),
    "customer_id": st.one_of(st.none(), st.just("b001"), _pii),
    "agent_pii": st.booleans(),
    "legacy": st.booleans(),  # this line in GB18030 among UTF-8 lines
})
_junk = st.one_of(
    st.binary(min_size=1, max_size=60).map(lambda b: b.replace(b"\n", b" ").replace(b'"', b" ")),  # random bytes
    st.tuples(st.binary(max_size=10), st.binary(max_size=10)).map(lambda t: t[0] + b"\x00" + t[1]).map(
        lambda b: b.replace(b"\n", b" ").replace(b'"', b" ")),  # a NUL
    st.just('g,2026-10-03 10:00:00,customer,,"a stray quote'.encode()),
    st.tuples(st.sampled_from(["role", "time"]), _pii).map(lambda t: t),  # a row to quarantine, PII inside
)


def _record(k: int, row: dict) -> dict:
    out = {"conversation_id": f"g{k}", "timestamp": f"2026-10-03T10:{k // 60:02d}:{k % 60:02d}+08:00",
           "role": row["role"], "text": row["text"]}
    if row["role"] == "agent":
        out["agent_id"] = PII_VARIANTS[k % len(PII_VARIANTS)] if row["agent_pii"] else f"A{k % 3}"
    for name in ("shop", "channel", "agent_name", "customer_id"):
        if row[name]:
            out[name] = row[name]
    return out


def _bad_record(kind: str, pii: str) -> dict:
    if kind == "role":
        return {"conversation_id": "bad", "timestamp": "2026-10-03T11:00:00+08:00", "role": pii, "text": "在吗"}
    return {"conversation_id": "bad", "role": "customer", "text": f"电话{pii}"}  # no timestamp


_COLUMNS = ["conversation_id", "timestamp", "role", "agent_id", "text", "shop", "channel", "agent_name", "customer_id"]


def _csv_line(record: dict) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([record.get(c, "") for c in _COLUMNS])
    return buf.getvalue()[:-1]


def _build(fmt: str, rows: list[dict], junk: list, long_field: bool, utf16: bool) -> tuple[bytes, dict[str, str]]:
    records = [_record(k, row) for k, row in enumerate(rows)]
    expected = {r["conversation_id"]: r["text"] for r in records}
    if long_field:  # a properly quoted field of hundreds of lines: one record
        text = "\n".join(f"描述第{i}行" for i in range(250))
        records.append({"conversation_id": "long", "timestamp": "2026-10-03T12:00:00+08:00", "role": "customer", "text": text})
        expected["long"] = text
    if fmt == "array":
        return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8"), expected
    lines: list[bytes] = [",".join(_COLUMNS).encode()] if fmt == "csv" else []
    junk_iter = iter(junk)
    legacy = {f"g{k}" for k, row in enumerate(rows) if row["legacy"]}
    for record in records:
        item = next(junk_iter, None)
        if item is not None:
            if isinstance(item, tuple):
                bad = _bad_record(*item)
                lines.append((_csv_line(bad) if fmt == "csv" else json.dumps(bad, ensure_ascii=False)).encode("utf-8"))
            elif not utf16:
                lines.append(item)
        line = _csv_line(record) if fmt == "csv" else json.dumps(record, ensure_ascii=False)
        lines.append(line.encode("gb18030" if record["conversation_id"] in legacy and not utf16 else "utf-8"))
    data = b"\n".join(lines) + b"\n"
    if utf16:
        data = data.decode("utf-8").encode("utf-16-le")
    return data, expected


@settings(max_examples=int(os.environ.get("ZHIJIAN_FUZZ_EXAMPLES", "60")),  # more for a soak run
           deadline=timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow])
@given(fmt=st.sampled_from(["jsonl", "csv", "array"]),
       rows=st.lists(_good_row, min_size=1, max_size=8),
       junk=st.lists(st.one_of(st.none(), _junk), max_size=8),
       long_field=st.booleans(), bom=st.booleans(), gz=st.booleans(), utf16=st.booleans())
def test_hostile_files_lose_no_good_row_and_store_no_personal_data(fmt, rows, junk, long_field, bom, gz, utf16):
    data, expected = _build(fmt, rows, junk, long_field, utf16 and fmt != "array")
    if bom and not utf16:
        data = b"\xef\xbb\xbf" + data
    name = "export" + (".csv" if fmt == "csv" else ".jsonl") + (".gz" if gz else "")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(gzip.compress(data) if gz else data)
        r = read_inputs([path])

    check_counts(r)
    stored = {m.conversation_id: m for m in r.messages}
    for conversation_id, text in expected.items():  # every good row kept, its text intact (masked)
        assert conversation_id in stored, (conversation_id, [q.reason for q in r.quarantined])
        assert stored[conversation_id].text == mask.mask_text(text)

    for m in r.messages:
        for name_, value in vars(m).items():
            if isinstance(value, str) and name_ != "message_key":
                assert not _leaks(value), (name_, value)
    for q in r.quarantined:
        assert not _leaks(q.raw), q.raw
        assert not _leaks(q.reason), q.reason
    for n in r.notes:
        assert not _leaks(n.reason), n.reason
