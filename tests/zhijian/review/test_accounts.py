"""Accounts: hashes, throttling window, session expiry, agents bound to their own conversations."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from pipeline.store import Store
from pipeline.store.review import review_login_attempts, review_users
from zhijian.review import accounts


@pytest.fixture
def engine(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'qa.db'}") as store:
        accounts.add_user(store.engine, "wang", "reviewer", "a long password")
        yield store.engine


def test_only_an_argon2_hash_is_stored(engine):
    with engine.connect() as conn:
        stored = conn.execute(sa.select(review_users.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$") and "a long password" not in stored


def test_throttling_lifts_after_the_window_and_a_success_resets_the_count(engine, monkeypatch):
    start = accounts._now()
    for _ in range(4):
        assert accounts.authenticate(engine, "wang", "wrong", "10.0.0.1") is None
    assert accounts.authenticate(engine, "wang", "a long password", "10.0.0.1") is not None  # resets
    for _ in range(5):
        assert accounts.authenticate(engine, "wang", "wrong", "10.0.0.1") is None
    with pytest.raises(accounts.Throttled):
        accounts.authenticate(engine, "wang", "a long password", "10.0.0.1")
    assert accounts.authenticate(engine, "wang", "a long password", "10.0.0.2") is not None  # another address
    monkeypatch.setattr(accounts, "_now", lambda: start + accounts.THROTTLE_WINDOW + timedelta(minutes=1))
    assert accounts.authenticate(engine, "wang", "a long password", "10.0.0.1") is not None
    monkeypatch.setattr(accounts, "_now", lambda: start + 3 * accounts.THROTTLE_WINDOW)
    accounts.authenticate(engine, "wang", "wrong", "10.0.0.1")
    with engine.connect() as conn:  # attempts older than two windows were pruned: the last two are left
        assert conn.execute(sa.select(sa.func.count()).select_from(review_login_attempts)).scalar() == 2


def test_sessions_expire(engine, monkeypatch):
    user = accounts.authenticate(engine, "wang", "a long password", "10.0.0.1")
    token = accounts.start_session(engine, user)
    assert accounts.session_user(engine, token)[0].username == "wang"
    assert accounts.session_user(engine, "guessed") is None
    later = accounts._now() + timedelta(hours=accounts.SESSION_HOURS, minutes=1)
    monkeypatch.setattr(accounts, "_now", lambda: later)
    assert accounts.session_user(engine, token) is None


def test_an_agent_may_see_only_conversations_they_took_part_in():
    agent = accounts.User(1, "li", "agent", "A07")
    assert agent.may_see("A07") and agent.may_see("A08", ["A08", "A07"]) and not agent.may_see("A08", ["A08"])
    assert not accounts.User(2, "x", "agent", None).may_see(None)
    assert accounts.User(3, "wang", "team_lead", None).may_see("A08")
