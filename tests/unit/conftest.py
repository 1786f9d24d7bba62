"""What the identity service's unit tests share: a migrated database of its own, a clock fixed at NOW
that a test may move, and `run`, which does what `Service.command` does."""

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.clock import FixedClock
from services.identity.unit_of_work import IdentityUnitOfWork
from tests.conftest import migrated
from tests.factories import NOW

R = TypeVar("R")
#: A use case and its arguments, run in a unit of work of its own and committed.
Run = Callable[..., Awaitable[Any]]


@pytest.fixture
async def identity_db(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    sessions = await migrated(f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}", "identity")
    yield sessions
    await sessions.kw["bind"].dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def run(identity_db: async_sessionmaker[AsyncSession], clock: FixedClock) -> Run:
    """`Service.command`: a use case in a unit of work of its own, committed."""

    async def command(usecase: Callable[..., Awaitable[R]], *args: Any) -> R:
        async with IdentityUnitOfWork(identity_db, clock, "/eiso/identity") as uow:
            result = await usecase(uow, *args)
            await uow.commit()
        return result

    return command
