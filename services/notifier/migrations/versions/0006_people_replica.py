"""The replica of people's accounts, the token signing keys and the sign-ins ended early.

Revision ID: 0006
Revises: 0005
"""

from services.common.migrations import create_people_replica_tables, drop_people_replica_tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_people_replica_tables()


def downgrade() -> None:
    drop_people_replica_tables()
