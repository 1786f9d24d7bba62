"""Agency history (effective-dated versions), lineage, outside systems, API keys.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from services.common.migrations import create_api_keys_table
from services.common.vietnamese import search_key

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DETAILS = ("name", "level", "parent_code", "obligation", "uses_eiso_software", "valid_from", "valid_to")


def upgrade() -> None:
    create_api_keys_table()
    op.create_table(
        "agency_versions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("search_name", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("obligation", sa.String(length=20), nullable=False),
        sa.Column("uses_eiso_software", sa.Boolean(), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["code"], ["agencies.code"], name="fk_agency_versions_code_agencies"),
        sa.PrimaryKeyConstraint("id", name="pk_agency_versions"),
        sa.UniqueConstraint("code", "valid_from", name="uq_agency_versions_code_valid_from"),
    )
    op.create_index("ix_agency_versions_parent_code", "agency_versions", ["parent_code"])
    # Agencies registered before history existed become their first version.
    bind = op.get_bind()
    old = sa.table("agencies", *(sa.column(c) for c in ("code", "created_at", *DETAILS)))
    versions = sa.table(
        "agency_versions",
        *(sa.column(c) for c in ("code", "search_name", "recorded_at", *DETAILS)),
        sa.column("contacts", sa.JSON()),
    )
    rows = [
        {
            **{c: row._mapping[c] for c in ("code", *DETAILS)},
            "search_name": search_key(row.name),
            "contacts": {},
            "recorded_at": row.created_at,
        }
        for row in bind.execute(sa.select(old))
    ]
    if rows:
        bind.execute(sa.insert(versions), rows)
    with op.batch_alter_table("agencies") as batch:
        batch.drop_constraint("fk_agencies_parent_code_agencies", type_="foreignkey")
        for column in DETAILS:
            batch.drop_column(column)
    op.create_table(
        "lineage",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_code", sa.String(length=64), nullable=False),
        sa.Column("to_code", sa.String(length=64), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lineage"),
    )
    op.create_index("ix_lineage_from_code", "lineage", ["from_code"])
    op.create_index("ix_lineage_to_code", "lineage", ["to_code"])
    op.create_table(
        "systems",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_systems"),
    )


def downgrade() -> None:
    raise NotImplementedError("0002 keeps history the 0001 schema cannot hold; restore a backup instead")
