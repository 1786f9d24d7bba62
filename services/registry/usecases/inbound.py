"""The inbound gateway: record events other provincial systems publish on `eiso.inbound.records`.

Each is checked — a registered source, a known agency active on the record's date, a source allowed to
speak for it, not seen before, not older than a version the source already gave — then stored and
republished as the canonical event on `eiso.registry.records`, caused by the inbound one (the same
step as a record from the API: `usecases.records.append_version`). Anything else is dead-lettered with
a reason a person can act on.
"""

from datetime import timedelta

from contracts.agencies import AgencyData
from contracts.records import RecordData, RecordEvent
from contracts.vocabulary import Element
from services.common.consumer import PermanentError
from services.registry import domain
from services.registry.record_versions import Lookup
from services.registry.store.systems import System
from services.registry.unit_of_work import RegistryUnitOfWork
from services.registry.usecases.records import Way, append_version


class FromASystem(Way):
    """A record event from a registered outside system, which speaks for the agencies of its scope and
    those below them; a record it sends again is recognised by its id, whatever its version number."""

    def __init__(self, event: RecordEvent, system: System) -> None:
        self.event, self.system = event, system
        self.channel = event.source
        self.record_id = event.data.record_id
        self.source_version = event.data.version
        self.cause = event
        self.newest: int | None = None
        self.known: RecordData | None = None

    async def admit(self, look: Lookup, code: str, agency: AgencyData | None) -> None:
        day = self.event.data.occurred_on
        if agency is None:
            if not await look.exists(code):
                raise PermanentError(f"unknown agency {code}")
            raise PermanentError(
                f"agency {code} was not active on {day.isoformat()} (dissolved, merged or not yet founded)"
            )
        above = await look.ancestors(agency.code, day)
        if not domain.may_speak_for(self.system.scope, agency, above):
            raise PermanentError(f"source {self.channel} may not publish for {code}")

    async def latest(self, look: Lookup, code: str, element: Element, year: int) -> int:
        latest, self.newest = await look.versions(code, element, year, self.channel)
        self.known = await look.record(str(self.record_id))
        return latest

    def settle(self, new: RecordData) -> RecordData | None:
        if self.known is None:
            domain.check_not_stale(self.event.data, self.channel, self.newest)
            return None
        if domain.same_record(self.known, new):
            return self.known  # the same record sent again under a new event id: nothing new to say
        raise PermanentError(f"record_id {self.record_id} was already used for other content")


async def inbound_record(uow: RegistryUnitOfWork, event: RecordEvent, clock_skew: timedelta) -> None:
    """Check, store and republish one inbound record event (`PermanentError`: dead-lettered)."""
    record, source = event.data, event.source
    if event.time > uow.clock.now() + clock_skew:
        raise PermanentError(
            f"time {event.time.isoformat()} is more than {clock_skew.total_seconds():.0f} s ahead of the "
            "registry's clock: an event cannot be about the future (check the publisher's clock and zone)"
        )
    system = await uow.records.via.system(source)
    if system is None or not system.active:
        raise PermanentError(f"source {source} is not a registered system")
    entry = domain.RecordEntry(
        record.year, record.occurred_on, record.document_ref, record.title, record.notes, record.submitted_by
    )
    try:
        await append_version(uow, FromASystem(event, system), record.agency_code, record.element, entry)
    except domain.DomainError as error:
        raise PermanentError(f"{error.field}: {error}") from None
