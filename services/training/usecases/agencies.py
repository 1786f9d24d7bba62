"""Training's copy of the registry's agencies (what quotas, enrolments and certificates need)."""

from contracts import CloudEvent
from services.training.store import TrainingUnitOfWork


async def apply_agency_event(uow: TrainingUnitOfWork, event: CloudEvent) -> None:
    """One of the registry's six agency events, applied to the copy (`services.common.replica`)."""
    await uow.agencies.apply(event)
