"""The one audit trail of the platform: each service's entries, read from its audit topic."""

from contracts.audit import AuditData, AuditRecorded
from services.identity.audit_store import Filter
from services.identity.unit_of_work import IdentityUnitOfWork


async def entry_recorded(uow: IdentityUnitOfWork, event: AuditRecorded) -> None:
    await uow.audit.add(event.data)


async def trail(uow: IdentityUnitOfWork, wanted: Filter) -> list[AuditData]:
    return await uow.audit.find(wanted)
