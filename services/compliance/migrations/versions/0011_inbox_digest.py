"""The inbox keeps each event's digest, so an id reused for other content can be told from a repeat.

Revision ID: 0011
Revises: 0010
"""

from services.common.migrations import add_inbox_digest, drop_inbox_digest

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_inbox_digest()


def downgrade() -> None:
    drop_inbox_digest()
