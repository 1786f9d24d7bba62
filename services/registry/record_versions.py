"""Record versions as one unit of work sees them (`Records`, opened as `uow.records`), two ways behind one
repository: event by event from the database (`Lookup`), or, once the consumer's fast pass has preloaded
a batch, from what was read ahead in a few queries, with the new records written at the commit
(`ReadAhead`). Appending a version (`usecases.records.append_version`, from the API and from the
inbound gateway) reads and writes through `via` the same way either way, so both give the same result
by construction."""

from collections.abc import Sequence
from datetime import date

from contracts import CloudEvent
from contracts.agencies import AgencyData
from contracts.records import RecordData, RecordEvent
from contracts.vocabulary import Element
from services.common.uow import Repository
from services.registry import domain
from services.registry.store.agencies import AgencyStore
from services.registry.store.records import AppendedRecord, RecordStore, VersionKey, VersionNumbers
from services.registry.store.systems import System, SystemStore


class Lookup:
    """Event by event, from the database: the API, the careful redo of a batch, and the per-event
    default."""

    def __init__(self, agencies: AgencyStore, systems: SystemStore, records: RecordStore) -> None:
        self.agencies = agencies
        self.systems = systems
        self.records = records

    async def system(self, source: str) -> System | None:
        return await self.systems.get(source)

    async def lock(self, code: str) -> None:
        await self.agencies.lock(code)

    async def exists(self, code: str) -> bool:
        """Whether `code` was ever registered (asked of the database only when a record is refused)."""
        return await self.agencies.exists(code)

    async def agency_on(self, code: str, day: date) -> AgencyData | None:
        return await self.agencies.as_of(code, day)

    async def ancestors(self, code: str, day: date) -> list[str]:
        return await self.agencies.ancestors(code, day)

    async def versions(self, code: str, element: Element, year: int, channel: str) -> tuple[int, int | None]:
        """The registry's latest version number, and the highest number `channel` itself gave."""
        return numbers_of(await self.records.version_numbers([code]), code, element, year, channel)

    async def record(self, record_id: str) -> RecordData | None:
        return (await self.records.by_id([record_id])).get(record_id)

    # What no read-ahead answers is asked of the database, with anything held back written first.

    async def current(self, code: str, element: Element, year: int) -> RecordData | None:
        """The latest version of (agency, element, year)."""
        await self.flush()
        return await self.records.current(code, element, year)

    async def current_of(self, code: str, year: int | None) -> list[RecordData]:
        """The latest version of each (element, year) of an agency."""
        await self.flush()
        return await self.records.current_of(code, year)

    async def last_date(self, code: str) -> date | None:
        """The latest `occurred_on` among the agency's records."""
        await self.flush()
        return await self.records.last_date(code)

    async def add(self, new: AppendedRecord) -> None:
        await self.records.add([new])

    async def flush(self) -> None:
        """Nothing held back: every record was written as it came."""


def numbers_of(
    numbers: dict[VersionKey, VersionNumbers], code: str, element: Element, year: int, channel: str
) -> tuple[int, int | None]:
    found = numbers.get((code, element.value, year), VersionNumbers())
    return found.latest, found.by_channel.get(channel)


class ReadAhead(Lookup):
    """A batch's systems, agencies (with every agency above them), record versions and known record ids,
    read in about six queries and kept up to date as the batch goes; its new records inserted in one
    statement just before the commit. Its agencies are locked for the whole batch from the start."""

    def __init__(self, agencies: AgencyStore, systems: SystemStore, records: RecordStore) -> None:
        super().__init__(agencies, systems, records)
        self.systems_by_id: dict[str, System] = {}
        self.histories: dict[str, list[AgencyData]] = {}
        self.numbers: dict[VersionKey, VersionNumbers] = {}
        self.known: dict[str, RecordData] = {}
        self.new: list[AppendedRecord] = []

    @classmethod
    async def read(cls, lookup: Lookup, events: Sequence[RecordEvent]) -> "ReadAhead":
        ahead = cls(lookup.agencies, lookup.systems, lookup.records)
        records = [e.data for e in events]
        codes = {r.agency_code for r in records}
        await ahead.agencies.lock(*codes)
        ahead.systems_by_id = await ahead.systems.of({e.source for e in events})
        ahead.histories = await ahead.agencies.histories_up(codes)
        ahead.numbers = await ahead.records.version_numbers(codes)
        ahead.known = await ahead.records.by_id({str(r.record_id) for r in records})
        return ahead

    async def flush(self) -> None:
        new, self.new = self.new, []
        await self.records.add(new)

    async def system(self, source: str) -> System | None:
        return self.systems_by_id.get(source)

    async def lock(self, code: str) -> None:
        """Locked with the whole batch in `read`."""

    async def agency_on(self, code: str, day: date) -> AgencyData | None:
        return domain.version_on(self.histories.get(code, ()), day)

    async def ancestors(self, code: str, day: date) -> list[str]:
        return domain.ancestors_in(self.histories, code, day)

    async def versions(self, code: str, element: Element, year: int, channel: str) -> tuple[int, int | None]:
        return numbers_of(self.numbers, code, element, year, channel)

    async def record(self, record_id: str) -> RecordData | None:
        return self.known.get(record_id)

    async def add(self, new: AppendedRecord) -> None:
        self.new.append(new)
        data, given = new.data, new.source_version
        numbers = self.numbers.setdefault((data.agency_code, data.element.value, data.year), VersionNumbers())
        numbers.latest = data.version
        if given is not None:
            before = numbers.by_channel.get(data.channel)
            numbers.by_channel[data.channel] = given if before is None else max(before, given)
        self.known[str(data.record_id)] = data


class Records(Repository):
    """Record versions: `via` reads the database event by event, until a preload puts a batch's
    read-ahead in its place (the consumer's fast pass only)."""

    def __init__(self, agencies: AgencyStore, systems: SystemStore, records: RecordStore) -> None:
        self.via: Lookup = Lookup(agencies, systems, records)

    async def preload(self, events: Sequence[CloudEvent]) -> None:
        records = [e for e in events if isinstance(e, RecordEvent)]
        if records:
            self.via = await ReadAhead.read(self.via, records)

    async def flush(self) -> None:
        await self.via.flush()
