"""What the inbound gateway reads and writes, two ways behind one repository (`InboundRecords`): event by
event from the database (`Lookup`), or, once the consumer's fast pass has preloaded a batch, from what
was read ahead in a few queries, with the new records written at the commit (`ReadAhead`). The handler
is the same either way, so both give the same result by construction."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import CloudEvent
from contracts.agencies import AgencyData
from contracts.records import RecordData, RecordEvent
from contracts.vocabulary import Element
from services.common.uow import Repository, UnitOfWork
from services.registry import domain, store

VersionKey = tuple[str, str, int]  # (agency, element, year)


class Lookup:
    """Event by event, from the database: the careful redo of a batch, and the per-event default."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def system(self, source: str) -> dict[str, Any] | None:
        return await store.system(self.session, source)

    async def lock(self, code: str) -> None:
        await store.lock(self.session, code)

    async def agency_on(self, code: str, day: date) -> AgencyData | None:
        return await store.as_of(self.session, code, day)

    async def ancestors(self, code: str, day: date) -> list[str]:
        return await store.ancestors(self.session, code, day)

    async def versions(self, code: str, element: Element, year: int, channel: str) -> tuple[int, int | None]:
        """The registry's latest version number, and the highest number `channel` itself gave."""
        return numbers_of(await store.version_numbers(self.session, [code]), code, element, year, channel)

    async def record(self, record_id: str) -> RecordData | None:
        return (await store.records_by_id(self.session, [record_id])).get(record_id)

    async def add(self, data: RecordData, event_id: str, now: datetime, source_version: int) -> None:
        await store.add_record(self.session, data, event_id, now, source_version)

    async def flush(self) -> None:
        """Nothing held back: every record was written as it came."""


def numbers_of(
    numbers: dict[VersionKey, store.VersionNumbers], code: str, element: Element, year: int, channel: str
) -> tuple[int, int | None]:
    found = numbers.get((code, element.value, year), store.VersionNumbers())
    return found.latest, found.by_channel.get(channel)


class ReadAhead(Lookup):
    """A batch's systems, agencies (with every agency above them), record versions and known record ids,
    read in about six queries and kept up to date as the batch goes; its new records inserted in one
    statement just before the commit. Its agencies are locked for the whole batch from the start."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.systems: dict[str, dict[str, Any]] = {}
        self.histories: dict[str, list[AgencyData]] = {}
        self.numbers: dict[VersionKey, store.VersionNumbers] = {}
        self.known: dict[str, RecordData] = {}
        self.new_rows: list[dict[str, Any]] = []

    @classmethod
    async def read(cls, session: AsyncSession, events: Sequence[RecordEvent]) -> "ReadAhead":
        ahead = cls(session)
        records = [e.data for e in events]
        codes = {r.agency_code for r in records}
        await store.lock(session, *codes)
        ahead.systems = await store.systems_of(session, {e.source for e in events})
        ahead.histories = await store.histories_up(session, codes)
        ahead.numbers = await store.version_numbers(session, codes)
        ahead.known = await store.records_by_id(session, {str(r.record_id) for r in records})
        return ahead

    async def flush(self) -> None:
        await store.add_records(self.session, self.new_rows)

    async def system(self, source: str) -> dict[str, Any] | None:
        return self.systems.get(source)

    async def lock(self, code: str) -> None:
        """Locked with the whole batch in `prepare`."""

    async def agency_on(self, code: str, day: date) -> AgencyData | None:
        return domain.version_on(self.histories.get(code, ()), day)

    async def ancestors(self, code: str, day: date) -> list[str]:
        return domain.ancestors_in(self.histories, code, day)

    async def versions(self, code: str, element: Element, year: int, channel: str) -> tuple[int, int | None]:
        return numbers_of(self.numbers, code, element, year, channel)

    async def record(self, record_id: str) -> RecordData | None:
        return self.known.get(record_id)

    async def add(self, data: RecordData, event_id: str, now: datetime, source_version: int) -> None:
        self.new_rows.append(store.record_row(data, event_id, now, source_version))
        numbers = self.numbers.setdefault(
            (data.agency_code, data.element.value, data.year), store.VersionNumbers()
        )
        numbers.latest = data.version
        given = numbers.by_channel.get(data.channel)
        numbers.by_channel[data.channel] = source_version if given is None else max(given, source_version)
        self.known[str(data.record_id)] = data


class InboundRecords(Repository):
    """The inbound gateway's repository: `via` reads the database event by event, until a preload puts
    a batch's read-ahead in its place (the consumer's fast pass only)."""

    def __init__(self, session: AsyncSession) -> None:
        self.via: Lookup = Lookup(session)

    async def preload(self, events: Sequence[CloudEvent]) -> None:
        records = [e for e in events if isinstance(e, RecordEvent)]
        if records:
            self.via = await ReadAhead.read(self.via.session, records)

    async def flush(self) -> None:
        await self.via.flush()


class RegistryUnitOfWork(UnitOfWork):
    def _open(self) -> None:
        self.records = InboundRecords(self.session)

    def repositories(self) -> Sequence[Repository]:
        return (self.records,)
