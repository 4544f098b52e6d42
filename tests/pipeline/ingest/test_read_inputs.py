"""read_inputs as a whole: every row accounted for, unreadable files quarantined, never a crash; the public names."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest import assemble, read_inputs
from tests.pipeline.ingest._helpers import MESSY, SAMPLE, check_counts


def test_public_names_other_modules_rely_on():
    import pipeline.assemble
    from pipeline.ingest import IngestResult, QuarantinedRow, message_key, parse_timestamp  # noqa: F401

    assert assemble is pipeline.assemble.assemble  # re-exported until every caller imports pipeline.assemble


def test_unreadable_files_are_one_quarantine_row_each(tmp_path):
    empty_dir_file = tmp_path / "binary.csv"
    empty_dir_file.write_bytes(bytes(range(1, 32)) * 300)
    r = read_inputs([MESSY / "garbage.bin", tmp_path / "missing.jsonl", empty_dir_file, MESSY / "role_strings.jsonl"])
    check_counts(r)
    file_rows = [q for q in r.quarantined if q.line is None]
    assert len(file_rows) == 3
    assert any("file not found" in q.reason for q in file_rows)
    assert any("binary" in q.reason or "not text" in q.reason for q in file_rows)
    assert len(r.messages) == 6  # the good file is still read


def test_directory_is_expanded():
    r = read_inputs([MESSY])
    check_counts(r)
    assert r.read > 50


def test_unexpanded_glob_patterns():
    r = read_inputs([str(MESSY / "night_*.jsonl"), str(MESSY / "nothing_*.jsonl")])
    check_counts(r)
    assert len(r.messages) == 4
    assert len(r.quarantined) == 1 and "file not found" in r.quarantined[0].reason


@pytest.mark.parametrize("paths", [sorted(SAMPLE.glob("chats-*.jsonl")), [MESSY]], ids=["sample", "messy"])
def test_every_message_carries_its_key(paths):
    r = read_inputs(paths)
    check_counts(r)
    assert r.messages
    assert all(re.fullmatch(r"[0-9a-f]{64}", m.message_key or "") for m in r.messages)
    assert len({m.message_key for m in r.messages}) == len(r.messages)  # duplicates were counted, not returned


# ------------------------------------------------------------------ fuzz: never crash, counts add up


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".jsonl", ".csv", ".json", ".parquet", ".tsv", ".txt"]))
def test_fuzz_arbitrary_bytes(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    r = read_inputs([path])
    check_counts(r)


_values = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15), st.floats(allow_nan=True),
                    st.text(max_size=40), st.sampled_from(["customer", "客服", "买家", "机器人", "agent", "bot", "系统",
                                                           "2026-10-03T14:02:11+08:00", "2026-10-03 14:02:11", "1791000131"]))
_rows = st.lists(st.dictionaries(st.sampled_from(["conversation_id", "timestamp", "role", "agent_id", "text", "csat",
                                                   "seq", "customer_id", "shop", "会话ID", "内容", "junk"]),
                                 _values, max_size=9), max_size=12)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows, cut=st.integers(0, 40))
def test_fuzz_jsonl_rows(tmp_path, rows, cut):
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    body = body[: len(body) - cut] if cut < len(body) else body
    path = tmp_path / "rows.jsonl"
    path.write_text(body, encoding="utf-8")
    r = read_inputs([path])
    check_counts(r)
    for conv in assemble(r.messages):
        assert [m.seq for m in conv.messages] == list(range(1, len(conv.messages) + 1))


_cells = st.one_of(st.text(max_size=30), st.sampled_from(["customer", "客服", "买家", "2026-10-03 14:02:11", '"', '""', "a,b", "\n"]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_cells, min_size=0, max_size=7), max_size=12), quote=st.booleans(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_fuzz_csv_rows(tmp_path, rows, quote, encoding):
    buf = io.StringIO()
    buf.write("conversation_id,timestamp,role,agent_id,text\n")
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE, escapechar="\\")
    for row in rows:
        try:
            writer.writerow(row)
        except csv.Error:
            buf.write(",".join(row) + "\n")
    path = tmp_path / "rows.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    r = read_inputs([path])
    check_counts(r)


@pytest.mark.slow
def test_front_throughput(tmp_path):
    """20k messages through ingest+mask+assemble+normalise+segment well inside a CI budget."""
    import time

    from pipeline.normalise import normalise_conversation
    from pipeline.segment import segment_conversation, tokenize

    tokenize("预热")  # jieba load is a one-off per process, not per message
    lines = []
    samples = ["在吗", "亲，您好，很高兴为您服务", "我的手机是13812345678，收货地址：浙江省杭州市西湖区文三路100号",
               "<p>亲&nbsp;在的</p>[微笑]", "這個產品質量問題，請幫我退貨", "订单号：123456789012345678 麻烦查一下"]
    for i in range(20_000):
        row = {"conversation_id": f"c{i // 10}", "timestamp": 1791000000 + i, "role": "agent" if i % 2 else "customer",
               "agent_id": "A1", "text": f"{samples[i % len(samples)]} 第{i}条"}
        lines.append(json.dumps(row, ensure_ascii=False))
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    start = time.perf_counter()
    convs = assemble(read_inputs([path]).messages)
    for c in convs:
        normalise_conversation(c)
        segment_conversation(c)
    elapsed = time.perf_counter() - start
    assert sum(len(c.messages) for c in convs) == 20_000
    assert elapsed < 30, f"{elapsed:.1f}s for 20k messages"
