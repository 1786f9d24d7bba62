"""Agency ends kept apart, so an end that arrives before the agency's registration is not lost.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_ends",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_agency_ends"),
    )
    ended = "SELECT code, valid_to FROM agencies WHERE valid_to IS NOT NULL"
    op.execute(f"INSERT INTO agency_ends (code, valid_to) {ended}")


def downgrade() -> None:
    op.drop_table("agency_ends")
