"""QMS records: appending a version of an agency's record — one step (`append_version`) whichever way
the record comes in (`Way`: the API here, the inbound gateway in `usecases.inbound`) — and reading the
current ones."""

import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass

from contracts import CloudEvent, Topic
from contracts.agencies import AgencyData
from contracts.records import RECORD_EVENT_OF, RecordData
from contracts.vocabulary import Element
from services.registry import domain
from services.registry.commands import RecordIn
from services.registry.record_versions import Lookup
from services.registry.store.records import AppendedRecord
from services.registry.unit_of_work import RegistryUnitOfWork


class Way(ABC):
    """One way records come in, with the checks it adds around the append; each check refuses by
    raising."""

    #: The record's `channel`: `api`, or the outside system's id.
    channel: str
    #: The record's id, when the sender gave one (else a new one).
    record_id: uuid.UUID | None = None
    #: The version number the sender itself gave, kept to recognise a late, older version.
    source_version: int | None = None
    #: The event the new version answers, if any (its correlation carries on).
    cause: CloudEvent | None = None

    @abstractmethod
    async def admit(self, look: Lookup, code: str, agency: AgencyData | None) -> None:
        """Before a version is made, given the agency as it was on the record's day (None: not then)."""

    @abstractmethod
    async def latest(self, look: Lookup, code: str, element: Element, year: int) -> int:
        """The latest version number of (agency, element, year), reading what `settle` compares with."""

    @abstractmethod
    def settle(self, new: RecordData) -> RecordData | None:
        """After the version is made: the copy already stored if `new` adds nothing to it, else None."""


@dataclass(frozen=True)
class Appended:
    """The record as it now stands; `added` is False when it was already there (nothing stored or
    published)."""

    record: RecordData
    added: bool


async def append_version(
    uow: RegistryUnitOfWork, way: Way, code: str, element: Element, entry: domain.RecordEntry
) -> Appended:
    """Store the next version of the agency's record for `element` and `entry.year`, and publish it on
    eiso.registry.records: the agency must be active on the record's day (`domain.next_version`), and
    `way` adds its own checks. Raises `domain.DomainError` for a record the rules refuse."""
    look = uow.records.via
    await look.lock(code)
    agency = await look.agency_on(code, entry.occurred_on)
    await way.admit(look, code, agency)
    latest = await way.latest(look, code, element, entry.year)
    data = domain.next_version(agency, code, element, entry, latest, way.channel, way.record_id)
    stored = way.settle(data)
    if stored is not None:
        return Appended(stored, added=False)
    cause = way.cause
    event = RECORD_EVENT_OF[element].create(
        source=uow.source,
        subject=code,
        data=data,
        time=uow.clock.now(),
        correlationid=cause.correlationid if cause else None,
        causationid=str(cause.id) if cause else None,
    )
    await look.add(AppendedRecord(data, str(event.id), uow.clock.now(), way.source_version))
    uow.emit(Topic.REGISTRY_RECORDS, event)
    return Appended(data, added=True)


class ThroughTheApi(Way):
    """A person or a script through the API (whether the caller may write is the route's to check): an
    unknown agency is not there, and a PUT repeated with the same facts adds no version."""

    channel = "api"

    def __init__(self) -> None:
        self.current: RecordData | None = None

    async def admit(self, look: Lookup, code: str, agency: AgencyData | None) -> None:
        if agency is None and not await look.exists(code):
            raise domain.AgencyNotFoundError(code)

    async def latest(self, look: Lookup, code: str, element: Element, year: int) -> int:
        self.current = await look.current(code, element, year)
        return self.current.version if self.current else 0

    def settle(self, new: RecordData) -> RecordData | None:
        same = self.current is not None and domain.same_record(self.current, new)
        return self.current if same else None


async def put_record(uow: RegistryUnitOfWork, code: str, element: Element, body: RecordIn) -> Appended:
    """A new version of the agency's record for `element` and year (the latest is current)."""
    return await append_version(uow, ThroughTheApi(), code, element, domain.RecordEntry(**body.model_dump()))


async def current_records(uow: RegistryUnitOfWork, code: str, year: int | None) -> list[RecordData]:
    """The latest version of each (element, year) of an agency."""
    if not await uow.agencies.exists(code):
        raise domain.AgencyNotFoundError(code)
    return await uow.records.via.current_of(code, year)
