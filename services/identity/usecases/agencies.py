"""The identity service's copy of the registry's agencies (which agencies a key may be issued for)."""

from contracts import CloudEvent
from services.identity.unit_of_work import IdentityUnitOfWork


async def apply_agency_event(uow: IdentityUnitOfWork, event: CloudEvent) -> None:
    """One of the registry's six agency events, applied to the copy (`services.common.replica`)."""
    await uow.agencies.apply(event)
