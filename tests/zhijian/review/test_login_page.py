"""The login form keeps working when the browser loads the login page again in the background."""
from __future__ import annotations

from fastapi.testclient import TestClient

from tests.zhijian.review.conftest import PASSWORD, csrf


def test_a_second_login_page_load_keeps_the_token_of_the_form_on_screen(app):
    # A real browser asks for /favicon.ico after the login page; anonymous, that lands on /login again.
    # Found by the browser test: a fresh token there replaced the cookie and the visible form failed CSRF.
    client = TestClient(app)
    on_screen = csrf(client.get("/login").text)
    assert client.get("/favicon.ico").status_code == 200  # followed to /login
    answer = client.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": on_screen},
                         follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/queue"


def test_a_cookie_that_is_not_one_of_our_tokens_is_replaced(app):
    page = TestClient(app).get("/login", headers={"Cookie": "zj_login_csrf=not-a-token-of-ours"})
    token = csrf(page.text)
    assert token != "not-a-token-of-ours" and len(token) == 43
    assert f"zj_login_csrf={token};" in page.headers["set-cookie"]
