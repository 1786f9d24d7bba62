"""Lineage of merged agencies (their records count for the successor) and service metadata.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lineage",
        sa.Column("predecessor_code", sa.String(length=64), nullable=False),
        sa.Column("successor_code", sa.String(length=64), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("predecessor_code", "successor_code", name="pk_lineage"),
    )
    op.create_index("ix_lineage_successor_code", "lineage", ["successor_code"])
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_index("ix_lineage_successor_code", table_name="lineage")
    op.drop_table("lineage")
