"""Bad input on every route: malformed posts, unknown ids, oversized values, HTML in every text field,
weird query parameters. Each gets a clear 4xx (never a 500), and nothing a user typed runs as markup.

`ROUTES` names every route of the app; a test checks it against the app's own table, so a new route
cannot be added without joining the sweep.
"""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.zhijian.review.conftest import csrf, login
from zhijian.review.app import MAX_COMMENT

SCRIPT = "<script>alert(1)</script>"
GET_ROUTES = ["/", "/login", "/queue", "/conversations/{conversation_id}", "/appeals", "/appeals/{appeal_id}",
              "/agreement", "/calibration", "/calibration/{conversation_id}", "/favicon.ico"]  # fmt: skip
POST_ROUTES = ["/login", "/logout", "/conversations/{conversation_id}/review",
               "/conversations/{conversation_id}/turns/{seq}/label", "/conversations/{conversation_id}/flags/dismiss",
               "/conversations/{conversation_id}/flags/add", "/conversations/{conversation_id}/appeals",
               "/appeals/{appeal_id}/decide", "/calibration/{conversation_id}"]  # fmt: skip
WEIRD_QUERIES = [
    "from=2026-13-45", "from=9999-12-31", "to=9999-12-31", "from=0001-01-01&to=0001-01-02", "from=2026-10-31&to=2026-10-01",
    "page=-1", "page=0", "page=99999999999999999999", "page=1&page=2", "page=", "page=%E4%B8%80",
    "min=nan", "max=inf", "min=1e309", "min=-5&max=abc", "agent=" + SCRIPT, "flag=" + SCRIPT, "status=" + SCRIPT,
    "sort=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E", "order=sideways", "reviewed=maybe", "appealed=x",
    "agent=%00", "agent=" + "x" * 5000, "agent=%E5%AE%A2%F0%9F%98%80", "agent=%ff%fe", "%ff=1", "=&&=", "a[]=1&a[b]=2",
]  # fmt: skip
# Path ids nobody has: unknown, markup, NUL, huge numbers, very long, odd unicode.
ODD_IDS = ["nope", SCRIPT, "%00", "-1", "²", "１２", "99999999999999999999999", "x" * 3000, "%F0%9F%98%80", "..%2F..%2Fetc"]


def _concrete(route: str, ident: str = "h001") -> str:
    return route.format(conversation_id=ident, appeal_id="1", seq="1")


def _safe(r) -> None:
    assert r.status_code < 500, (r.request.url, r.status_code, r.text[-500:])
    assert SCRIPT not in r.text and "<img src=x" not in r.text, r.request.url  # echoed only escaped


def test_the_sweep_names_every_route(app):
    routes = {(m, r.path) for r in app.routes for m in getattr(r, "methods", None) or () if m in ("GET", "POST")}
    assert routes == {("GET", p) for p in GET_ROUTES} | {("POST", p) for p in POST_ROUTES}


@pytest.mark.parametrize("route", GET_ROUTES)
def test_weird_query_parameters_get_a_4xx_or_the_page(as_user, route):
    for name in ("wang", "li"):
        client = as_user(name)
        for query in WEIRD_QUERIES:
            _safe(client.get(f"{_concrete(route)}?{query}", follow_redirects=False))


@pytest.mark.parametrize("route", [r for r in GET_ROUTES if "{" in r])
def test_unknown_ids_are_404(as_user, route):
    client = as_user("wang")
    for ident in ODD_IDS:
        r = client.get(route.format(conversation_id=ident, appeal_id=ident), follow_redirects=False)
        _safe(r)
        assert r.status_code in (400, 404), (ident, r.status_code)


