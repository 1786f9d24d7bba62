"""What the compliance service does with each event it consumes."""

from contracts import Topic
from contracts.agencies import AgencyRegistered
from contracts.compliance import ComplianceScoreChanged
from contracts.records import ObjectiveUpdated
from services.common.consumer import Handler
from services.common.uow import UnitOfWork
from services.compliance import domain, store


async def agency_registered(uow: UnitOfWork, event: AgencyRegistered) -> None:
    await store.save_agency(uow.session, event.data)


async def record_updated(uow: UnitOfWork, event: ObjectiveUpdated) -> None:
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
    AgencyRegistered.event_type: agency_registered,
    ObjectiveUpdated.event_type: record_updated,
}
