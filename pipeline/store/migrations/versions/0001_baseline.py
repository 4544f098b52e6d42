"""Baseline: the store's schema as released before migrations (pipeline/store/schema.py at issue 12).

Written out, not imported from schema.py: a migration is frozen once released. A store created
by that release (create_all, no alembic_version table) is stamped at this revision by
pipeline.store.migrate before upgrading. Timestamps are naive UTC DateTime (schema.UTCDateTime's impl).
"""
from alembic import op
import sqlalchemy as sa

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(36), primary_key=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime()),
        sa.Column("user", sa.Text()),
        sa.Column("host", sa.Text()),
        sa.Column("command", sa.Text()),
        sa.Column("input_files", sa.JSON()),
        sa.Column("rubric_version", sa.Text()),
        sa.Column("model_version", sa.Text()),
        sa.Column("app_version", sa.Text()),
        sa.Column("read", sa.Integer()),
        sa.Column("stored", sa.Integer()),
        sa.Column("duplicates", sa.Integer()),
        sa.Column("quarantined", sa.Integer()),
        sa.Column("conversations", sa.Integer()),
        sa.Column("flagged", sa.Integer()),
        sa.Column("scoring_errors", sa.Integer()),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("error", sa.Text()),
    )
    op.create_table(
        "messages",
        sa.Column("message_key", sa.Text(), primary_key=True),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer()),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("agent_id", sa.Text()),
        sa.Column("agent_name", sa.Text()),
        sa.Column("customer_id", sa.Text()),
        sa.Column("channel", sa.Text()),
        sa.Column("shop", sa.Text()),
        sa.Column("csat", sa.Integer()),
        sa.Column("source_file", sa.Text()),
        sa.Column("source_line", sa.Integer()),
        sa.Column("first_run_id", sa.String(36)),
    )
    op.create_index("ix_messages_conversation_id", "messages", ["conversation_id"])
    op.create_table(
        "conversations",
        sa.Column("conversation_id", sa.Text(), primary_key=True),
        sa.Column("customer_id", sa.Text()),
        sa.Column("shop", sa.Text()),
        sa.Column("channel", sa.Text()),
        sa.Column("started_at", sa.DateTime()),
        sa.Column("ended_at", sa.DateTime()),
        sa.Column("agent_id", sa.Text()),
        sa.Column("agents", sa.JSON()),
        sa.Column("message_count", sa.Integer()),
        sa.Column("last_run_id", sa.String(36)),
    )
    op.create_table(
        "results",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("rubric_version", sa.Text(), nullable=False),
        sa.Column("model_version", sa.Text(), nullable=False),
        sa.Column("run_id", sa.String(36)),
        sa.Column("scored_at", sa.DateTime(), nullable=False),
        sa.Column("message_count", sa.Integer()),
        sa.Column("agent_id", sa.Text()),
        sa.Column("agents", sa.JSON()),
        sa.Column("started_at", sa.DateTime()),
        sa.Column("ended_at", sa.DateTime()),
        sa.Column("score", sa.Float()),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("criteria", sa.JSON()),
        sa.Column("flags", sa.JSON()),
        sa.Column("sentiment", sa.JSON()),
        sa.Column("csat", sa.Integer()),
        sa.UniqueConstraint("conversation_id", "rubric_version", "model_version", name="uq_results_versions"),
    )
    op.create_index("ix_results_conversation_id", "results", ["conversation_id"])
    op.create_index("ix_results_started_at", "results", ["started_at"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(36)),
        sa.Column("last_run_id", sa.String(36)),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("field", sa.Text()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text()),
        sa.Column("raw_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("source_file", "line", "raw_hash", name="uq_quarantine_row"),
    )
    op.create_table(
        "scoring_errors",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(36)),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_scoring_errors_run_id", "scoring_errors", ["run_id"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("rubric_version", sa.Text(), nullable=False),
        sa.Column("criterion", sa.Text()),
        sa.Column("status", sa.Text()),
        sa.Column("points", sa.Float()),
        sa.Column("score", sa.Float()),
        sa.Column("flags", sa.JSON()),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_corrections_conversation_id", "corrections", ["conversation_id"])
    op.create_table(
        "rubric_snapshots",
        sa.Column("rubric_version", sa.Text(), primary_key=True),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("source", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("rubric_snapshots", "corrections", "scoring_errors", "quarantine", "results",
                  "conversations", "messages", "runs"):  # fmt: skip
        op.drop_table(table)
