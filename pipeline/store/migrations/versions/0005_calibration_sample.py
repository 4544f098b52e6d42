"""The calibration sample: random (un)flagged conversations per agent and day, reviewed blind.

Tables: pipeline/store/calibration.py (`calibration_days`: which days were drawn, also when empty;
`calibration_sample`: the drawn conversations with their stratum and population).
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_calibration_sample"
down_revision = "0004_appeals_turn_labels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calibration_days",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("rubric_version", sa.Text(), primary_key=True),
        sa.Column("per_agent_day", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "calibration_sample",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agent_id", sa.Text(), nullable=False),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("rubric_version", sa.Text(), nullable=False),
        sa.Column("stratum", sa.Text(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("conversation_id", "rubric_version", name="uq_calibration_conversation"),
    )
    op.create_index("ix_calibration_sample_conversation_id", "calibration_sample", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_calibration_sample_conversation_id", table_name="calibration_sample")
    op.drop_table("calibration_sample")
    op.drop_table("calibration_days")
