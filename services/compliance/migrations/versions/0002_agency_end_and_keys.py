"""The end date of each agency copy (for reports as of a date) and API keys.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from services.common.migrations import create_api_keys_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_api_keys_table()
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("valid_to", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("valid_to")
    op.drop_table("api_keys")
