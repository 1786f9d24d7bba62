"""The inbound gateway: record events other provincial systems publish on `eiso.inbound.records`.

Each is checked — a registered source, a known agency active on the record's date, a source allowed to
speak for it, not seen before, not older than a version the source already gave — then stored and
republished as the canonical event on `eiso.registry.records`, caused by the inbound one. Anything else
is dead-lettered with a reason a person can act on.
"""

from datetime import timedelta
from functools import partial

from contracts import Topic
from contracts.records import RECORD_EVENTS, RecordEvent
from services.common.consumer import Handler, PermanentError
from services.registry import domain, store
from services.registry.lookup import RegistryUnitOfWork


async def inbound_record(uow: RegistryUnitOfWork, event: RecordEvent, clock_skew: timedelta) -> None:
    record, source = event.data, event.source
    if event.time > uow.clock.now() + clock_skew:
        raise PermanentError(
            f"time {event.time.isoformat()} is more than {clock_skew.total_seconds():.0f} s ahead of the "
            "registry's clock: an event cannot be about the future (check the publisher's clock and zone)"
        )
    look = uow.records.via
    system = await look.system(source)
    if system is None or system["revoked_at"] is not None:
        raise PermanentError(f"source {source} is not a registered system")
    await look.lock(record.agency_code)
    agency = await look.agency_on(record.agency_code, record.occurred_on)
    if agency is None:
        if not await store.exists(uow.session, record.agency_code):
            raise PermanentError(f"unknown agency {record.agency_code}")
        raise PermanentError(
            f"agency {record.agency_code} was not active on {record.occurred_on.isoformat()} "
            "(dissolved, merged or not yet founded)"
        )
    above = await look.ancestors(agency.code, record.occurred_on)
    if not domain.may_speak_for(system["scope"], agency, above):
        raise PermanentError(f"source {source} may not publish for {record.agency_code}")
    latest, newest = await look.versions(record.agency_code, record.element, record.year, source)
    entry = domain.RecordEntry(
        record.year, record.occurred_on, record.document_ref, record.title, record.notes, record.submitted_by
    )
    known = await look.record(str(record.record_id))
    try:
        data = domain.next_version(
            agency,
            record.agency_code,
            record.element,
            entry,
            latest,
            channel=source,
            record_id=record.record_id,
        )
        if known is None:  # a record sent again is recognised whatever its number
            domain.check_not_stale(record, source, newest)
    except domain.DomainError as error:
        raise PermanentError(f"{error.field}: {error}") from None
    if known is not None:
        if domain.same_record(known, data):
            return  # the same record sent again under a new event id: nothing new to say
        raise PermanentError(f"record_id {record.record_id} was already used for other content")
    canonical = type(event).create(
        source=uow.source,
        subject=record.agency_code,
        data=data,
        time=uow.clock.now(),
        correlationid=event.correlationid,
        causationid=str(event.id),
    )
    await look.add(data, str(canonical.id), uow.clock.now(), record.version)
    uow.emit(Topic.REGISTRY_RECORDS, canonical)


def handlers(clock_skew: timedelta) -> dict[str, Handler]:
    """The inbound gateway's handler for every record type, allowing publishers' clocks `clock_skew`."""
    handle = partial(inbound_record, clock_skew=clock_skew)
    return {event.event_type: handle for event in RECORD_EVENTS}
