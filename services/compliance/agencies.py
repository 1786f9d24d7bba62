"""Compliance's copy of the registry's agencies as every subdomain reads it (`Agencies`): the agency
events applied the one way the shared replica applies them, and the agencies active on a day, typed."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import CloudEvent
from contracts.agencies import AgencyData
from contracts.vocabulary import Level, Obligation
from services.compliance.tables import agencies, replica


@dataclass(frozen=True)
class Agency:
    """An agency as compliance's copy holds it: what scoring, reports and the plan need of it."""

    code: str
    name: str
    level: Level
    parent_code: str | None
    obligation: Obligation
    uses_eiso_software: bool
    valid_from: date
    valid_to: date | None


def agency_of(row: Any) -> Agency:
    """A row of `agencies` (a mapping) as the typed agency."""
    return Agency(
        code=row["code"],
        name=row["name"],
        level=Level(row["level"]),
        parent_code=row["parent_code"],
        obligation=Obligation(row["obligation"]),
        uses_eiso_software=row["uses_eiso_software"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
    )


async def active_on(session: AsyncSession, day: date) -> list[Agency]:
    """The agencies active on `day`, by code."""
    rows = await session.execute(
        select(agencies)
        .where(agencies.c.valid_from <= day, (agencies.c.valid_to.is_(None)) | (agencies.c.valid_to > day))
        .order_by(agencies.c.code)
    )
    return [agency_of(row) for row in rows.mappings()]


class Agencies:
    """The agencies as one unit of work sees them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, event: CloudEvent) -> list[AgencyData]:
        """Apply one of the six agency events (the replica's one rule); the agencies it saved."""
        return await replica.apply(self.session, event)

    async def known(self, code: str) -> bool:
        return await replica.known(self.session, code)
