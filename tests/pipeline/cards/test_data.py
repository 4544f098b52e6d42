"""The cards read a month as it was scored: first-response figures by the criterion's own rule."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pipeline.cards.aggregate import figures_for
from pipeline.cards.data import first_response, load_records
from pipeline.ingest import assemble, message_key
from pipeline.rubric import CRITERIA
from pipeline.rubric.criteria.timing import measure_first_response
from pipeline.rubric.testing import make_conversation, prepare
from pipeline.store import Store

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 10, 3, 14, 0, 0, tzinfo=TZ)

# Conversations where the cards' old rule (first agent message by timestamp, no acknowledgement
# handling) and the criterion's rule (next agent message by seq, acknowledgements) disagree.
CONVERSATIONS = {
    # the agent's clock runs behind: its reply (seq 2) is stamped before the question; the next agent
    # message comes 400 s later. Criterion: answered at once (0 s); old card rule: 400 s.
    "out_of_order": [("customer", "在吗", 0), ("agent", "您好，在的", -10), ("agent", "还有别的问题吗", 400)],
    # the agent opened the chat, the customer only acknowledged: nobody waited.
    # Criterion: pass (agent-initiated); old card rule: unanswered.
    "ack_first": [("agent", "您好，您咨询的商品到货了", 0), ("customer", "好的谢谢", 40)],
    # both rules agree on these
    "plain": [("customer", "请问什么时候发货", 0), ("agent", "您好，今天发货", 120)],
    "no_reply": [("customer", "在吗", 0), ("bot", "您好，智能助手为您服务", 5)],
    "late": [("customer", "在吗", 0), ("agent", "您好", 400)],
}


def _score_through_the_store(store: Store) -> dict[str, dict]:
    """Store the messages, then score as the nightly run does: read back, assemble, stages, criterion."""
    for cid, turns in CONVERSATIONS.items():
        conv = make_conversation(turns, cid, start=START, run_stages=False)
        for m in conv.messages:
            m.agent_name = "小王" if m.role == "agent" else None
            m.message_key = message_key(cid, m.timestamp, m.role, m.agent_id, m.text)
        store.store_messages(conv.messages, "r1")
    criterion = CRITERIA["first_response_sla.v1"]()
    results = {}
    convs = assemble(store.load_conversation_messages(list(CONVERSATIONS)))
    for conv in convs:
        prepare(conv)
        result = criterion.score(conv)
        conv.criteria = {"first_response_sla": result}
        conv.rubric_version = "timing@1"
        results[conv.conversation_id] = result.to_dict()
    store.upsert_conversations(convs, "r1")
    store.save_results(convs, "r1")
    return results


@pytest.fixture
def scored(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'qa.db'}") as store:
        results = _score_through_the_store(store)
        records, version = load_records(store, START.replace(day=1), START.replace(month=11, day=1))
    assert version == "timing@1"
    return results, {r.conversation_id: r for r in records}


def test_card_first_response_equals_the_criterion(scored):
    results, records = scored
    threshold = 300
    for cid, result in results.items():
        r = records[cid]
        (evidence,) = result["evidence"]
        if evidence["rule"].endswith(".timing"):  # the criterion measured a wait: the card shows that wait
            assert r.first_response_s is not None and not r.unanswered
            assert f"首次响应 {r.first_response_s:.0f} 秒" in evidence["note"], cid
            assert (result["status"] == "pass") == (r.first_response_s <= threshold), cid
        elif evidence["rule"].endswith(".no_reply"):  # nobody answered: unanswered on the card
            assert r.first_response_s is None and r.unanswered and result["status"] == "fail", cid
        else:  # agent-initiated: nobody waited, nobody is unanswered
            assert evidence["rule"].endswith(".agent_initiated") and result["status"] == "pass", cid
            assert r.first_response_s is None and not r.unanswered, cid
    # the disagreements the old card rule had, pinned
    assert records["out_of_order"].first_response_s == 0.0 and results["out_of_order"]["status"] == "pass"
    assert records["ack_first"].unanswered is False and records["ack_first"].first_response_s is None
    assert records["plain"].first_response_s == 120.0 and records["late"].first_response_s == 400.0
    fig, _ = figures_for(list(records.values()), ["first_response_sla"], [])
    assert fig["first_response_unanswered"] == 1 and fig["first_response_n"] == 3
    assert fig["first_response_median_s"] == 120.0


def test_card_roles_follow_the_scored_numbering(scored):
    _, records = scored
    assert records["out_of_order"].roles == {1: "customer", 2: "agent", 3: "agent"}
    assert records["no_reply"].roles == {1: "customer"}  # bots are not quoted as agents
    assert records["plain"].agent_name == "小王"


def test_first_response_without_a_stored_criterion_result():
    conv = make_conversation(CONVERSATIONS["ack_first"], "x", run_stages=False)
    # without the stored result nothing says the chat was agent-initiated: counted unanswered
    assert first_response(conv, None) == (None, True)
    assert measure_first_response(conv.messages).first_customer.seq == 2
    assert first_response(make_conversation([("agent", "您好", 0)], run_stages=False), None) == (None, False)
