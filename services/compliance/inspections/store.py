"""The inspection plan as one unit of work sees it (`Inspections`): each inspection as its latest
revision says, and the plan lock that serialises changes to the plan."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.inspections import InspectionData, InspectionStatus
from services.common.db import upsert
from services.compliance.inspections.tables import inspections


def inspection_of(row: Any) -> InspectionData:
    values = dict(row._mapping)
    values["inspection_id"] = values.pop("id")
    values.pop("updated_at")
    return InspectionData.model_validate(values)


class Inspections:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_plan(self) -> None:
        """Serialise changes to the inspection plan. SQLite writers already hold the one write lock
        (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('eiso.compliance.plan'))"))

    async def save(self, data: InspectionData, now: datetime) -> None:
        values = data.model_dump(mode="json", exclude={"inspection_id"})
        values |= {
            "scheduled_on": data.scheduled_on,
            "held_on": data.held_on,
            "updated_at": now,
        }
        stmt = upsert(self.session, inspections).values(id=data.inspection_id, **values)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))

    async def get(self, inspection_id: str) -> InspectionData | None:
        query = select(inspections).where(inspections.c.id == inspection_id)
        row = (await self.session.execute(query)).first()
        return inspection_of(row) if row else None

    async def in_year(self, year: int, agency_code: str | None = None) -> list[InspectionData]:
        """A year's inspections (cancelled ones too: the plan's history), by day and inspector."""
        query = select(inspections).where(inspections.c.year == year)
        if agency_code is not None:
            query = query.where(inspections.c.agency_code == agency_code)
        rows = await self.session.execute(query.order_by(inspections.c.scheduled_on, inspections.c.inspector))
        return [inspection_of(r) for r in rows]

    async def booked(self) -> set[tuple[str, date]]:
        """(inspector, day) of every inspection not cancelled."""
        rows = await self.session.execute(
            select(inspections.c.inspector, inspections.c.scheduled_on).where(
                inspections.c.status != InspectionStatus.CANCELLED.value
            )
        )
        return {(r.inspector, r.scheduled_on) for r in rows}

    async def last_inspected(self) -> dict[str, date]:
        """The day each agency was last inspected (its latest completed inspection)."""
        rows = await self.session.execute(
            select(inspections.c.agency_code, func.max(inspections.c.held_on))
            .where(inspections.c.status == InspectionStatus.COMPLETED.value)
            .group_by(inspections.c.agency_code)
        )
        return {code: held for code, held in rows}
