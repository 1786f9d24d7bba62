"""The audit trail as the identity service keeps it: every service's entries, appended, never changed."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.audit import ActorKind, AuditData
from contracts.identity import Role
from services.common.db import upsert
from services.common.uow import Repository
from services.identity.tables import audit


@dataclass(frozen=True)
class Filter:
    actor: str | None = None
    #: A target, or the start of one (`agency:X` finds `agency:X/records/...` too).
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 200


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class AuditTrail(Repository):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entry: AuditData) -> None:
        """Append an entry; one read again (a replayed topic) changes nothing."""
        values = entry.model_dump(exclude={"entry_id"})
        stmt = upsert(self.session, audit).values(id=entry.entry_id, **values)
        await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))

    async def find(self, wanted: Filter) -> list[AuditData]:
        query = select(audit).order_by(audit.c.at.desc(), audit.c.id).limit(wanted.limit)
        if wanted.actor:
            query = query.where(audit.c.actor_id == wanted.actor)
        if wanted.target:
            query = query.where(audit.c.target.like(_like_prefix(wanted.target), escape="\\"))
        if wanted.since:
            query = query.where(audit.c.at >= wanted.since)
        if wanted.until:
            query = query.where(audit.c.at < wanted.until)
        rows = await self.session.execute(query)
        return [
            AuditData(
                **{
                    **row,
                    "entry_id": row["id"],
                    "actor_kind": ActorKind(row["actor_kind"]),
                    "role": Role(row["role"]),
                }
            )
            for row in rows.mappings()
        ]
