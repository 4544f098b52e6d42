"""The inbox ledger and the run lock (issue 16: scheduled nightly runs).

Tables: pipeline/store/inbox.py `inbox_files` (which export files the scheduled run has scored,
by path and content hash) and pipeline/store/lock.py `run_lock` (one row while a run writes the store).
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_inbox_files"
down_revision = "0005_calibration_sample"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_files",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime", sa.Float(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("run_id", sa.String(36)),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("finished_at", sa.DateTime()),
        sa.UniqueConstraint("path", "sha256", name="uq_inbox_file"),
    )
    op.create_table(
        "run_lock",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("process_started", sa.Float()),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("run_lock")
    op.drop_table("inbox_files")
