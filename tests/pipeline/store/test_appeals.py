"""pipeline/store/appeals.py: appeals, decisions and turn labels are append-only; an appeal is decided once."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from pipeline.corrections import effective_results
from pipeline.store.appeals import (
    add_turn_label, appeal_decisions, appeal_statuses, appeals, current_turn_labels, decide_appeal, file_appeal,
    get_appeal, list_appeals, list_turn_labels, turn_labels, upheld_appeals,
)  # fmt: skip
from tests.pipeline.store.helpers import BACKENDS, open_store, scored


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with open_store(request.param, tmp_path) as s:
        convs = [scored("h001", agent="A07"), scored("h002", agent="A07", start_minutes=40 * 24 * 60)]  # Oct 3, Nov 12
        s.store_messages([m for c in convs for m in c.messages], "r1")
        s.upsert_conversations(convs, "r1")
        s.save_results(convs, "r1")
        yield s


def _file(store, cid="h001", criterion="greeting", comment="我问候了"):
    return file_appeal(store.engine, cid, rubric_version="fake@1", criterion=criterion, agent_id="A07",
                       filed_by="li", comment=comment)  # fmt: skip


def test_upheld_appeal_corrects_the_criterion_through_the_corrections_path(store):
    store.add_correction("h001", reviewer="wang", criterion="greeting", status="fail")
    appeal_id = _file(store)
    decided = decide_appeal(store, appeal_id, decision="upheld", reason="有问候", decided_by="zhao")
    assert (decided["status"], decided["decided_by"], decided["reason"]) == ("upheld", "zhao", "有问候")
    fix = store.list_corrections("h001")[-1]
    assert (fix["id"], fix["reviewer"], fix["status"], fix["comment"]) == (
        decided["correction_id"], "zhao", "pass", f"申诉 #{appeal_id} 成立：有问候")
    (row,) = [r for r in effective_results(store, None, None)[0] if r["conversation_id"] == "h001"]
    assert row["criteria"]["greeting"]["status"] == "pass" and row["score"] == 100.0


def test_rejected_appeal_records_no_correction_and_a_decision_is_final(store):
    appeal_id = _file(store)
    assert decide_appeal(store, appeal_id, decision="rejected", reason="没有", decided_by="zhao")["correction_id"] is None
    assert store.list_corrections("h001") == []
    with pytest.raises(ValueError, match="already decided"):
        decide_appeal(store, appeal_id, decision="upheld", reason="x", decided_by="boss")
    with store.engine.begin() as conn, pytest.raises(sa.exc.IntegrityError):  # the database itself refuses a second
        conn.execute(appeal_decisions.insert().values(appeal_id=appeal_id, decision="upheld", reason="x",
                                                      decided_by="boss", created_at=datetime.now(timezone.utc)))  # fmt: skip
    assert get_appeal(store.engine, appeal_id)["status"] == "rejected"


def test_bad_appeals_and_decisions_say_what_to_do(store):
    with pytest.raises(ValueError, match="comment is empty — say why"):
        _file(store, comment="  ")
    with pytest.raises(ValueError, match="at most 2000"):
        _file(store, comment="长" * 2001)
    appeal_id = _file(store)
    with pytest.raises(ValueError, match=rf"already has an open appeal \(#{appeal_id}\)"):
        _file(store)
    with pytest.raises(ValueError, match="decision must be one of upheld, rejected"):
        decide_appeal(store, appeal_id, decision="maybe", reason="x", decided_by="zhao")
    with pytest.raises(ValueError, match="reason is empty"):
        decide_appeal(store, appeal_id, decision="upheld", reason="", decided_by="zhao")
    with pytest.raises(ValueError, match="no appeal #999"):
        decide_appeal(store, 999, decision="upheld", reason="x", decided_by="zhao")
    assert [a["status"] for a in list_appeals(store.engine)] == ["open"]


@pytest.mark.parametrize("table", ["appeals", "appeal_decisions", "turn_labels"])
def test_the_tables_refuse_update_and_delete(store, table):
    appeal_id = _file(store)
    decide_appeal(store, appeal_id, decision="rejected", reason="x", decided_by="zhao")
    add_turn_label(store.engine, "h001", 1, label="neutral", reviewer="wang")
    t = {"appeals": appeals, "appeal_decisions": appeal_decisions, "turn_labels": turn_labels}[table]
    for statement in (t.update().values(id=t.c.id), t.delete()):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(statement)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() == 1


def test_statuses_lists_and_the_months_upheld_appeals(store):
    first, second = _file(store), _file(store, "h002")
    third = _file(store, "h001", criterion="forbidden_phrases")
    decide_appeal(store, first, decision="upheld", reason="a", decided_by="zhao")
    decide_appeal(store, second, decision="upheld", reason="b", decided_by="zhao")
    decide_appeal(store, third, decision="rejected", reason="c", decided_by="zhao")
    assert appeal_statuses(store.engine, ["h001", "h002", "h003"], "fake@1") == {"h001": {"upheld", "rejected"},
                                                                                  "h002": {"upheld"}}  # fmt: skip
    assert appeal_statuses(store.engine, ["h001"], "other@1") == {}
    assert [a["id"] for a in list_appeals(store.engine, status="upheld")] == [second, first]  # newest first
    assert [a["id"] for a in list_appeals(store.engine, conversation_id="h002")] == [second]
    assert list_appeals(store.engine, agent_id="A08") == []
    october = upheld_appeals(store.engine, datetime(2026, 10, 1, tzinfo=timezone.utc), datetime(2026, 11, 1, tzinfo=timezone.utc))
    assert [(a["id"], a["conversation_id"], a["reason"]) for a in october] == [(first, "h001", "a")]


def test_the_newest_turn_label_counts_and_every_one_is_kept(store):
    add_turn_label(store.engine, "h001", 3, label="neutral", reviewer="wang", comment="平静")
    add_turn_label(store.engine, "h001", 3, label="negative", reviewer="zhao")
    add_turn_label(store.engine, "h002", 1, label="positive", reviewer="wang")
    with pytest.raises(ValueError, match="label must be one of negative, neutral, positive, not 'angry'"):
        add_turn_label(store.engine, "h001", 1, label="angry", reviewer="wang")
    labels = list_turn_labels(store.engine)
    assert [(x["conversation_id"], x["seq"], x["label"]) for x in labels] == [
        ("h001", 3, "neutral"), ("h001", 3, "negative"), ("h002", 1, "positive")]
    current = current_turn_labels(labels)
    assert {k: v["label"] for k, v in current.items()} == {("h001", 3): "negative", ("h002", 1): "positive"}
    assert len(list_turn_labels(store.engine, ["h002"])) == 1
