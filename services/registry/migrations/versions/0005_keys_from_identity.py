"""API keys are the identity service's: this table becomes the replica of its credentials.

Revision ID: 0005
Revises: 0004
"""

from services.common.migrations import keys_from_identity

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    keys_from_identity()


def downgrade() -> None:
    """Nothing to restore: the keys that were deleted are unrecoverable (they were stored hashed)."""
