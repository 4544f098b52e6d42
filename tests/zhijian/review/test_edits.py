"""Relabels, flag dismissals and additions, the history panel, and the queue's appealed and SQL filters."""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.corrections import effective_results
from pipeline.store.appeals import file_appeal, list_turn_labels
from tests.zhijian.review.conftest import PASSWORD, csrf
from tests.zhijian.review.test_app import _queue_ids
from zhijian.review import accounts

DEFAULT_RUBRIC = Path(__file__).resolve().parents[3] / "rubrics" / "default.yaml"


def _post(client, path: str, cid: str = "h001", **data):
    token = csrf(client.get(f"/conversations/{cid}").text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def _effective(store, cid="h001") -> dict:
    return next(r for r in effective_results(store, None, None)[0] if r["conversation_id"] == cid)


def test_a_reviewer_relabels_a_customer_turn_and_the_view_shows_both_labels(as_user, store):
    client = as_user("wang")
    r = _post(client, "/conversations/h001/turns/3/label", label="neutral", comment="只是陈述")
    assert (r.status_code, r.headers["location"]) == (303, "/conversations/h001#m-3")
    _post(as_user("zhao"), "/conversations/h001/turns/3/label", label="positive")
    labels = list_turn_labels(store.engine, ["h001"])
    assert [(x["seq"], x["label"], x["reviewer"], x["comment"]) for x in labels] == [
        (3, "neutral", "wang", "只是陈述"), (3, "positive", "zhao", None)]
    page = client.get("/conversations/h001").text
    turn = page[page.index('id="m-3"'):page.index('class="text"', page.index('id="m-3"'))]
    assert "模型 <span class=\"sent negative\">负面</span>" in turn and ">正面</span>" in turn  # machine and newest
    assert "第 3 条客户消息的情感\n      负面 → 中性" in page and "中性 → 正面" in page
    assert _effective(store)["flag_codes"] == ["negative_end"]  # a label is a label: it re-scores nothing


def test_relabel_refuses_agents_agent_turns_unknown_labels_and_unknown_turns(as_user, store):
    li = as_user("li")
    r = _post(li, "/conversations/h001/turns/1/label", label="neutral")
    assert r.status_code == 403
    wang = as_user("wang")
    for seq, label, status, words in (("2", "neutral", 404, "只能标注客户消息"), ("9", "neutral", 404, "第 9 条"),
                                      ("x", "neutral", 404, "客户消息"), ("1", "angry", 400, "情感标签必须是")):  # fmt: skip
        r = _post(wang, f"/conversations/h001/turns/{seq}/label", label=label)
        assert r.status_code == status and words in r.text, (seq, label)
    assert _post(wang, "/conversations/zzz/turns/1/label", label="neutral").status_code == 404
    assert list_turn_labels(store.engine) == []


def test_dismissing_a_flag_is_a_correction_cards_apply_and_history_shows(as_user, store):
    client = as_user("wang")
    page = client.get("/conversations/h001").text
    assert '<form class="dismiss-flag inline" method="post" action="/conversations/h001/flags/dismiss">' in page
    r = _post(client, "/conversations/h001/flags/dismiss", index="0", code="negative_end", comment="客户只是抱怨物流")
    assert (r.status_code, r.headers["location"]) == (303, "/conversations/h001#flags")
    row = _effective(store)
    assert (row["flags"], row["flagged"], row["score"]) == ([], False, 100.0)
    # no flag left: still in the queue, marked as cleared, so the review can be found; out of the to-do list
    assert "h001" in _queue_ids(client) and "标记已经复核撤销" in client.get("/queue").text
    assert "h001" not in _queue_ids(client, reviewed="no")
    page = client.get("/conversations/h001").text
    assert "wang：标记\n      负面结束 → 无，“撤销误报标记 负面结束：客户只是抱怨物流”" in page
    # a stale page (the flag is gone) is refused, not applied to whatever flag is now at that place
    r = _post(client, "/conversations/h001/flags/dismiss", index="0", code="negative_end")
    assert r.status_code == 409 and "刷新页面" in r.text
    assert len(store.list_corrections("h001")) == 1


def test_adding_a_missed_flag_from_the_rubric_puts_the_conversation_in_the_queue(as_user, store):
    client = as_user("wang")
    assert "h003" not in _queue_ids(client)
    page = client.get("/conversations/h003").text
    codes = re.findall(r'<option value="([^"]+)">[^<]*（\1）', page[page.index('class="add-flag"'):])
    assert "forbidden_phrase" in codes and "sla_breach" in codes  # the rubric's own flag codes
    r = _post(client, "/conversations/h003/flags/add", "h003", code="forbidden_phrase", reason="“你自己看”算推诿")
    assert r.status_code == 303
    row = _effective(store, "h003")
    assert row["flag_codes"] == ["forbidden_phrase"] and row["flags"][0]["red_line"] is True
    assert row["flags"][0]["reason"] == "“你自己看”算推诿"
    assert "h003" in _queue_ids(client) and "h003" in _queue_ids(client, flag="forbidden_phrase")
    for data, status, words in (({"code": "made_up", "reason": "x"}, 400, "未知的标记"),
                                ({"code": "sla_breach", "reason": " "}, 400, "原因"),
                                ({"code": "forbidden_phrase", "reason": "又一次"}, 409, "已有标记")):  # fmt: skip
        r = _post(client, "/conversations/h003/flags/add", "h003", **data)
        assert r.status_code == status and words in r.text, data
    assert _post(as_user("li"), "/conversations/h003/flags/add", "h003", code="sla_breach", reason="x").status_code == 403
    assert len(store.list_corrections("h003")) == 1


def test_flag_edits_and_a_corrected_score_do_not_undo_each_other(as_user, store):
    client = as_user("wang")
    store.add_correction("h001", reviewer="wang", score=80.0, comment="整体")
    _post(client, "/conversations/h001/flags/dismiss", index="0", code="negative_end")
    row = _effective(store)
    assert (row["score"], row["flags"]) == (80.0, [])


def test_history_lists_every_kind_of_change_oldest_first(as_user, store):
    wang = as_user("wang")
    _post(wang, "/conversations/h001/review", criterion="greeting", status="fail", comment="没有问候")
    _post(wang, "/conversations/h001/turns/3/label", label="neutral")
    _post(wang, "/conversations/h001/flags/dismiss", index="0", code="negative_end")
    li = as_user("li")
    _post(li, "/conversations/h001/appeals", criterion="greeting", comment="有问候")
    appeal_id = int(re.search(r'id="a-(\d+)"', li.get("/conversations/h001").text).group(1))
    zhao = as_user("zhao")
    zhao.post(f"/appeals/{appeal_id}/decide", data={"csrf_token": csrf(zhao.get("/appeals").text),
                                                   "decision": "upheld", "reason": "听了录音"})  # fmt: skip
    page = li.get("/conversations/h001").text  # the agent sees the history of their own conversation
    panel = page[page.index('id="history"'):]
    items = re.findall(r'<li class="(\w+)">', panel)
    assert items == ["criterion", "label", "flags", "appeal", "criterion", "decision"]
    assert "zhao：主动问候\n      不通过 → 通过，“申诉 #%d 成立：听了录音”" % appeal_id in panel
    assert "zhao：申诉 #%d（主动问候）\n      待处理 → 成立，“听了录音”" % appeal_id in panel


def test_queue_appealed_filter_and_counts(as_user, store):
    accounts.add_user(store.engine, "zhou", "agent", PASSWORD, "A08")
    file_appeal(store.engine, "h001", rubric_version="fake@1", criterion="greeting", agent_id="A07", filed_by="li",
                comment="x")  # fmt: skip
    client = as_user("wang")
    assert _queue_ids(client, appealed="any") == ["h001"] and _queue_ids(client, appealed="open") == ["h001"]
    assert _queue_ids(client, appealed="none") == ["h002"] and _queue_ids(client, appealed="upheld") == []
    assert _queue_ids(client, appealed="all") == ["h002", "h001"]
    page = client.get("/queue").text
    assert re.search(r'href="/queue\?appealed=open">待处理 <b>1</b>', page) and '申诉待处理（1）' in page
    assert client.get("/queue", params={"appealed": "maybe"}).status_code == 400
    assert _queue_ids(as_user("zhou"), appealed="any") == []  # A08 sees only h002, not appealed


def test_queue_agent_filter_is_exact_although_sql_prefilters_by_text(as_user, store):
    """The SQL agent filter matches the agents JSON as text (A0 is inside "A07"); the exact rule decides."""
    client = as_user("wang")
    assert _queue_ids(client, agent="A0") == [] and _queue_ids(client, agent="A08") == ["h002"]
    accounts.add_user(store.engine, "a0", "agent", PASSWORD, "A0")
    assert _queue_ids(as_user("a0")) == []
    assert "A07" in client.get("/queue", params={"agent": "A08"}).text  # the choices are not narrowed by the filter


def test_every_new_form_requires_the_csrf_token(as_user, store):
    file_appeal(store.engine, "h001", rubric_version="fake@1", criterion="greeting", agent_id="A07", filed_by="li",
                comment="x")  # fmt: skip
    posts = [
        ("wang", "/conversations/h001/turns/3/label", {"label": "neutral"}),
        ("wang", "/conversations/h001/flags/dismiss", {"index": "0", "code": "negative_end"}),
        ("wang", "/conversations/h001/flags/add", {"code": "sla_breach", "reason": "x"}),
        ("li", "/conversations/h001/appeals", {"criterion": "greeting", "comment": "x"}),
        ("zhao", "/appeals/1/decide", {"decision": "upheld", "reason": "x"}),
    ]
    for user, path, data in posts:
        client = as_user(user)
        for extra in ({}, {"csrf_token": "forged"}):
            r = client.post(path, data={**data, **extra})
            assert r.status_code == 403 and "CSRF" in r.text, (path, extra)
        r = client.post(path, json={**data, "csrf_token": csrf(client.get("/conversations/h001").text)})
        assert r.status_code == 403, path  # a JSON body is not a form: no token is read from it
    assert store.list_corrections() == [] and list_turn_labels(store.engine) == []


def test_queue_filters_date_agent_and_reviewed_in_sql_before_applying_corrections(as_user, store, monkeypatch):
    from zhijian.review import queries

    seen: list[str] = []
    real = queries.apply_corrections
    monkeypatch.setattr(queries, "apply_corrections", lambda row, fixes, rules=None: seen.append(row["conversation_id"]) or real(row, fixes, rules))
    client = as_user("wang")
    assert _queue_ids(client) == ["h002", "h001"] and sorted(seen) == ["h001", "h002", "h003"]
    for params, expected in (({"agent": "A08"}, ["h002"]), ({"from": "2026-10-04"}, ["h002"]),
                             ({"to": "2026-10-03", "agent": "A07"}, ["h001", "h003"]), ({"reviewed": "yes"}, [])):  # fmt: skip
        seen.clear()
        _queue_ids(client, **params)
        assert sorted(seen) == expected, params
    seen.clear()
    _queue_ids(as_user("li"))  # an agent's own conversations only, already in SQL
    assert sorted(seen) == ["h001", "h003"]


def test_flags_follow_a_criterion_correction_and_an_upheld_appeal(as_user, store):
    """The screenshots: a corrected criterion and score still showed the flags derived from them."""
    store.save_rubric_snapshot("fake@1", DEFAULT_RUBRIC.read_text(encoding="utf-8"))  # the rubric scored with
    wang = as_user("wang")
    _post(wang, "/conversations/h003/review", "h003", criterion="forbidden_phrases", status="fail", comment="推诿")
    row = _effective(store, "h003")
    assert row["score"] == 50.0 and row["flag_codes"] == ["forbidden_phrase", "low_score"]
    assert row["flags"][0]["red_line"] is True and "h003" in _queue_ids(wang)
    page = wang.get("/conversations/h003").text
    assert "复核更正后质检得分 50，低于 60 分" in page
    li = as_user("li")
    _post(li, "/conversations/h003/appeals", "h003", criterion="forbidden_phrases", comment="没有禁用语")
    appeal_id = int(re.search(r'id="a-(\d+)"', li.get("/conversations/h003").text).group(1))
    zhao = as_user("zhao")
    zhao.post(f"/appeals/{appeal_id}/decide", data={"csrf_token": csrf(zhao.get("/appeals").text),
                                                   "decision": "upheld", "reason": "核实无误"})  # fmt: skip
    row = _effective(store, "h003")
    assert (row["score"], row["flags"], row["flagged"]) == (100.0, [], False)
    assert "h003" not in _queue_ids(wang) and "低于 60 分" not in wang.get("/conversations/h003").text
