"""initial schema: the messaging tables and the copy of the credentials (the portal keeps nothing else:
every page reads and writes through the services' APIs)

Revision ID: 0001
Revises:
"""

from alembic import op

from services.common.migrations import (
    add_api_key_system,
    add_inbox_digest,
    create_api_keys_table,
    create_messaging_tables,
    create_people_replica_tables,
    drop_messaging_tables,
    drop_people_replica_tables,
)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    add_inbox_digest()
    create_api_keys_table()
    add_api_key_system()
    create_people_replica_tables()


def downgrade() -> None:
    drop_people_replica_tables()
    op.drop_table("api_keys")
    drop_messaging_tables()
