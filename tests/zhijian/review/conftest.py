"""A small scored store with accounts, and logged-in test clients of the reviewer workspace."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from pipeline.store import Store
from tests.pipeline.store.helpers import scored
from zhijian.review import accounts
from zhijian.review.app import create_app

PASSWORD = "correct horse 1"


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'qa.db'}")
    convs = [
        scored("h001", agent="A07", negative_end=True),  # flagged: negative_end; 2026-10-03
        scored("h002", agent="A08", negative_end=True, start_minutes=3 * 24 * 60),  # flagged; 2026-10-06
        scored("h003", agent="A07"),  # not flagged
    ]
    s.store_messages([m for c in convs for m in c.messages], "r1")
    s.upsert_conversations(convs, "r1")
    s.save_results(convs, "r1")
    for name, role, agent in (("wang", "reviewer", None), ("li", "agent", "A07"), ("zhao", "team_lead", None)):
        accounts.add_user(s.engine, name, role, PASSWORD, agent)
    yield s
    s.close()


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token field in the page"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf(page.text)},
                       follow_redirects=False)  # fmt: skip


@pytest.fixture
def app(store):
    return create_app(store)


@pytest.fixture
def as_user(app):
    """as_user(name) → a TestClient logged in as that user."""

    def make(name: str) -> TestClient:
        client = TestClient(app)
        assert login(client, name).status_code == 303
        return client

    return make
