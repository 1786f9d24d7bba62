"""The replica of people's accounts, the token signing keys and the sign-ins ended early; a system
key's system.

Revision ID: 0006
Revises: 0005
"""

from services.common.migrations import (
    add_api_key_system,
    create_people_replica_tables,
    drop_api_key_system,
    drop_people_replica_tables,
)

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_people_replica_tables()
    add_api_key_system()


def downgrade() -> None:
    drop_api_key_system()
    drop_people_replica_tables()
