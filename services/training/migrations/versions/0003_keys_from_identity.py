"""API keys are the identity service's: this table becomes the replica of its credentials.

Revision ID: 0003
Revises: 0002
"""

from services.common.migrations import keys_from_identity

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    keys_from_identity()


def downgrade() -> None:
    """Nothing to restore: the keys that were deleted are unrecoverable (they were stored hashed)."""
