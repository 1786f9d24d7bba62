"""The identity service's repositories: the credentials (the original of every replica) and its
copy of the agencies."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import CloudEvent
from contracts.agencies import AgencyData
from contracts.identity import CredentialData, Role
from services.common import credentials
from services.common.credentials import Credential, api_keys
from services.common.replica import AgencyCopy
from services.common.uow import Repository
from services.identity.tables import replica


class Keys(Repository):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key_id: str) -> Credential | None:
        return await credentials.find(self.session, key_id)

    async def save(self, data: CredentialData) -> None:
        await credentials.save(self.session, data)

    async def revoke(self, key_id: str, when: datetime) -> bool:
        return await credentials.mark_revoked(self.session, key_id, when)

    async def all(self) -> list[Credential]:
        rows = await self.session.execute(select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id))
        return [credentials.of_row(row) for row in rows.mappings()]

    async def active_operators(self) -> list[str]:
        """The ids of the active operator keys, locked until the commit, so that two revocations
        cannot both find another operator key left."""
        found = await self.session.execute(
            select(api_keys.c.id)
            .where(api_keys.c.role == Role.OPERATOR.value, api_keys.c.revoked_at.is_(None))
            .with_for_update()
        )
        return list(found.scalars())


class Agencies(Repository):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def known(self, code: str) -> bool:
        return await replica.known(self.session, code)

    async def get(self, code: str) -> AgencyCopy | None:
        """The agency as copied, with its ISO officer's name and e-mail (its only contacts here)."""
        return await replica.get(self.session, code)

    async def apply(self, event: CloudEvent) -> list[AgencyData]:
        return await replica.apply(self.session, event)
