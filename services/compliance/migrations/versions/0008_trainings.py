"""Courses completed by agencies' staff (training-completed), for the training rule.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trainings",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("course_code", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_trainings"),
    )
    op.create_index("ix_trainings_agency_code", "trainings", ["agency_code"])


def downgrade() -> None:
    op.drop_table("trainings")
