"""Ingest notes (a value dropped or cut from a kept row) and the process behind each run.

Tables: pipeline/store/schema.py `ingest_notes`, `run_processes` (issue 15): notes were computed and
never stored; a killed run stayed `running` forever because nothing recorded whose process it was.
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_ingest_notes_run_processes"
down_revision = "0002_review_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_notes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(36)),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("run_id", "source_file", "line", "field", name="uq_ingest_note"),
    )
    op.create_index("ix_ingest_notes_run_id", "ingest_notes", ["run_id"])
    op.create_table(
        "run_processes",
        sa.Column("run_id", sa.String(36), primary_key=True),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("process_started", sa.Float()),
    )


def downgrade() -> None:
    op.drop_table("run_processes")
    op.drop_index("ix_ingest_notes_run_id", table_name="ingest_notes")
    op.drop_table("ingest_notes")
