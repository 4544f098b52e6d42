"""The reviewer workspace: accounts, login sessions, login attempts; corrections become append-only.

Tables: pipeline/store/review.py. The triggers that refuse UPDATE and DELETE on corrections are
review.APPEND_ONLY, the statements a new store gets from create_all, so both kinds of store hold the
same triggers (changing them takes a new migration).
"""
from alembic import op
import sqlalchemy as sa

from pipeline.store.review import APPEND_ONLY

revision = "0002_review_accounts"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.Text(), nullable=False, unique=True),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("agent_id", sa.Text()),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime()),
    )
    op.create_table(
        "review_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_review_sessions_user_id", "review_sessions", ["user_id"])
    op.create_table(
        "review_login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("ip", sa.Text(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_review_login_attempts_at", "review_login_attempts", ["at"])
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS corrections_no_update")
        op.execute("DROP TRIGGER IF EXISTS corrections_no_delete")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS corrections_append_only ON corrections")
        op.execute("DROP FUNCTION IF EXISTS zhijian_append_only()")
    op.drop_table("review_login_attempts")
    op.drop_table("review_sessions")
    op.drop_table("review_users")
