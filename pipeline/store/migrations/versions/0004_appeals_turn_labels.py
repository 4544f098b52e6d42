"""Appeals (申诉), their decisions and reviewers' sentiment labels of customer turns (issue 14).

Tables: pipeline/store/appeals.py, which also says why each is append-only and how an appeal's
status is derived. The UPDATE/DELETE-refusing triggers are appeals.append_only_statements, the
same statements a new store gets from create_all (changing them takes a new migration).
"""
from alembic import op
import sqlalchemy as sa

from pipeline.store.appeals import APPEND_ONLY_TABLES, append_only_statements

revision = "0004_appeals_turn_labels"
down_revision = "0003_ingest_notes_run_processes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("rubric_version", sa.Text(), nullable=False),
        sa.Column("criterion", sa.Text(), nullable=False),
        sa.Column("agent_id", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_appeals_conversation_id", "appeals", ["conversation_id"])
    op.create_index("ix_appeals_agent_id", "appeals", ["agent_id"])
    op.create_table(
        "appeal_decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("appeal_id", sa.Integer(), nullable=False, unique=True),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("correction_id", sa.Integer()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "turn_labels",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_turn_labels_conversation_id", "turn_labels", ["conversation_id"])
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        for statement in append_only_statements(dialect, table):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        elif dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS zhijian_review_append_only()")
    op.drop_index("ix_turn_labels_conversation_id", table_name="turn_labels")
    op.drop_table("turn_labels")
    op.drop_table("appeal_decisions")
    op.drop_index("ix_appeals_agent_id", table_name="appeals")
    op.drop_index("ix_appeals_conversation_id", table_name="appeals")
    op.drop_table("appeals")
