"""What the compliance service does with each event it consumes."""

from contracts import Topic
from contracts.agencies import (
    AgencyDissolved,
    AgencyMerged,
    AgencyRegistered,
    AgencyRenamed,
    AgencySplit,
    AgencyUpdated,
)
from contracts.compliance import ComplianceScoreChanged
from contracts.records import RECORD_EVENTS, RecordEvent
from services.common.consumer import Handler
from services.common.uow import UnitOfWork
from services.compliance import domain, store


async def agency_changed(uow: UnitOfWork, event: AgencyRegistered | AgencyUpdated) -> None:
    await store.save_agency(uow.session, event.data)


async def agency_renamed(uow: UnitOfWork, event: AgencyRenamed) -> None:
    if event.data.previous_code:
        await store.end_agency(uow.session, event.data.previous_code, event.data.valid_from)
    await store.save_agency(uow.session, event.data)


async def agency_merged(uow: UnitOfWork, event: AgencyMerged) -> None:
    for code in event.data.sources:
        await store.end_agency(uow.session, code, event.data.effective_on)
    await store.save_agency(uow.session, event.data.successor)


async def agency_split(uow: UnitOfWork, event: AgencySplit) -> None:
    await store.end_agency(uow.session, event.data.code, event.data.effective_on)
    for part in event.data.into:
        await store.save_agency(uow.session, part)


async def agency_dissolved(uow: UnitOfWork, event: AgencyDissolved) -> None:
    await store.end_agency(uow.session, event.data.code, event.data.effective_on)


async def record_updated(uow: UnitOfWork, event: RecordEvent) -> None:
    """Keep the record as evidence and re-score the agency's year; publish the score if it changed."""
    record, now = event.data, uow.clock.now()
    await store.add_evidence(uow.session, str(event.id), record, now)
    old = await store.score_row(uow.session, record.agency_code, record.year)
    evidence = await store.evidence_for(uow.session, record.agency_code, record.year)
    new = domain.score(record.agency_code, record.year, evidence, previous=old["score"] if old else None)
    applied = (old["events_applied"] if old else 0) + 1
    await store.save_score(uow.session, new, applied, now)
    if domain.changed(new, old):
        uow.emit(
            Topic.COMPLIANCE_STATUS,
            ComplianceScoreChanged.create(
                source=uow.source,
                subject=record.agency_code,
                data=new,
                time=now,
                correlationid=event.correlationid,
                causationid=str(event.id),
            ),
        )


HANDLERS: dict[str, Handler] = {
    AgencyRegistered.event_type: agency_changed,
    AgencyUpdated.event_type: agency_changed,
    AgencyRenamed.event_type: agency_renamed,
    AgencyMerged.event_type: agency_merged,
    AgencySplit.event_type: agency_split,
    AgencyDissolved.event_type: agency_dissolved,
    **{event.event_type: record_updated for event in RECORD_EVENTS},
}
