"""The reviewer workspace's tables: accounts, login sessions, login attempts.

They live in the store's `metadata` (so a new store is created with them) and arrive in an
existing store through migration 0002 (pipeline/store/migrations). What a reviewer changes is
not here: a review is a correction (`Store.add_correction`, the `corrections` table, append-only),
so cards and reports apply it like any other.
"""
from __future__ import annotations

import sqlalchemy as sa

from pipeline.store.schema import UTCDateTime, corrections, metadata

ROLES = ("reviewer", "team_lead", "agent", "admin")

review_users = sa.Table(
    "review_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    sa.Column("role", sa.Text, nullable=False),  # one of ROLES
    sa.Column("agent_id", sa.Text),  # the agent an `agent` account is; NULL for the other roles
    sa.Column("password_hash", sa.Text, nullable=False),  # argon2id (argon2-cffi), never the password
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("disabled_at", UTCDateTime),
)

# Server-side sessions: the cookie holds a random token, the store its SHA-256 only, so a copy of
# the store does not log anyone in; disabling a user or logging out ends the session at once.
review_sessions = sa.Table(
    "review_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)

# Failed logins per username and client address, for throttling (zhijian/review/accounts.py).
review_login_attempts = sa.Table(
    "review_login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("ip", sa.Text, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
)

# The review history is the corrections table: append-only in the database itself, so no code path
# (nor a slip in a SQL console) overwrites or deletes what a reviewer recorded. Migration 0002 runs
# these statements on an existing store, create_all on a new one (below); changing them takes a new migration.
APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS corrections_no_update BEFORE UPDATE ON corrections "
        "BEGIN SELECT RAISE(ABORT, 'corrections are append-only: add a new correction instead'); END",
        "CREATE TRIGGER IF NOT EXISTS corrections_no_delete BEFORE DELETE ON corrections "
        "BEGIN SELECT RAISE(ABORT, 'corrections are append-only: add a new correction instead'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION zhijian_append_only() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'corrections are append-only: add a new correction instead'; END $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS corrections_append_only ON corrections",
        "CREATE TRIGGER corrections_append_only BEFORE UPDATE OR DELETE ON corrections "
        "FOR EACH ROW EXECUTE FUNCTION zhijian_append_only()",
    ],
}


@sa.event.listens_for(corrections, "after_create")
def _append_only(target: sa.Table, connection: sa.Connection, **_: object) -> None:
    for statement in APPEND_ONLY.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


__all__ = ["APPEND_ONLY", "ROLES", "review_login_attempts", "review_sessions", "review_users"]
