"""The inbox keeps each event's digest, so an id reused for other content can be told from a repeat.

Revision ID: 0003
Revises: 0002
"""

from services.common.migrations import add_inbox_digest, drop_inbox_digest

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_inbox_digest()


def downgrade() -> None:
    drop_inbox_digest()
