"""Accounts of the reviewer workspace: users and roles, password hashes, sessions, login throttling.

Roles: reviewer and team_lead review every conversation; agent (bound to an agent id) sees only
their own; admin does both and manages accounts. Passwords are hashed with argon2id; the session
cookie carries a random token whose SHA-256 the store keeps (review_sessions), with the session's
CSRF token. Tables: pipeline/store/review.py.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from pipeline.store.review import ROLES, review_login_attempts, review_sessions, review_users

SESSION_HOURS = 12
THROTTLE_FAILURES = 5  # failed logins per username and address …
THROTTLE_WINDOW = timedelta(minutes=15)  # … within this window lock that pair out until the window passes
MIN_PASSWORD = 8
USERNAME = re.compile(r"^[\w.@-]{1,64}$")

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not-a-password")


class AccountError(ValueError):
    """A user could not be added or changed: what is wrong — what to do."""


class Throttled(Exception):
    """Too many failed logins for this username from this address."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    agent_id: str | None

    @property
    def sees_all(self) -> bool:
        return self.role != "agent"

    def may_see(self, agent_id: str | None, agents: list[str] | None = None) -> bool:
        """Whether this user may see a conversation of `agent_id` (with `agents`, all its agents)."""
        return self.sees_all or (self.agent_id is not None and (agent_id == self.agent_id or self.agent_id in (agents or [])))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _user(row: sa.Row) -> User:
    return User(row.id, row.username, row.role, row.agent_id)


def add_user(engine: Engine, username: str, role: str, password: str, agent_id: str | None = None) -> User:
    """Create an account; AccountError for a bad name, role, agent binding, short password or a taken name."""
    if not USERNAME.match(username or ""):
        raise AccountError(f"invalid user name {username!r} — use 1-64 letters, digits, '.', '_', '-' or '@'")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r} — use one of {', '.join(ROLES)}")
    if role == "agent" and not agent_id:
        raise AccountError("an agent account needs --agent-id (the agent id in the chat logs)")
    if role != "agent" and agent_id:
        raise AccountError(f"--agent-id binds agent accounts only, not a {role} — drop it or use --role agent")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is shorter than {MIN_PASSWORD} characters — give a longer one")
    row = {"username": username, "role": role, "agent_id": agent_id, "password_hash": _hasher.hash(password),
           "disabled": False, "created_at": _now()}  # fmt: skip
    try:
        with engine.begin() as conn:
            new_id = conn.execute(review_users.insert().values(**row)).inserted_primary_key[0]
    except IntegrityError:
        raise AccountError(f"user {username!r} exists already — pick another name") from None
    return User(int(new_id), username, role, agent_id)


def list_users(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(review_users).order_by(review_users.c.username))
        return [{k: v for k, v in r._mapping.items() if k != "password_hash"} for r in rows]


def disable_user(engine: Engine, username: str) -> None:
    """Disable an account and end its sessions (the account and what it did stay)."""
    with engine.begin() as conn:
        row = conn.execute(sa.select(review_users.c.id).where(review_users.c.username == username)).first()
        if row is None:
            raise AccountError(f"no user {username!r} — see `zhijian users list`")
        conn.execute(review_users.update().where(review_users.c.id == row.id).values(disabled=True, disabled_at=_now()))
        conn.execute(review_sessions.delete().where(review_sessions.c.user_id == row.id))


def _recent_failures(conn: sa.Connection, username: str, ip: str, now: datetime) -> int:
    """Failures for (username, ip) inside the window and after the pair's last success."""
    pair = sa.and_(review_login_attempts.c.username == username, review_login_attempts.c.ip == ip,
                   review_login_attempts.c.at >= now - THROTTLE_WINDOW)  # fmt: skip
    last_ok = conn.execute(sa.select(sa.func.max(review_login_attempts.c.at)).where(pair, review_login_attempts.c.ok)).scalar()
    stmt = sa.select(sa.func.count()).where(pair, sa.not_(review_login_attempts.c.ok))
    if last_ok is not None:
        stmt = stmt.where(review_login_attempts.c.at > last_ok)
    return int(conn.execute(stmt).scalar() or 0)


def authenticate(engine: Engine, username: str, password: str, ip: str) -> User | None:
    """The user for a right password of an enabled account, else None; Throttled after too many failures."""
    now = _now()
    with engine.begin() as conn:
        if _recent_failures(conn, username, ip, now) >= THROTTLE_FAILURES:
            raise Throttled(username)
        row = conn.execute(sa.select(review_users).where(review_users.c.username == username)).first()
        try:
            _hasher.verify(row.password_hash if row is not None else _DUMMY_HASH, password)
            ok = row is not None and not row.disabled
        except (VerificationError, InvalidHashError):
            ok = False
        conn.execute(review_login_attempts.insert().values(username=username[:200], ip=ip, ok=ok, at=now))
        # Only the window matters: older attempts go, so the table stays small however many logins.
        conn.execute(review_login_attempts.delete().where(review_login_attempts.c.at < now - 2 * THROTTLE_WINDOW))
    return _user(row) if ok else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(engine: Engine, user: User) -> str:
    """A new session for `user`; returns the cookie token (only its hash is stored)."""
    token, now = secrets.token_urlsafe(32), _now()
    with engine.begin() as conn:
        conn.execute(review_sessions.insert().values(
            token_hash=_token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
            created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS),
        ))  # fmt: skip
    return token


def session_user(engine: Engine, token: str | None) -> tuple[User, str] | None:
    """(user, csrf token) of a live session of an enabled account, else None."""
    if not token:
        return None
    stmt = (
        sa.select(review_users, review_sessions.c.csrf_token)
        .join(review_users, review_users.c.id == review_sessions.c.user_id)
        .where(review_sessions.c.token_hash == _token_hash(token), review_sessions.c.expires_at > _now(),
               sa.not_(review_users.c.disabled))  # fmt: skip
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return (_user(row), row.csrf_token) if row is not None else None


def end_session(engine: Engine, token: str | None) -> None:
    if token:
        with engine.begin() as conn:
            conn.execute(review_sessions.delete().where(review_sessions.c.token_hash == _token_hash(token)))


__all__ = ["AccountError", "Throttled", "User", "add_user", "authenticate", "disable_user", "end_session",
           "list_users", "session_user", "start_session"]  # fmt: skip
