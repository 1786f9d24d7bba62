"""The async SQLAlchemy engine of a service: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) by URL."""

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator

#: An auto-incrementing 64-bit key; SQLite only auto-increments INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

#: Execution options of a unit of work that only reads: one snapshot for all it reads (a page reads a
#: score and the facts behind it in two statements; a writer committing between them must not make
#: them disagree), and on SQLite it need not take the write lock.
READ_ONLY = {"eiso_read_only": True}

#: Constraint names that are the same on every backend, so migrations can refer to them.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: eiso stores UTC instants only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine that behaves the same on both backends: real transactions and savepoints on SQLite."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _sqlite_transactions(engine)
        return engine
    if "poolclass" not in kwargs:
        kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=5)
    engine = create_async_engine(url, **kwargs)
    _postgresql_snapshots(engine)
    return engine


def _postgresql_snapshots(engine: AsyncEngine) -> None:
    """PostgreSQL reads committed data per statement by default; a reader (`READ_ONLY`) takes one
    snapshot for its whole transaction instead (REPEATABLE READ: it never blocks a writer, and as it
    writes nothing it is never refused for serialization). Not READ ONLY: a page that reads a row it
    may lock (a password link's, with FOR UPDATE) reads through the same repository method."""

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        if connection.get_execution_options().get("eiso_read_only", False):
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _sqlite_transactions(engine: AsyncEngine) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT and upgrades read locks late (SQLITE_BUSY);
    take the transaction over, as the SQLAlchemy docs advise, and write through WAL. Writers take the
    write lock at BEGIN (waiting up to busy_timeout); readers (`READ_ONLY`) read a WAL snapshot and
    never wait for a writer."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get("eiso_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execution_options(**READ_ONLY)
        await connection.execute(text("SELECT 1"))


@contextlib.asynccontextmanager
async def exclusive_turn(engine: AsyncEngine, key: int) -> AsyncIterator[bool]:
    """Whether this replica has the turn for one round of a job only one may run at a time (the outbox
    relay, the notifier's dispatcher). PostgreSQL: a session advisory lock held for the round. SQLite:
    one process owns the file, so always."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    async with engine.connect() as connection:
        got = bool(await connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
        try:
            yield got
        finally:
            if got:
                await connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            await connection.commit()


def upsert(session: AsyncSession, table: Table) -> Any:
    """An INSERT that can say ON CONFLICT DO NOTHING / DO UPDATE in the session's dialect (PostgreSQL
    or SQLite; both spell it the same way, but each has its own construct)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


async def one(session: AsyncSession, query: Any) -> dict[str, Any] | None:
    """The first row of `query` as a dict, or None: how stores read one thing by its key."""
    row = (await session.execute(query)).mappings().first()
    return dict(row) if row else None
