"""The notifier's copy of agencies follows the shared replica's rule: ends kept, even read early.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
    op.create_table(
        "agency_ends",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_agency_ends"),
    )


def downgrade() -> None:
    op.drop_table("agency_ends")
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("valid_to")
