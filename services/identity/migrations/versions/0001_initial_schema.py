"""initial schema: the credentials (the original every service replicates), agencies (copy)

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from services.common.migrations import (
    add_inbox_digest,
    create_api_keys_table,
    create_messaging_tables,
    drop_messaging_tables,
)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    add_inbox_digest()
    create_api_keys_table()
    op.create_table(
        "agencies",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("code", name="pk_agencies"),
    )
    op.create_table(
        "agency_ends",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_agency_ends"),
    )


def downgrade() -> None:
    for table in ("agency_ends", "agencies", "api_keys"):
        op.drop_table(table)
    drop_messaging_tables()
