"""The registry's tables and queries."""

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.agencies import AgencyData
from contracts.records import RecordData
from contracts.vocabulary import Element
from services.common.db import UTCDateTime, new_metadata

metadata = new_metadata()

agencies = Table(
    "agencies",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("level", String(20), nullable=False),
    Column("parent_code", String(64), ForeignKey("agencies.code"), nullable=True),
    Column("obligation", String(20), nullable=False),
    Column("uses_eiso_software", Boolean, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("record_id", String(36), primary_key=True),
    Column("agency_code", String(64), ForeignKey("agencies.code"), nullable=False),
    Column("element", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("data", JSON, nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("agency_code", "element", "year", "version"),
)


async def agency(session: AsyncSession, code: str) -> AgencyData | None:
    row = (await session.execute(select(agencies).where(agencies.c.code == code))).mappings().first()
    return AgencyData.model_validate(dict(row)) if row else None


async def add_agency(session: AsyncSession, data: AgencyData, now: Any) -> None:
    await session.execute(insert(agencies).values(**data.model_dump(), created_at=now))


async def latest_version(session: AsyncSession, code: str, element: Element, year: int) -> int:
    version = await session.scalar(
        select(func.max(records.c.version)).where(
            records.c.agency_code == code, records.c.element == element.value, records.c.year == year
        )
    )
    return int(version or 0)


async def add_record(session: AsyncSession, data: RecordData, event_id: str, now: Any) -> None:
    await session.execute(
        insert(records).values(
            record_id=str(data.record_id),
            agency_code=data.agency_code,
            element=data.element.value,
            year=data.year,
            version=data.version,
            data=data.model_dump(mode="json"),
            event_id=event_id,
            created_at=now,
        )
    )


async def current_records(session: AsyncSession, code: str, year: int | None) -> list[RecordData]:
    """The latest version of each (element, year) of an agency."""
    latest = (
        select(records.c.element, records.c.year, func.max(records.c.version).label("version"))
        .where(records.c.agency_code == code)
        .group_by(records.c.element, records.c.year)
    )
    if year is not None:
        latest = latest.where(records.c.year == year)
    sub = latest.subquery()
    rows = await session.execute(
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
