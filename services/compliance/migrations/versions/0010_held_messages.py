"""Read model for the operator board: messages the notifier holds for its window or throttle.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "held_messages",
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name="pk_held_messages"),
    )
    op.create_index("ix_held_messages_until", "held_messages", ["until"])


def downgrade() -> None:
    op.drop_table("held_messages")
