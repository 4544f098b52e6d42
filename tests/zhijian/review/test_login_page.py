"""The login form keeps working when the browser loads the login page again in the background."""
from __future__ import annotations

from fastapi.testclient import TestClient

from tests.zhijian.review.conftest import PASSWORD, csrf


def test_a_second_login_page_load_keeps_the_token_of_the_form_on_screen(app):
    # A browser may load /login again behind the form on screen (a prefetch, a second tab, and before
    # /favicon.ico had its own answer, the favicon request sent there). Found by the browser test: a fresh
    # token there replaced the cookie and the visible form failed CSRF.
    client = TestClient(app)
    on_screen = csrf(client.get("/login").text)
    assert client.get("/login").status_code == 200
    answer = client.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": on_screen},
                         follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/queue"


def test_a_cookie_that_is_not_one_of_our_tokens_is_replaced(app):
    page = TestClient(app).get("/login", headers={"Cookie": "zj_login_csrf=not-a-token-of-ours"})
    token = csrf(page.text)
    assert token != "not-a-token-of-ours" and len(token) == 43
    assert f"zj_login_csrf={token};" in page.headers["set-cookie"]


def test_the_favicon_is_a_plain_404_that_sets_no_cookie(app):
    # Anonymous, it used to be sent to /login: one more login page and login cookie per page a browser showed.
    answer = TestClient(app).get("/favicon.ico", follow_redirects=False)
    assert answer.status_code == 404 and "set-cookie" not in answer.headers and answer.content == b""
