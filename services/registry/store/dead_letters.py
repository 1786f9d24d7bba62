"""The inbound gateway's dead letters as the registry keeps them: what arrived, why it was refused,
and whether an operator has re-driven it since."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import upsert
from services.registry.store.tables import dead_letters

#: Most characters of a refused value kept to read and re-drive (the dead-letter topic has it whole).
MAX_VALUE = 200_000


class DeadLetterStatus(StrEnum):
    OPEN = "open"  # refused, waiting for its cause to be fixed
    REDRIVEN = "redriven"  # taken since, by a re-drive


@dataclass(frozen=True)
class DeadLetter:
    id: str
    topic: str
    system: str | None
    event_id: str | None
    key: str | None
    value: str
    reason: str
    received_at: datetime
    status: DeadLetterStatus
    handled_at: datetime | None = None
    handled_by: str | None = None


def _letter(row: Any) -> DeadLetter:
    return DeadLetter(**{**dict(row), "status": DeadLetterStatus(row["status"])})


class DeadLetterStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def keep(self, letter: DeadLetter) -> None:
        """Once per record (a batch redone after a crash keeps the first copy)."""
        values = {**letter.__dict__, "status": letter.status.value, "value": letter.value[:MAX_VALUE]}
        await self.session.execute(
            upsert(self.session, dead_letters).values(**values).on_conflict_do_nothing()
        )

    async def get(self, letter_id: str) -> DeadLetter | None:
        row = (
            (await self.session.execute(select(dead_letters).where(dead_letters.c.id == letter_id)))
            .mappings()
            .first()
        )
        return _letter(row) if row else None

    async def listed(
        self, system: str | None, status: DeadLetterStatus | None, limit: int
    ) -> list[DeadLetter]:
        query = (
            select(dead_letters).order_by(dead_letters.c.received_at.desc(), dead_letters.c.id).limit(limit)
        )
        if system is not None:
            query = query.where(dead_letters.c.system == system)
        if status is not None:
            query = query.where(dead_letters.c.status == status.value)
        return [_letter(row) for row in (await self.session.execute(query)).mappings()]

    async def settle(
        self, letter_id: str, reason: str, status: DeadLetterStatus, at: datetime, by: str
    ) -> None:
        await self.session.execute(
            update(dead_letters)
            .where(dead_letters.c.id == letter_id)
            .values(reason=reason, status=status.value, handled_at=at, handled_by=by)
        )
