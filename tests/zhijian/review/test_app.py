"""The reviewer workspace through FastAPI's test client: login, roles, CSRF, throttling, queue, review."""
from __future__ import annotations

from fastapi.testclient import TestClient

from pipeline.corrections import effective_results
from tests.zhijian.review.conftest import PASSWORD, csrf, login


def test_anonymous_requests_see_only_the_login_page(app):
    client = TestClient(app)
    for path in ("/", "/queue", "/conversations/h001", "/nope"):
        r = client.get(path, follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/login"), path
    r = client.post("/conversations/h001/review", data={"criterion": "greeting", "status": "fail"}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login")
    page = client.get("/login")
    assert page.status_code == 200 and 'name="username"' in page.text and 'name="password"' in page.text
    assert client.get("/static/review.js").status_code == 200


def test_login_sets_an_httponly_samesite_session_cookie_and_logout_ends_it(app):
    client = TestClient(app)
    r = login(client, "wang")
    assert (r.status_code, r.headers["location"]) == (303, "/queue")
    cookie = [h for h in r.headers.get_list("set-cookie") if h.startswith("zj_session=")][0].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    queue = client.get("/queue")
    assert queue.status_code == 200 and "h001" in queue.text
    client.post("/logout", data={"csrf_token": csrf(queue.text)})
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_wrong_password_and_disabled_user_are_refused(app, store):
    from zhijian.review.accounts import disable_user

    client = TestClient(app)
    r = login(client, "wang", "wrong password")
    assert r.status_code == 401 and "用户名或密码不正确" in r.text
    assert login(client, "nobody").status_code == 401
    disable_user(store.engine, "wang")
    assert login(client, "wang").status_code == 401


def test_disabling_a_user_ends_their_session(as_user, store):
    from zhijian.review.accounts import disable_user

    client = as_user("wang")
    disable_user(store.engine, "wang")
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_login_is_throttled_after_five_failures_per_username_and_address(app):
    client = TestClient(app)
    for _ in range(5):
        assert login(client, "wang", "wrong password").status_code == 401
    r = login(client, "wang")  # the right password, too late
    assert r.status_code == 429 and "15 分钟" in r.text
    assert login(client, "zhao").status_code == 303  # another user from the same address is not locked


def test_post_without_the_right_csrf_token_is_refused(as_user):
    client = as_user("wang")
    for token in (None, "forged"):
        data = {"criterion": "greeting", "status": "fail"} | ({"csrf_token": token} if token else {})
        r = client.post("/conversations/h001/review", data=data)
        assert r.status_code == 403 and "CSRF" in r.text
    fresh = TestClient(client.app)
    fresh.get("/login")
    r = fresh.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403


def test_an_agent_sees_only_their_own_conversations(as_user):
    client = as_user("li")  # agent A07
    queue = client.get("/queue").text
    assert "h001" in queue and "h002" not in queue
    assert client.get("/conversations/h001").status_code == 200
    assert client.get("/conversations/h002").status_code == 404
    token = csrf(client.get("/conversations/h001").text)
    r = client.post("/conversations/h001/review", data={"csrf_token": token, "criterion": "greeting", "status": "fail"})
    assert r.status_code == 403
    r = client.post("/conversations/h002/review", data={"csrf_token": token, "criterion": "greeting", "status": "fail"})
    assert r.status_code == 404


def _queue_ids(client, **params) -> list[str]:
    import re

    r = client.get("/queue", params=params)
    assert r.status_code == 200, r.text
    return re.findall(r'<tr data-href="/conversations/([^"]+)"', r.text)


def test_queue_lists_flagged_conversations_with_filters_and_counts(as_user):
    client = as_user("wang")
    assert _queue_ids(client) == ["h002", "h001"]  # newest first; h003 is not flagged
    assert _queue_ids(client, sort="time", order="asc") == ["h001", "h002"]
    assert _queue_ids(client, agent="A07") == ["h001"]
    assert _queue_ids(client, **{"from": "2026-10-04"}) == ["h002"]
    assert _queue_ids(client, to="2026-10-03") == ["h001"]
    assert _queue_ids(client, flag="negative_end") == ["h002", "h001"]
    assert _queue_ids(client, flag="sla_breach") == []
    assert _queue_ids(client, min=90) == ["h002", "h001"] and _queue_ids(client, max=90) == []
    assert _queue_ids(client, reviewed="yes") == [] and _queue_ids(client, reviewed="no") == ["h002", "h001"]
    assert "负面结束 <b>2</b>" in client.get("/queue").text


def test_malformed_queue_parameters_get_a_clear_error(as_user):
    client = as_user("wang")
    for params, word in (({"from": "yesterday"}, "from"), ({"min": "lots"}, "min"), ({"sort": "x"}, "sort"),
                         ({"reviewed": "maybe"}, "reviewed"), ({"page": "two"}, "page")):  # fmt: skip
        r = client.get("/queue", params=params)
        assert r.status_code == 400 and word in r.text, params


def test_conversation_view_shows_transcript_evidence_sentiment_flags_and_versions(as_user):
    page = as_user("wang").get("/conversations/h001").text
    assert "怎么还没发货啊，都三天了" in page and "+1 分 00 秒" in page
    assert '<mark class="ev pass" title="主动问候（通过）">您好</mark>，很高兴为您服务' in page
    assert "负面" in page and "negative_end" in page and "客户结束时情绪负面" in page
    assert "fake@1" in page and "fake-sentiment@1" in page


def _review(client, cid="h001", **data):
    token = csrf(client.get(f"/conversations/{cid}").text)
    return client.post(f"/conversations/{cid}/review", data={"csrf_token": token, **data}, follow_redirects=False)


def test_an_override_changes_the_corrected_score_everywhere_and_keeps_the_automatic_one(as_user, store):
    client = as_user("wang")
    r = _review(client, criterion="greeting", status="fail", comment="没有问候")
    assert (r.status_code, r.headers["location"]) == (303, "/conversations/h001#c-greeting")
    (row,) = [x for x in effective_results(store, None, None)[0] if x["conversation_id"] == "h001"]
    assert (row["score"], row["auto_score"], row["reviewers"]) == (50.0, 100.0, ["wang"])
    assert _queue_ids(client, reviewed="yes") == ["h001"]
    assert _queue_ids(client, max=60) == ["h001"]
    page = client.get("/conversations/h001").text
    assert "50.0" in page and "自动评分 100.0" in page and "（自动：通过）" in page


def test_history_is_append_only_with_who_when_from_and_to(as_user, store):
    _review(as_user("wang"), criterion="greeting", status="fail", comment="没有问候")
    _review(as_user("zhao"), criterion="greeting", status="pass", comment="问候了")
    assert [(c["reviewer"], c["status"]) for c in store.list_corrections("h001")] == [("wang", "fail"), ("zhao", "pass")]
    page = as_user("wang").get("/conversations/h001").text
    assert page.index("wang：主动问候\n      通过 → 不通过") < page.index("zhao：主动问候\n      不通过 → 通过")


def test_html_in_comments_is_escaped(as_user):
    client = as_user("wang")
    _review(client, criterion="greeting", status="pass", comment="<script>alert(1)</script>")
    page = client.get("/conversations/h001").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_bad_review_posts_get_clear_errors_and_store_nothing(as_user, store):
    client = as_user("wang")
    cases = [
        ({"criterion": "greeting", "status": "fail", "comment": "长" * 2001}, 413, "过长"),
        ({"criterion": "nope", "status": "fail"}, 400, "未知的评分项"),
        ({"criterion": "greeting", "status": "maybe"}, 400, "结论必须是"),
        ({"status": "fail"}, 400, "未知的评分项"),
    ]
    for data, status, words in cases:
        r = _review(client, **data)
        assert r.status_code == status and words in r.text, data
    assert client.get("/conversations/zzz").status_code == 404
    token = csrf(client.get("/conversations/h001").text)
    assert client.post("/conversations/zzz/review", data={"csrf_token": token, "criterion": "greeting", "status": "fail"}).status_code == 404
    assert store.list_corrections() == []


def test_pages_carry_security_headers_and_local_assets_only(as_user):
    r = as_user("wang").get("/queue")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "http://" not in r.text and "https://" not in r.text
