"""The copy of the registry's agencies that compliance, training and the notifier each keep, applied one
way: the six agency events, and one rule for events that arrive out of order.

Each service keeps the columns it needs (its own `agencies` table, in its own database); the replica
writes what the table has of an agency and nothing else — contacts only where a table has a
`contacts` column (the notifier: reminders need them), the ISO officer's name and e-mail alone where
it has `iso_officer_name` and `iso_officer_email` (the identity service: an invitation needs no more);
personal data under Decree 13/2023/NĐ-CP stays out of the others.

Events of different agencies arrive in no fixed order: a merger is keyed by its successor, so it may
overtake a source's registration, and a rebuild reads the topics' partitions side by side. Hence the
rule:
- an agency's end (dissolved, merged, split, renamed to a new code) is kept apart (`agency_ends`),
  so an end read before the agency itself is not lost, and an agency saved later keeps it;
- an update carries the start of its *version* (a change of contacts today starts a version today),
  while the agency has existed since its first version: the earliest start seen is kept.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Column, Date, MetaData, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import CloudEvent
from contracts.agencies import (
    AgencyData,
    AgencyDissolved,
    AgencyMerged,
    AgencyRegistered,
    AgencyRenamed,
    AgencySplit,
    AgencyUpdated,
    Contact,
    Contacts,
)
from contracts.vocabulary import Level, Obligation
from services.common.db import upsert

#: The agency events a replica applies.
AGENCY_EVENTS = (AgencyRegistered, AgencyUpdated, AgencyRenamed, AgencyMerged, AgencySplit, AgencyDissolved)


def agency_tables(metadata: MetaData, *columns: "Column[Any]") -> "AgencyReplica":
    """A service's replica declared on its `metadata`: an `agencies` table with what every copy keeps
    (code, name, level, parent, end) and the service's own `columns`, and the `agency_ends`."""
    agencies = Table(
        "agencies",
        metadata,
        Column("code", String(64), primary_key=True),
        Column("name", String(300), nullable=False),
        Column("level", String(20), nullable=False),
        Column("parent_code", String(64), nullable=True),
        *columns,
        Column("valid_to", Date, nullable=True),
    )
    return AgencyReplica(agencies, agency_ends(metadata))


def agency_ends(metadata: MetaData) -> Table:
    """The table of ends, the same in every service that keeps a replica."""
    return Table(
        "agency_ends",
        metadata,
        Column("code", String(64), primary_key=True),
        Column("valid_to", Date, nullable=False),
    )


@dataclass(frozen=True)
class AgencyCopy:
    """An agency as a service's replica holds it: what its table keeps (the rest is None)."""

    code: str
    name: str
    level: Level
    parent_code: str | None
    valid_to: date | None
    valid_from: date | None = None
    obligation: Obligation | None = None
    uses_eiso_software: bool | None = None
    contacts: Contacts | None = None

    def active_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


class AgencyReplica:
    """A service's replica: its `agencies` table (at least code, name, level, parent_code and
    valid_to) and its `agency_ends`."""

    def __init__(self, agencies: Table, ends: Table) -> None:
        self.agencies = agencies
        self.ends = ends
        self._columns = {c.name for c in agencies.columns}

    async def apply(self, session: AsyncSession, event: CloudEvent) -> list[AgencyData]:
        """Apply one of the agency events; the agencies it saved (a service may have more to do)."""
        saved: list[AgencyData] = []
        if isinstance(event, AgencyRegistered | AgencyUpdated):
            saved = [event.data]
        elif isinstance(event, AgencyRenamed):
            if event.data.previous_code:
                await self.end(session, event.data.previous_code, event.data.valid_from)
            saved = [event.data]
        elif isinstance(event, AgencyMerged):
            for code in event.data.sources:
                await self.end(session, code, event.data.effective_on)
            saved = [event.data.successor]
        elif isinstance(event, AgencySplit):
            await self.end(session, event.data.code, event.data.effective_on)
            saved = list(event.data.into)
        elif isinstance(event, AgencyDissolved):
            await self.end(session, event.data.code, event.data.effective_on)
        for data in saved:
            await self.save(session, data)
        return saved

    async def save(self, session: AsyncSession, data: AgencyData) -> None:
        values = self._values(data)
        if "valid_from" in values:
            known = await session.scalar(
                select(self.agencies.c.valid_from).where(self.agencies.c.code == data.code)
            )
            if known is not None and known < values["valid_from"]:
                values["valid_from"] = known
        if values.get("valid_to") is None:
            values["valid_to"] = await session.scalar(
                select(self.ends.c.valid_to).where(self.ends.c.code == data.code)
            )
        stmt = upsert(session, self.agencies).values(code=data.code, **values)
        await session.execute(stmt.on_conflict_do_update(index_elements=["code"], set_=values))

    async def end(self, session: AsyncSession, code: str, day: date) -> None:
        """The agency stops on `day`; its copy stays (for past reports). Recorded even before the
        agency itself is known."""
        stmt = upsert(session, self.ends).values(code=code, valid_to=day)
        await session.execute(stmt.on_conflict_do_update(index_elements=["code"], set_={"valid_to": day}))
        await session.execute(update(self.agencies).where(self.agencies.c.code == code).values(valid_to=day))

    async def get(self, session: AsyncSession, code: str) -> AgencyCopy | None:
        row = (
            (await session.execute(select(self.agencies).where(self.agencies.c.code == code)))
            .mappings()
            .first()
        )
        return None if row is None else copy_of(row)

    async def known(self, session: AsyncSession, code: str) -> bool:
        found = await session.scalar(select(self.agencies.c.code).where(self.agencies.c.code == code))
        return found is not None

    def _values(self, data: AgencyData) -> dict[str, Any]:
        officer = data.contacts.iso_officer
        every = {
            "name": data.name,
            "level": data.level.value,
            "parent_code": data.parent_code,
            "obligation": data.obligation.value,
            "uses_eiso_software": data.uses_eiso_software,
            "valid_from": data.valid_from,
            "valid_to": data.valid_to,
            "contacts": data.contacts.model_dump(mode="json"),
            "iso_officer_name": officer.name if officer else None,
            "iso_officer_email": officer.email if officer else None,
        }
        return {k: v for k, v in every.items() if k in self._columns}


def copy_of(row: Any) -> AgencyCopy:
    """A replica row (a mapping) as the typed copy."""
    get = row.get
    return AgencyCopy(
        code=row["code"],
        name=row["name"],
        level=Level(row["level"]),
        parent_code=row["parent_code"],
        valid_to=get("valid_to"),
        valid_from=get("valid_from"),
        obligation=Obligation(get("obligation")) if get("obligation") else None,
        uses_eiso_software=get("uses_eiso_software"),
        contacts=_contacts(row),
    )


def _contacts(row: Any) -> Contacts | None:
    """The contacts a row keeps: all of them, the ISO officer's name and e-mail alone, or none."""
    if row.get("contacts") is not None:
        return Contacts.model_validate(row["contacts"])
    if row.get("iso_officer_name"):
        return Contacts(iso_officer=Contact(name=row["iso_officer_name"], email=row.get("iso_officer_email")))
    return None