@pytest.mark.parametrize("route", POST_ROUTES)
def test_malformed_posts_get_a_clear_4xx(app, as_user, route):
    client = as_user("wang")
    token = csrf(client.get("/queue").text)
    path = _concrete(route)
    if route == "/login":  # anonymous, with the login page's token
        client = TestClient(app)
        token = csrf(client.get("/login").text)
    bodies = [
        {},  # nothing at all
        {"json": {"csrf_token": token, "comment": "x"}},  # not a form
        {"content": b"\xff\xfe\x00garbage", "headers": {"content-type": "application/x-www-form-urlencoded"}},
        {"data": {"comment": "no token"}},  # CSRF refused
        {"data": {"csrf_token": "forged" + token[6:]}},
        {"data": {"csrf_token": token}},  # the token, nothing else
        {"data": {"csrf_token": token, "comment": "x" * (MAX_COMMENT + 1), "reason": "x" * (MAX_COMMENT + 1)}},
        {"data": {"csrf_token": token, "criterion": "x" * 5000, "code": "x" * 5000, "username": "x" * 5000}},
        {"content": f"csrf_token={token}&criterion=greeting&criterion=empathy&status=pass&status=fail".encode(),
         "headers": {"content-type": "application/x-www-form-urlencoded"}},  # repeated fields
        {"data": {"csrf_token": token}, "files": {"comment": ("a.txt", b"file, not text")}},  # a file upload
        {"data": {"csrf_token": token, "criterion": SCRIPT, "status": SCRIPT, "label": SCRIPT, "code": SCRIPT,
                  "index": SCRIPT, "decision": SCRIPT, f"status.{SCRIPT}": "pass", f"flag.{SCRIPT}": "on"}},
    ]  # fmt: skip
    for body in bodies:
        r = client.post(path, follow_redirects=False, **body)
        _safe(r)
        if route != "/logout" or r.status_code != 303:  # the bare token is a valid logout
            assert 400 <= r.status_code < 500, (path, body.keys(), r.status_code, r.text[-300:])
        if route == "/logout" and r.status_code == 303:
            break  # logged out: the rest would be anonymous redirects
    if "{" in route:
        lead = as_user("zhao")
        token = csrf(lead.get("/queue").text)
        for ident in ODD_IDS:  # unknown ids, with a valid token
            r = lead.post(route.format(conversation_id=ident, appeal_id=ident, seq=ident), data={"csrf_token": token},
                          follow_redirects=False)  # fmt: skip
            _safe(r)
            assert 400 <= r.status_code < 500, (ident, r.status_code)


def _post(client, path: str, page: str, **data):
    r = client.post(path, data={"csrf_token": csrf(client.get(page).text), **data}, follow_redirects=False)
    assert r.status_code == 303, (path, r.status_code, r.text[-300:])
    return r


def test_markup_in_every_text_field_is_kept_and_shown_as_text(store, as_user, app):
    wang, li, zhao = as_user("wang"), as_user("li"), as_user("zhao")
    page = "/conversations/h001"
    typed = {name: f"<script>alert('{name}')</script><b>{name}</b>" for name in
             ("review", "relabel", "dismiss", "add", "appeal", "decide", "blind")}  # fmt: skip
    _post(wang, f"{page}/review", page, criterion="greeting", status="fail", comment=typed["review"])
    seq = re.search(r'/turns/(\d+)/label', wang.get(page).text).group(1)
    _post(wang, f"{page}/turns/{seq}/label", page, label="neutral", comment=typed["relabel"])
    _post(wang, f"{page}/flags/add", page, code="forbidden_phrase", reason=typed["add"])
    _post(wang, f"{page}/flags/dismiss", page, index="0", code="negative_end", comment=typed["dismiss"])
    _post(li, f"{page}/appeals", page, criterion="greeting", comment=typed["appeal"])
    appeal_id = re.search(r'action="/appeals/(\d+)/decide"', zhao.get("/appeals").text).group(1)
    _post(zhao, f"/appeals/{appeal_id}/decide", "/appeals", decision="rejected", reason=typed["decide"])
    store.finish_run(store.start_run([], command="test"))
    wang.get("/calibration")  # draws the sample: h003 is in it
    _post(wang, "/calibration/h003", "/calibration/h003", **{"status.greeting": "pass", "status.forbidden_phrases": "pass",
          "status.empathy": "na", "comment": typed["blind"]})  # fmt: skip
    shown = wang.get(page).text + wang.get("/conversations/h003").text + zhao.get("/appeals").text + li.get(page).text
    for name, text in typed.items():
        assert text not in shown, name  # never as markup
        escaped = text.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
        assert escaped in shown, name  # but kept, whole, as text
    # the login form echoes the user name it was given, escaped
    anon = TestClient(app)
    r = anon.post("/login", data={"username": SCRIPT, "password": "x", "csrf_token": csrf(anon.get("/login").text)})
    assert r.status_code == 401 and SCRIPT not in r.text and "&lt;script&gt;" in r.text
    assert login(TestClient(app), "wang").status_code == 303  # and nothing broke for the real user
