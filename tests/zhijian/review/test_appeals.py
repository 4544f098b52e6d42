"""Appeals (申诉) through the app: an agent files, a lead decides, both see the outcome; who may do what."""
from __future__ import annotations

import re

import pytest

from pipeline.corrections import effective_results
from pipeline.store.appeals import list_appeals
from tests.zhijian.review.conftest import PASSWORD, csrf
from zhijian.review import accounts


@pytest.fixture
def failed_greeting(as_user):
    """h001's greeting overridden to fail by reviewer wang: something for agent li (A07) to appeal."""
    client = as_user("wang")
    token = csrf(client.get("/conversations/h001").text)
    r = client.post("/conversations/h001/review", data={"csrf_token": token, "criterion": "greeting", "status": "fail"})
    assert r.status_code == 200


def _post(client, path: str, page: str, **data):
    token = csrf(client.get(page).text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def _appeal(client, cid="h001", **data):
    return _post(client, f"/conversations/{cid}/appeals", f"/conversations/{cid}", **data)


def _decide(client, appeal_id: int, **data):
    return _post(client, f"/appeals/{appeal_id}/decide", "/appeals", **data)


def _score(store, cid="h001") -> float:
    return next(r["score"] for r in effective_results(store, None, None)[0] if r["conversation_id"] == cid)


def test_the_agent_sees_an_appeal_form_for_failed_criteria_only(as_user, failed_greeting):
    page = as_user("li").get("/conversations/h001").text
    form = re.search(r'<form class="appeal" method="post" action="/conversations/h001/appeals">(.*?)</form>', page, re.S)
    assert form, "no appeal form"
    assert 'name="csrf_token"' in form.group(1) and '<textarea name="comment"' in form.group(1)
    assert re.findall(r'<option value="([^"]+)"', form.group(1)) == ["greeting"]  # pass and na are not contested
    assert 'class="appeal"' not in as_user("wang").get("/conversations/h001").text  # reviewers do not appeal


def test_agent_files_lead_upholds_and_the_criterion_is_corrected_in_the_agents_favour(as_user, store, failed_greeting):
    assert _score(store) == 50.0
    li = as_user("li")
    r = _appeal(li, criterion="greeting", comment="我说了您好")
    (appeal,) = list_appeals(store.engine)
    assert (r.status_code, r.headers["location"]) == (303, f"/conversations/h001#a-{appeal['id']}")
    assert (appeal["status"], appeal["agent_id"], appeal["filed_by"], appeal["comment"]) == ("open", "A07", "li", "我说了您好")
    assert "待处理" in li.get("/appeals").text and "我说了您好" in li.get("/conversations/h001").text

    zhao = as_user("zhao")
    listing = zhao.get("/appeals", params={"status": "open"}).text
    assert f'<form class="decide" method="post" action="/appeals/{appeal["id"]}/decide">' in listing
    assert '<select name="decision"><option value="upheld">' in listing and '<textarea name="reason"' in listing
    r = _decide(zhao, appeal["id"], decision="upheld", reason="录音里有问候")
    assert (r.status_code, r.headers["location"]) == (303, f"/appeals#a-{appeal['id']}")

    assert _score(store) == 100.0  # cards, XLSX and reports read effective_results
    last = store.list_corrections("h001")[-1]
    assert (last["reviewer"], last["criterion"], last["status"]) == ("zhao", "greeting", "pass")
    assert f"申诉 #{appeal['id']} 成立" in last["comment"]
    (decided,) = list_appeals(store.engine)
    assert (decided["status"], decided["decided_by"], decided["correction_id"]) == ("upheld", "zhao", last["id"])
    for client in (li, zhao):  # both see the outcome, on the conversation and on /appeals
        assert "录音里有问候" in client.get("/conversations/h001").text
        assert "成立" in client.get("/appeals").text
    assert zhao.get("/appeals", params={"status": "open"}).text.count('class="decide"') == 0
    assert "录音里有问候" in zhao.get("/appeals", params={"status": "upheld"}).text
    assert "录音里有问候" not in zhao.get("/appeals", params={"status": "rejected"}).text


def test_a_rejected_appeal_changes_no_score_and_cannot_be_decided_twice(as_user, store, failed_greeting):
    _appeal(as_user("li"), criterion="greeting", comment="不服")
    (appeal,) = list_appeals(store.engine)
    zhao = as_user("zhao")
    assert _decide(zhao, appeal["id"], decision="rejected", reason="确实没有问候").status_code == 303
    assert _score(store) == 50.0 and len(store.list_corrections("h001")) == 1
    r = _decide(zhao, appeal["id"], decision="upheld", reason="改主意了")
    assert r.status_code == 409 and "已由 zhao 处理" in r.text
    assert list_appeals(store.engine)[0]["status"] == "rejected" and _score(store) == 50.0
    # decided, the criterion may be appealed again; while open, not twice
    li = as_user("li")
    assert _appeal(li, criterion="greeting", comment="补充证据").status_code == 303
    r = _appeal(li, criterion="greeting", comment="再来一次")
    assert r.status_code == 409 and "待处理的申诉" in r.text
    assert len(list_appeals(store.engine)) == 2


def test_only_agents_file_and_only_leads_and_admins_decide(as_user, store, failed_greeting):
    accounts.add_user(store.engine, "boss", "admin", PASSWORD)
    for name in ("wang", "zhao", "boss"):
        r = _appeal(as_user(name), criterion="greeting", comment="x")
        assert r.status_code == 403 and "只有客服本人" in r.text, name
    _appeal(as_user("li"), criterion="greeting", comment="不服")
    (appeal,) = list_appeals(store.engine)
    for name in ("li", "wang"):
        r = _decide(as_user(name), appeal["id"], decision="upheld", reason="x")
        assert r.status_code == 403 and "组长和管理员" in r.text, name
        assert 'class="decide"' not in as_user(name).get("/appeals").text
    assert _decide(as_user("boss"), appeal["id"], decision="upheld", reason="管理员认可").status_code == 303


def test_an_agent_never_sees_or_touches_another_agents_conversation_or_appeal(as_user, store, failed_greeting):
    accounts.add_user(store.engine, "zhou", "agent", PASSWORD, "A08")
    _appeal(as_user("li"), criterion="greeting", comment="李的申诉")
    (appeal,) = list_appeals(store.engine)
    zhou = as_user("zhou")
    assert "李的申诉" not in zhou.get("/appeals").text
    assert zhou.get(f"/appeals/{appeal['id']}", follow_redirects=False).status_code == 404
    r = _post(zhou, "/conversations/h001/appeals", "/conversations/h002", criterion="greeting", comment="x")
    assert r.status_code == 404
    r = _post(zhou, f"/appeals/{appeal['id']}/decide", "/appeals", decision="upheld", reason="x")
    assert r.status_code == 404
    li = as_user("li")
    r = li.get(f"/appeals/{appeal['id']}", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/conversations/h001#a-{appeal['id']}")
    assert len(list_appeals(store.engine)) == 1 and list_appeals(store.engine)[0]["status"] == "open"


def test_bad_appeal_posts_get_clear_errors_and_store_nothing(as_user, store, failed_greeting):
    li = as_user("li")
    cases = [
        ({"criterion": "greeting", "comment": "长" * 2001}, 413, "过长"),
        ({"criterion": "nope", "comment": "x"}, 400, "未知的评分项"),
        ({"criterion": "forbidden_phrases", "comment": "x"}, 400, "只能对不通过的评分项申诉"),
        ({"criterion": "greeting", "comment": "   "}, 400, "请填写申诉理由"),
        ({"comment": "x"}, 400, "未知的评分项"),
        ({"criterion": ["greeting", "empathy"], "comment": "x"}, 400, "criterion"),
    ]
    for data, status, words in cases:
        r = _appeal(li, **data)
        assert r.status_code == status and words in r.text, data
    r = li.post("/conversations/h001/appeals", data={"criterion": "greeting", "comment": "x"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = li.post("/conversations/h001/appeals", content=b"\xff\xfe not a form", headers={"content-type": "multipart/form-data; boundary=x"})
    assert r.status_code in (400, 403)
    assert _appeal(li, "zzz", criterion="greeting", comment="x").status_code == 404
    assert list_appeals(store.engine) == []


def test_bad_decisions_get_clear_errors_and_change_nothing(as_user, store, failed_greeting):
    _appeal(as_user("li"), criterion="greeting", comment="不服")
    (appeal,) = list_appeals(store.engine)
    zhao = as_user("zhao")
    cases = [
        (appeal["id"], {"decision": "maybe", "reason": "x"}, 400, "成立"),
        (appeal["id"], {"decision": "upheld", "reason": " "}, 400, "请填写处理理由"),
        (appeal["id"], {"decision": "upheld", "reason": "长" * 2001}, 413, "过长"),
        (999, {"decision": "upheld", "reason": "x"}, 404, "没有找到申诉"),
        ("abc", {"decision": "upheld", "reason": "x"}, 404, "没有找到申诉"),
    ]
    for appeal_id, data, status, words in cases:
        r = _decide(zhao, appeal_id, **data)
        assert r.status_code == status and words in r.text, data
    r = zhao.post(f"/appeals/{appeal['id']}/decide", data={"decision": "upheld", "reason": "x", "csrf_token": "forged"})
    assert r.status_code == 403 and "CSRF" in r.text
    assert list_appeals(store.engine)[0]["status"] == "open" and _score(store) == 50.0
    assert zhao.get("/appeals", params={"status": "pending"}).status_code == 400


def test_html_in_appeal_comments_and_reasons_is_escaped(as_user, store, failed_greeting):
    _appeal(as_user("li"), criterion="greeting", comment="<script>alert(1)</script>")
    (appeal,) = list_appeals(store.engine)
    _decide(as_user("zhao"), appeal["id"], decision="rejected", reason="<img src=x onerror=alert(2)>")
    for page in (as_user("li").get("/appeals").text, as_user("zhao").get("/conversations/h001").text):
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
