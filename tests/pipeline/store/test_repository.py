"""The Store repository: idempotent messages, versioned results, quarantine, run log, corrections.

Each test runs on SQLite; with ZHIJIAN_TEST_POSTGRES_URL set (the CI sets it) the same
tests also run against PostgreSQL.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from pipeline.results import conversation_to_result
from pipeline.errors import is_retryable
from pipeline.store import Store, StoreError, StoreUnavailable, result_row_to_contract
from tests.pipeline._scoring_fakes import conversation, msg
from tests.pipeline.store.helpers import BACKENDS, open_store, scored


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with open_store(request.param, tmp_path) as s:
        yield s


def test_sqlite_creates_parent_folder_and_uses_wal(tmp_path):
    path = tmp_path / "a" / "b" / "qa.db"
    s = Store(f"sqlite:///{path}")
    assert path.exists()
    with s.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    s.close()


def test_unreachable_store_says_what_to_check(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as err:
        Store(f"sqlite:///{blocker}/qa.db")
    text = str(err.value)
    assert text.startswith(f"cannot open store sqlite:///{blocker}/qa.db: ")
    assert "check --store or ZHIJIAN_STORE_URL" in text


def test_unreachable_postgres_hides_password():
    with pytest.raises(StoreError) as err:
        Store("postgresql://qa:secret@127.0.0.1:1/qa")
    assert "secret" not in str(err.value)
    assert "check --store or ZHIJIAN_STORE_URL" in str(err.value)


def test_bad_url_is_a_store_error():
    with pytest.raises(StoreError, match="cannot open store nonsense") as err:
        Store("nonsense")
    assert not err.value.retryable


def test_only_a_server_that_did_not_answer_is_retryable(tmp_path):
    """The flow retries by type: a refused connection is worth a retry, a wrong path never is."""
    with pytest.raises(StoreUnavailable) as err:
        Store("postgresql://qa@127.0.0.1:1/qa")
    assert is_retryable(err.value)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as err:
        Store(f"sqlite:///{blocker}/qa.db")
    assert not isinstance(err.value, StoreUnavailable) and not is_retryable(err.value)


def test_store_messages_is_idempotent(store):
    ms = conversation("h001").messages + conversation("h002").messages
    assert store.store_messages(ms, "r1") == (6, 0)
    assert store.store_messages(ms, "r2") == (0, 6)
    # a repeat inside one batch counts as a duplicate too
    extra = msg("h003", 1, "customer", "在吗")
    assert store.store_messages([extra, extra], "r3") == (1, 1)
    assert store.new_message_keys([extra.message_key, "nope"]) == {"nope"}


def test_store_messages_detail_says_which_messages_were_new_in_every_mix(store):
    """SQLite inserts first and looks up only where some were there already (pipeline/store/repository.py,
    _insert_new_messages); every backend answers what a lookup before the insert would: the new ones, in order."""
    old = conversation("h001").messages
    assert store.store_messages_detail(old, "r1") == (3, 0, {"h001"})  # a new night: all new, no lookup
    fresh = conversation("h002").messages + conversation("h003").messages
    mixed = [fresh[0], old[1], fresh[1], fresh[1], old[0], *fresh[2:]]  # new, stored, a repeat inside the batch
    assert store.store_messages_detail(mixed, "r2") == (6, 3, {"h002", "h003"})
    assert store.store_messages_detail(mixed, "r3") == (0, len(mixed), set())  # all there: nothing new
    late = msg("h001", 4, "customer", "还在吗", minutes=5)
    assert store.store_messages_detail([*old, late], "r4") == (1, 3, {"h001"})  # one new among stored ones
    assert store.store_messages_detail([], "r5") == (0, 0, set())
    stored = store.load_conversation_messages(["h001", "h002", "h003"])
    assert sorted(m.message_key for m in stored) == sorted({m.message_key for m in [*old, *fresh, late]})
    with store.engine.connect() as conn:
        first_runs = dict(conn.execute(sa.text("SELECT message_key, first_run_id FROM messages")).all())
    assert first_runs[late.message_key] == "r4" and first_runs[fresh[0].message_key] == "r2"
    assert {first_runs[m.message_key] for m in old} == {"r1"}


def test_message_without_key_is_refused_and_nothing_stored(store):
    ms = conversation("h001").messages
    ms[1].message_key = None  # built by hand, not read through ingest
    ms[1].source_file, ms[1].source_line = "day1.jsonl", 7
    with pytest.raises(StoreError) as err:
        store.store_messages_detail(ms, "r1")
    text = str(err.value)
    # what happened — what to do
    assert "1 message(s) reached the store without a message_key" in text
    assert "seq 2 of conversation 'h001' (day1.jsonl:7)" in text
    assert "nothing was stored" in text and "pipeline.ingest.message_key" in text
    assert store.message_counts(["h001"]) == {}


def test_message_key_is_the_ingest_key(store):
    from pipeline.ingest import message_key

    (m,) = conversation("h001").messages[:1]
    assert m.message_key == message_key(m.conversation_id, m.timestamp, m.role, m.agent_id, m.text)
    store.store_messages([m], "r1")
    (back,) = store.load_conversation_messages(["h001"])
    assert back.message_key == m.message_key


def test_message_heads_leave_the_texts_in_the_store(store):
    ms = conversation("h001").messages
    store.store_messages(ms, "r1")
    heads = store.load_message_heads(["h001"])
    full = store.load_conversation_messages(["h001"])
    assert [h.text for h in heads] == ["", "", ""]
    assert [(h.seq, h.role, h.timestamp, h.agent_id, h.message_key) for h in heads] == [
        (m.seq, m.role, m.timestamp, m.agent_id, m.message_key) for m in full
    ]


def test_load_conversation_messages_across_files(store):
    first = conversation("h001").messages[:2]
    for m in first:
        m.source_file = "day1.jsonl"
    later = msg("h001", 1, "customer", "明天继续", minutes=60 * 20, source_file="day2.jsonl", source_line=1)
    store.store_messages(first, "r1")
    store.store_messages([later], "r2")
    loaded = store.load_conversation_messages(["h001", "unknown"])
    assert [m.text for m in loaded] == [first[0].text, first[1].text, "明天继续"]
    assert loaded[0].timestamp == first[0].timestamp and loaded[0].timestamp.utcoffset().total_seconds() == 8 * 3600
    assert loaded[1].agent_id == "A07"
    assert store.message_counts(["h001"]) == {"h001": 3}


def test_save_results_replaces_same_versions_and_keeps_others(store):
    c = scored("h001")
    store.upsert_conversations([c], "r1")
    store.save_results([c], "r1")
    c.score = 50.0
    store.save_results([c], "r2")
    c2 = scored("h001")
    c2.model_version = "other-model@2"
    store.save_results([c2], "r3")
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT model_version, score, run_id FROM results ORDER BY id")).all()
    assert sorted((r[0], r[1], r[2]) for r in rows) == [("fake-sentiment@1", 50.0, "r2"), ("other-model@2", 100.0, "r3")]
    back = store.load_results(["h001"], "fake@1", "fake-sentiment@1")["h001"]
    contract = result_row_to_contract(back)
    assert contract["score"] == 50.0 and contract["rubric"] == "fake@1"
    assert contract["started_at"] == "2026-10-03T14:02:11+08:00"
    assert contract["sentiment"]["customer_start"] == "negative"


def test_contract_from_stored_row_equals_contract_of_conversation(store):
    """One builder: a result reused from the store is the object the scoring run wrote."""
    from tests.pipeline._scoring_fakes import FakeModel, FakeRubric

    conv = conversation("h001", negative_end=True)
    conv.messages.append(msg("h001", 4, "agent", "我是B", minutes=5, agent="B02"))
    conv.messages.append(msg("h001", 5, "agent", "好的", minutes=6, agent="B02"))
    from pipeline.sentiment import annotate_sentiment

    annotate_sentiment([conv], FakeModel())
    FakeRubric().score(conv)
    store.save_results([conv], "r1")
    row = store.load_results(["h001"], conv.rubric_version, conv.model_version)["h001"]
    assert result_row_to_contract(row) == conversation_to_result(conv)
    # and without a model version (stored as "", read back as None)
    conv.model_version = None
    store.save_results([conv], "r2")
    row = store.load_results(["h001"], conv.rubric_version, None)["h001"]
    assert result_row_to_contract(row) == conversation_to_result(conv)


def test_latest_results_and_corrections_rows(store):
    a, b = scored("h001"), scored("h002", start_minutes=60 * 24 * 40)  # b starts in November
    store.upsert_conversations([a, b], "r1")
    store.save_results([a, b], "r1")
    a.score = 50.0
    store.save_results([a], "r2")  # same versions: replaces
    (row,) = store.latest_results("2026-10-01", "2026-11-01", "fake@1")
    assert row["conversation_id"] == "h001" and row["score"] == 50.0 and row["shop"] == "s1"
    assert row["model_version"] == "fake-sentiment@1"
    assert [r["conversation_id"] for r in store.latest_results(None, None, "fake@1")] == ["h001", "h002"]
    assert store.latest_results(None, None, "v@9") == []
    store.add_correction("h001", score=80, reviewer="李雷")
    store.add_correction("h001", criterion="greeting", status="fail", reviewer="王芳")
    got = store.corrections_for(["h001", "h002"], "fake@1")
    assert list(got) == ["h001"] and [c["reviewer"] for c in got["h001"]] == ["李雷", "王芳"]
    assert store.corrections_for(["h001"], "v@9") == {}


def test_quarantine_not_duplicated_on_rerun(store):
    @dataclass
    class Row:
        source_file: str
        line: int
        field: str
        reason: str
        raw: str

    rows = [Row("a.jsonl", 3, "timestamp", "missing timestamp", '{"x":1}'), Row("a.jsonl", 9, "role", "unknown role 客服?", "{}")]
    assert store.store_quarantine(rows, "r1") == 2
    assert store.store_quarantine(rows, "r2") == 0
    listed = store.list_quarantine()
    assert [(q.source_file, q.line, q.field) for q in listed] == [("a.jsonl", 3, "timestamp"), ("a.jsonl", 9, "role")]
    assert len(store.list_quarantine(run_id="r2")) == 2  # met again by r2
    assert store.list_quarantine(run_id="nope") == []


def test_run_log(store):
    rid = store.start_run(["a.jsonl"], command="zhijian score a.jsonl", rubric_version="fake@1")
    run = store.get_run(rid)
    assert run["status"] == "running" and run["input_files"] == ["a.jsonl"] and run["user"] and run["host"]
    store.finish_run(rid, status="ok", read=3, stored=3, duplicates=0, quarantined=0, conversations=1, flagged=0)
    run = store.list_runs()[0]
    assert run["status"] == "ok" and run["read"] == 3 and run["finished_at"] >= run["started_at"]
    with pytest.raises(ValueError, match="unknown run fields"):
        store.finish_run(rid, bogus=1)


def test_scoring_errors_recorded(store):
    store.record_scoring_errors([("boom1", "rubric", "RuntimeError: x")], "r1")
    assert [e["conversation_id"] for e in store.list_scoring_errors("r1")] == ["boom1"]


def test_correction_errors_say_what_to_fix(store):
    a = scored("h001")
    store.save_results([a], "r1")
    with pytest.raises(ValueError, match="no result for conversation 'zzz'"):
        store.add_correction("zzz", score=50, reviewer="x")
    with pytest.raises(ValueError, match="unknown criterion 'nope'.*known: empathy, forbidden_phrases, greeting"):
        store.add_correction("h001", criterion="nope", status="fail", reviewer="x")
    with pytest.raises(ValueError, match="status must be one of pass, fail, na"):
        store.add_correction("h001", criterion="greeting", status="bad", reviewer="x")
    with pytest.raises(ValueError, match="reviewer"):
        store.add_correction("h001", score=50, reviewer=" ")
    with pytest.raises(ValueError, match="nothing to correct"):
        store.add_correction("h001", reviewer="x")


def test_older_store_schema_is_reported(tmp_path):
    path = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE runs (run_id VARCHAR(36) PRIMARY KEY, started_at DATETIME)"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"created by an older zhijian and lacks runs\.finished_at.*new store"):
        Store(f"sqlite:///{path}")


def test_long_names_and_nul_characters_are_stored(store):
    m = msg("h" * 300, 1, "customer", "图片\x00坏了", agent_name="名" * 300, shop="店" * 300)
    assert store.store_messages([m], "r1") == (1, 0)
    (back,) = store.load_conversation_messages(["h" * 300])
    assert back.shop == "店" * 300 and back.text == "图片\ufffd坏了"


def test_results_json_columns_keep_the_encoded_text(store):
    """A result's criteria, sentiment and flags are stored as the text the run encoded once for the store and
    the results file (compact UTF-8); rows written before that (ASCII-escaped, json.dumps) read back alike."""
    from pipeline.results import json_columns, result_fields, result_json

    c = scored("h001", negative_end=True)
    fields = result_fields(c)
    columns, _ = result_json(fields)
    store.save_scored([c], "r1", {"h001": fields}, {"h001": columns})
    read = "SELECT CAST(criteria AS TEXT), CAST(sentiment AS TEXT), CAST(flags AS TEXT), CAST(agents AS TEXT) FROM results"
    with store.engine.connect() as conn:
        criteria, sentiment, flags, agents = conn.execute(sa.text(read)).one()
    assert (criteria, sentiment, flags) == (columns["criteria"].text, columns["sentiment"].text, columns["flags"].text)
    assert "客户结束时情绪负面" in flags and '","' in criteria  # UTF-8, no spaces: the results file's JSON
    assert agents == '["A07"]'  # other JSON values as before (json.dumps)
    expected = result_row_to_contract(fields)
    assert result_row_to_contract(store.load_results(["h001"], "fake@1", c.model_version)["h001"]) == expected

    store.save_results([c], "r2")  # without the run's encoded text: encoded the same way
    with store.engine.connect() as conn:
        assert tuple(conn.execute(sa.text(read)).one())[:3] == tuple(json_columns(fields)[k].text for k in ("criteria", "sentiment", "flags"))

    old = {k: json.dumps(fields[k]) for k in ("criteria", "sentiment", "flags")}  # as earlier versions wrote them
    assert "\\u5ba2" in old["flags"]
    cast = "CAST(:{} AS JSON)" if store.dialect == "postgresql" else ":{}"
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE results SET " + ", ".join(f"{k} = {cast.format(k)}" for k in old)), old)
        assert conn.execute(sa.text("SELECT CAST(flags AS TEXT) FROM results")).scalar() == old["flags"]
    assert result_row_to_contract(store.load_results(["h001"], "fake@1", c.model_version)["h001"]) == expected
