"""QMS records as the registry keeps them: append-only versions of (agency, element, year), each with the
event that announced it and, from an outside system, the version number that system gave."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.records import RecordData
from contracts.vocabulary import Element
from services.registry.store.tables import records

VersionKey = tuple[str, str, int]  # (agency, element value, year)


@dataclass(frozen=True)
class AppendedRecord:
    """A record version to store: its data, the event that announces it, when, and the number its
    channel gave (None from the API)."""

    data: RecordData
    event_id: str
    created_at: datetime
    source_version: int | None = None


@dataclass
class VersionNumbers:
    """Of one (agency, element, year): the registry's latest version (0 if none), and the highest version
    number each channel itself gave (None for `api` and for rows older than migration 0003)."""

    latest: int = 0
    by_channel: dict[str | None, int | None] = field(default_factory=dict)


class RecordStore:
    """The records table, read and written on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def current(self, code: str, element: Element, year: int) -> RecordData | None:
        """The latest version of (agency, element, year)."""
        data = await self.session.scalar(
            select(records.c.data)
            .where(records.c.agency_code == code, records.c.element == element.value, records.c.year == year)
            .order_by(records.c.version.desc())
            .limit(1)
        )
        return RecordData.model_validate(data) if data else None

    async def current_of(self, code: str, year: int | None) -> list[RecordData]:
        """The latest version of each (element, year) of an agency."""
        latest = (
            select(records.c.element, records.c.year, func.max(records.c.version).label("version"))
            .where(records.c.agency_code == code)
            .group_by(records.c.element, records.c.year)
        )
        if year is not None:
            latest = latest.where(records.c.year == year)
        sub = latest.subquery()
        rows = await self.session.execute(
            select(records.c.data)
            .join(
                sub,
                (records.c.element == sub.c.element)
                & (records.c.year == sub.c.year)
                & (records.c.version == sub.c.version),
            )
            .where(records.c.agency_code == code)
            .order_by(records.c.year, records.c.element)
        )
        return [RecordData.model_validate(r.data) for r in rows]

    async def last_date(self, code: str) -> date | None:
        """The latest `occurred_on` among the agency's records (an agency cannot end before it)."""
        rows = await self.session.execute(select(records.c.data).where(records.c.agency_code == code))
        return max((RecordData.model_validate(r.data).occurred_on for r in rows), default=None)

    async def by_id(self, ids: Collection[str]) -> dict[str, RecordData]:
        rows = await self.session.execute(
            select(records.c.record_id, records.c.data).where(records.c.record_id.in_(ids))
        )
        return {record_id: RecordData.model_validate(data) for record_id, data in rows}

    async def version_numbers(self, codes: Collection[str]) -> dict[VersionKey, VersionNumbers]:
        """The `VersionNumbers` of every (agency, element, year) of these agencies, in one query."""
        rows = await self.session.execute(
            select(
                records.c.agency_code,
                records.c.element,
                records.c.year,
                records.c.channel,
                func.max(records.c.version),
                func.max(records.c.source_version),
            )
            .where(records.c.agency_code.in_(codes))
            .group_by(records.c.agency_code, records.c.element, records.c.year, records.c.channel)
        )
        found: dict[VersionKey, VersionNumbers] = {}
        for code, element, year, channel, latest, source in rows:
            numbers = found.setdefault((code, element, year), VersionNumbers())
            numbers.latest = max(numbers.latest, latest)
            numbers.by_channel[channel] = source
        return found

    async def add(self, new: Sequence[AppendedRecord]) -> None:
        """Insert these versions in one statement."""
        if new:
            await self.session.execute(
                insert(records),
                [
                    {
                        "record_id": str(r.data.record_id),
                        "agency_code": r.data.agency_code,
                        "element": r.data.element.value,
                        "year": r.data.year,
                        "version": r.data.version,
                        "data": r.data.model_dump(mode="json"),
                        "event_id": r.event_id,
                        "created_at": r.created_at,
                        "channel": r.data.channel,
                        "source_version": r.source_version,
                    }
                    for r in new
                ],
            )
