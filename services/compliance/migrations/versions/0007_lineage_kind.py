"""Lineage says whether it is a merger or a rename (only mergers make an agency "newly merged").

Rows made before this revision are taken as renames when the successor has one predecessor that day.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lineage") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), nullable=False, server_default="merge"))
    op.execute(
        "UPDATE lineage SET kind = 'rename' WHERE (successor_code, effective_on) IN ("
        "SELECT successor_code, effective_on FROM lineage GROUP BY successor_code, effective_on "
        "HAVING count(*) = 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table("lineage") as batch_op:
        batch_op.drop_column("kind")
