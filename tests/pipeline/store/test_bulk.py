"""pipeline/store/bulk.py: rows written as tuples are stored exactly as SQLAlchemy's own executemany stores them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from pipeline.store import bulk
from pipeline.store.rows import RESULT_COLUMNS
from pipeline.store.schema import make_engine, metadata, results

SHANGHAI = timezone(timedelta(hours=8))


def _row(cid: str, score: float | None, criteria: dict | None) -> tuple:
    values = {
        "conversation_id": cid, "rubric_version": "default@4", "model_version": "", "run_id": "r1",
        "scored_at": datetime(2026, 10, 3, 14, 2, 11, 123456, tzinfo=timezone.utc), "message_count": 3,
        "agent_id": "a1", "agents": ["a1", "小美"], "started_at": datetime(2026, 10, 3, 22, 0, tzinfo=SHANGHAI),
        "ended_at": None, "score": score, "flagged": score is not None and score < 60, "criteria": criteria,
        "flags": [], "sentiment": None, "csat": None,
    }  # fmt: skip
    return tuple(values[c] for c in RESULT_COLUMNS)


def _raw(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:  # as stored: text of the JSON, timestamps as SQLite keeps them
        return [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM results ORDER BY conversation_id")]


@pytest.fixture
def engines(tmp_path):
    pair = []
    for name in ("bulk", "sqlalchemy"):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        metadata.create_all(engine)
        pair.append(engine)
    yield pair
    for engine in pair:
        engine.dispose()


def test_tuples_are_stored_as_sqlalchemy_stores_dicts_and_a_conflict_updates(engines):
    via_bulk, via_sqlalchemy = engines
    keys = ["conversation_id", "rubric_version", "model_version"]
    update = [c for c in RESULT_COLUMNS if c not in keys]
    first = [_row("c1", 80.0, {"greeting.v1": {"status": "pass", "evidence": [{"text": "您好"}]}}), _row("c2", None, None)]
    again = [_row("c1", 40.5, {"greeting.v1": {"status": "fail", "evidence": []}})]
    for rows in (first, again):
        with via_bulk.begin() as conn:
            bulk.upsert(conn, results, RESULT_COLUMNS, rows, keys, update)
        with via_sqlalchemy.begin() as conn:
            from sqlalchemy.dialects.sqlite import insert

            ins = insert(results)
            conn.execute(ins.on_conflict_do_update(index_elements=keys, set_={c: getattr(ins.excluded, c) for c in update}),
                         [dict(zip(RESULT_COLUMNS, r)) for r in rows])  # fmt: skip
    stored = _raw(via_bulk)
    assert stored == _raw(via_sqlalchemy)
    assert [r[1] for r in stored] == ["c1", "c2"] and "fail" in stored[0][-4]  # c1 replaced, not added
    assert stored[1][-4] == "null"  # None in a JSON column is JSON null, as SQLAlchemy stores it


def test_do_nothing_keeps_the_first_row(engines):
    engine = engines[0]
    keys = ["conversation_id", "rubric_version", "model_version"]
    for score in (80.0, 10.0):
        with engine.begin() as conn:
            bulk.upsert(conn, results, RESULT_COLUMNS, [_row("c1", score, {})], keys, None)
    assert [r[11] for r in _raw(engine)] == [80.0]


def test_select_in_reads_rows_as_sqlalchemy_reads_them(engines, monkeypatch):
    """The SQLite read path (driver text, each column's result processor) gives SQLAlchemy's own rows, in order,
    across the pieces of a long IN list; a Message built from them positionally is the one built by name."""
    from dataclasses import fields

    from pipeline.conversation import Message
    from pipeline.store import rows as store_rows
    from pipeline.store.rows import MESSAGE_FIELDS, MESSAGE_ORDER, messages_from_rows, rows_to_messages
    from pipeline.store.schema import messages

    assert list(MESSAGE_FIELDS) == [f.name for f in fields(Message)][: len(MESSAGE_FIELDS)]
    engine = engines[0]
    stored = [
        {"message_key": f"k{i}", "conversation_id": f"c{i % 3}", "seq": None, "role": "agent" if i % 2 else "customer",
         "timestamp": datetime(2026, 10, 3, 23, 59 - i, 7, 1000 * i, tzinfo=SHANGHAI), "text": f"第{i}条 “引号”",
         "agent_id": "a1" if i % 2 else None, "agent_name": None, "customer_id": "u1", "channel": None, "shop": "店",
         "csat": 5 if i == 4 else None, "source_file": "f.jsonl", "source_line": i, "first_run_id": "r1"}
        for i in range(7)
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(messages.insert(), stored)
    monkeypatch.setattr(store_rows, "CHUNK", 2)
    monkeypatch.setattr(bulk, "chunks", lambda seq: store_rows.chunks(seq, 2))  # three pieces of the id list
    ids = ["c2", "c0", "c1"]
    with engine.connect() as conn:
        fast = bulk.select_in(conn, messages, MESSAGE_FIELDS, "conversation_id", ids, MESSAGE_ORDER)
        wanted = []
        for piece in (["c2", "c0"], ["c1"]):
            stmt = sa.select(*[messages.c[c] for c in MESSAGE_FIELDS]).where(messages.c.conversation_id.in_(piece))
            wanted += [tuple(r) for r in conn.execute(stmt.order_by(*[messages.c[c] for c in MESSAGE_ORDER]))]
    assert [tuple(r) for r in fast] == wanted and len(fast) == 7
    assert fast[0][3].tzinfo is not None  # timestamps come back aware, as SQLAlchemy gives them
    assert messages_from_rows(fast) == list(rows_to_messages(wanted, MESSAGE_FIELDS))


def test_utc_timestamps_are_written_as_sqlalchemy_writes_them(engines):
    """The one-step UTC processor (aware datetimes) gives SQLAlchemy's own text; other values go its way."""
    from pipeline.store.schema import messages

    dialect = engines[0].dialect
    ours = bulk._bind_processor(messages.c.timestamp.type, dialect)
    theirs = messages.c.timestamp.type.dialect_impl(dialect).bind_processor(dialect)
    assert ours is not theirs  # the short way is in use on SQLite
    values = [
        datetime(2026, 10, 3, 23, 59, 7, tzinfo=SHANGHAI),  # no microseconds: still six digits
        datetime(2026, 10, 3, 0, 0, 0, 1, tzinfo=SHANGHAI),  # across midnight into the day before
        datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
        datetime(987, 1, 2, 3, 4, 5, 999999, tzinfo=timezone.utc),  # a year below 1000 keeps four digits
        datetime(2026, 10, 3, 14, 2),  # naive: the shop's time zone, through SQLAlchemy
        "2026-10-03T14:02:00+08:00",
        None,
    ]
    assert [ours(v) for v in values] == [theirs(v) for v in values]
    assert ours(values[0]) == "2026-10-03 15:59:07.000000"
    criteria = results.c.criteria.type  # any other type: SQLAlchemy's own processor
    assert bulk._bind_processor(criteria, dialect)({"a": "您好"}) == criteria.dialect_impl(dialect).bind_processor(dialect)({"a": "您好"})


def test_present_finds_the_stored_keys_across_pieces(engines, monkeypatch):
    from pipeline.store import rows as store_rows
    from pipeline.store.schema import messages

    engine = engines[0]
    stored = [{"message_key": f"k{i}", "conversation_id": "c1", "role": "customer", "text": "在吗",
               "timestamp": datetime(2026, 10, 3, 23, 59, i, tzinfo=SHANGHAI)} for i in range(5)]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(messages.insert(), stored)
    monkeypatch.setattr(bulk, "chunks", lambda seq: store_rows.chunks(seq, 2))
    with engine.connect() as conn:
        assert bulk.present(conn, messages.c.message_key, ["k4", "nope", "k0", "k2", "k9"]) == {"k4", "k0", "k2"}
        assert bulk.present(conn, messages.c.message_key, []) == set()


def test_utc_timestamps_are_read_as_sqlalchemy_reads_them(engines, monkeypatch):
    """The one-step reader gives UTCDateTime's own aware datetime, in the time zone the settings say now."""
    from pipeline.settings import get_settings
    from pipeline.store.schema import messages

    dialect = engines[0].dialect
    theirs = messages.c.timestamp.type.dialect_impl(dialect).result_processor(dialect, None)
    texts = ["2026-10-03 15:59:07.000000", "2026-10-02 16:00:00.000001", "0987-01-02 03:04:05.999999",
             "2026-10-03 15:59:07", None]  # fmt: skip
    for zone in ("Asia/Shanghai", "America/Los_Angeles"):
        monkeypatch.setattr(get_settings(), "timezone", zone)
        ours = bulk._utc_reader(theirs)
        got, wanted = [ours(t) for t in texts], [theirs(t) for t in texts]
        assert got == wanted and [str(getattr(g, "tzinfo", None)) for g in got] == [str(getattr(w, "tzinfo", None)) for w in wanted]
    assert str(got[0].tzinfo) == "America/Los_Angeles"


def test_distinct_map_gives_each_value_its_own_processors_output(engines):
    """A batch's repeated timestamps are processed once each, the column's text as value by value; a column
    holding a fold=1 time (equal to its fold=0 twin in one zone, yet an hour apart in UTC) goes value by value."""
    from zoneinfo import ZoneInfo

    from pipeline.store.schema import messages

    dialect = engines[0].dialect
    ours = bulk._bind_processor(messages.c.timestamp.type, dialect)
    assert getattr(ours, "distinct", False)
    t = datetime(2026, 10, 3, 23, 59, 7, tzinfo=SHANGHAI)
    column = [t, t, t.astimezone(timezone.utc), t, None, None, t.replace(tzinfo=None), t]
    assert bulk._distinct_map(ours, column) == [ours(v) for v in column]
    new_york = ZoneInfo("America/New_York")
    early, late = (datetime(2026, 11, 1, 1, 30, tzinfo=new_york, fold=f) for f in (0, 1))
    assert early == late and ours(early) != ours(late)
    column = [early, early, early, late, late, late]
    assert bulk._distinct_map(ours, column) == [ours(v) for v in column]
