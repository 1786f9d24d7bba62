"""Who sent each record version and the number the sending system gave it, to tell a late older
version from a new one (an outside system's numbering is its own, not the registry's).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("records", sa.Column("channel", sa.String(length=64), nullable=True))
    op.add_column("records", sa.Column("source_version", sa.Integer(), nullable=True))
    records = sa.table(
        "records", sa.column("record_id", sa.String()), sa.column("data", sa.JSON()), sa.column("channel")
    )
    bind = op.get_bind()
    for record_id, data in bind.execute(sa.select(records.c.record_id, records.c.data)).all():
        bind.execute(
            records.update().where(records.c.record_id == record_id).values(channel=data.get("channel"))
        )


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("source_version")
        batch.drop_column("channel")
