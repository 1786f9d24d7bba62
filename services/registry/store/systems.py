"""Outside systems (e-ISO software, one-stop shops) registered to publish records on the inbound topic."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.store.tables import systems


@dataclass(frozen=True)
class System:
    """An outside system and the agencies it may speak for (a parent code covers its children)."""

    id: str
    name: str
    scope: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _system(row: Any) -> System:
    return System(row.id, row.name, tuple(row.scope), row.created_at, row.revoked_at)


class SystemStore:
    """The systems table, read and written on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, system_id: str, name: str, scope: Sequence[str], now: datetime) -> System:
        await self.session.execute(
            insert(systems).values(id=system_id, name=name, scope=list(scope), created_at=now)
        )
        return System(system_id, name, tuple(scope), now)

    async def get(self, system_id: str) -> System | None:
        row = (await self.session.execute(select(systems).where(systems.c.id == system_id))).first()
        return _system(row) if row else None

    async def of(self, ids: Collection[str]) -> dict[str, System]:
        """These systems by id (one query for a batch's sources; unknown ids are left out)."""
        rows = await self.session.execute(select(systems).where(systems.c.id.in_(ids)))
        return {row.id: _system(row) for row in rows}

    async def all(self) -> list[System]:
        return [_system(r) for r in await self.session.execute(select(systems).order_by(systems.c.id))]
