"""What compliance remembers of its own runs (the `meta` table, `Meta`): which rule set the stored
scores were made with, which day was evaluated last."""

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import upsert
from services.compliance.tables import meta


class MetaKey(StrEnum):
    RULES_VERSION = "rules_version"
    LAST_EVALUATION = "last_evaluation"


class Meta:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: MetaKey) -> str | None:
        return await self.session.scalar(select(meta.c.value).where(meta.c.key == key.value))

    async def set(self, key: MetaKey, value: str) -> None:
        stmt = upsert(self.session, meta).values(key=key.value, value=value)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
