"""Alembic, per service: each service keeps `migrations/` (env.py + versions/) and runs them at start.

No alembic.ini: the configuration is built here from the service's settings, so the database URL has a
single source (the service's `Settings`).
"""

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection

from services.common.db import create_engine


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, database_url: str) -> None:
    """Bring the database to the newest revision (idempotent). Blocking: call it before the event loop
    or in a worker thread."""
    command.upgrade(alembic_config(migrations_dir, database_url), "head")


def run_env(target_metadata: MetaData | list[MetaData]) -> None:
    """The body of every service's migrations/env.py."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is set by services.common.migrations.alembic_config"
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(main())


def create_messaging_tables() -> None:
    """The outbox and inbox, for a service's first migration (called from its versions/0001).

    Frozen as 0001 shipped them: later changes to the common tables get their own helpers.
    """
    op.create_table(
        "outbox",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index(
        "ix_outbox_unsent",
        "outbox",
        ["id"],
        sqlite_where=sa.text("sent_at IS NULL"),
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )


def drop_messaging_tables() -> None:
    op.drop_table("inbox")
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    op.drop_table("outbox")


def create_api_keys_table() -> None:
    """The API keys of `services.common.auth`, for each service's migration that introduces them."""
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
    )


def add_inbox_digest() -> None:
    """The inbox remembers what each event id stood for (`digest`), for consumers that refuse an id
    reused for other content."""
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("digest", sa.String(length=64), nullable=True))


def drop_inbox_digest() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("digest")


def add_api_key_system() -> None:
    """A system key's system (`services.common.credentials.api_keys.system_id`)."""
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("system_id", sa.String(length=64), nullable=True))


def drop_api_key_system() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("system_id")


def keys_from_identity() -> None:
    """`api_keys` becomes the replica of the identity service's credentials. Keys a service issued
    itself, before, could never be revoked everywhere: they go, and the replica fills again from
    `eiso.identity.credentials` (operators issue new keys through the identity service)."""
    op.execute("DELETE FROM api_keys")


def create_people_replica_tables() -> None:
    """The replica of people's accounts, the token signing keys and the sign-ins ended early
    (`services.common.credentials`), for each service's migration that introduces them."""
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("valid_after", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
    )
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_signing_keys"),
    )
    op.create_table(
        "signed_out",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_signed_out"),
    )


def drop_people_replica_tables() -> None:
    for table in ("signed_out", "signing_keys", "accounts"):
        op.drop_table(table)
