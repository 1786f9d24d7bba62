"""The registry's tables and queries."""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.agencies import AgencyData
from contracts.records import RecordData
from contracts.vocabulary import Element, Level, Obligation
from services.common.db import BigId, UTCDateTime, new_metadata, one
from services.common.vietnamese import search_key
from services.registry import domain

metadata = new_metadata()

#: Identity only: every code ever registered. What an agency was on a day lives in agency_versions.
agencies = Table(
    "agencies",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
)

agency_versions = Table(
    "agency_versions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("code", String(64), ForeignKey("agencies.code"), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=True),
    Column("name", String(300), nullable=False),
    Column("search_name", Text, nullable=False),
    Column("level", String(20), nullable=False),
    Column("parent_code", String(64), nullable=True),
    Column("obligation", String(20), nullable=False),
    Column("uses_eiso_software", Boolean, nullable=False),
    Column("contacts", JSON, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    UniqueConstraint("code", "valid_from"),
    Index("ix_agency_versions_parent_code", "parent_code"),
)

lineage = Table(
    "lineage",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("from_code", String(64), nullable=False, index=True),
    Column("to_code", String(64), nullable=False, index=True),
    Column("effective_on", Date, nullable=False),
)

systems = Table(
    "systems",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("scope", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
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
    #: Who sent it (`api` or an outside system) and, from a system, the version number it gave
    #: (its own numbering, not the registry's): how a late, older version is told from a new one.
    Column("channel", String(64), nullable=True),
    Column("source_version", Integer, nullable=True),
    UniqueConstraint("agency_code", "element", "year", "version"),
)


class Link(StrEnum):
    """How one agency descends from another (from_code → to_code)."""

    MERGED_INTO = "merged_into"  # from = a merged agency, to = its successor
    SPLIT_FROM = "split_from"  # from = a new agency, to = the one it was split from
    RENAMED_FROM = "renamed_from"  # from = the new code, to = the old one


# --- agencies -----------------------------------------------------------------------------------------


def _version(row: Any) -> AgencyData:
    return AgencyData(
        code=row.code,
        name=row.name,
        level=row.level,
        parent_code=row.parent_code,
        obligation=row.obligation,
        uses_eiso_software=row.uses_eiso_software,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        contacts=row.contacts,
    )


async def lock(session: AsyncSession, *codes: str) -> None:
    """Serialise writers of these agencies until commit (in code order, so two writers never deadlock).

    On SQLite every writer already holds the database's write lock (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name == "postgresql" and codes:
        await session.execute(
            select(agencies.c.code)
            .where(agencies.c.code.in_(sorted(set(codes))))
            .order_by(agencies.c.code)
            .with_for_update()
        )


async def exists(session: AsyncSession, code: str) -> bool:
    return (await session.scalar(select(agencies.c.code).where(agencies.c.code == code))) is not None


async def versions(session: AsyncSession, code: str) -> list[AgencyData]:
    rows = await session.execute(
        select(agency_versions).where(agency_versions.c.code == code).order_by(agency_versions.c.valid_from)
    )
    return [_version(r) for r in rows]


async def latest(session: AsyncSession, code: str) -> AgencyData | None:
    history = await versions(session, code)
    return history[-1] if history else None


def _active_on(day: date) -> Any:
    return and_(
        agency_versions.c.valid_from <= day,
        or_(agency_versions.c.valid_to.is_(None), agency_versions.c.valid_to > day),
    )


async def as_of(session: AsyncSession, code: str, day: date) -> AgencyData | None:
    row = (
        await session.execute(select(agency_versions).where(agency_versions.c.code == code, _active_on(day)))
    ).first()
    return _version(row) if row else None


async def children_on(session: AsyncSession, code: str, day: date) -> list[AgencyData]:
    """Agencies whose parent is `code` on `day`."""
    rows = await session.execute(
        select(agency_versions)
        .where(agency_versions.c.parent_code == code, _active_on(day))
        .order_by(agency_versions.c.code)
    )
    return [_version(r) for r in rows]


async def ancestors(session: AsyncSession, code: str, day: date, limit: int = 10) -> list[str]:
    """`code`'s parent, grandparent… on `day`."""
    return domain.ancestors_in(await histories_up(session, [code], limit), code, day, limit)


async def histories(session: AsyncSession, codes: Collection[str]) -> dict[str, list[AgencyData]]:
    """Each agency's versions in date order (an unknown code has none)."""
    found: dict[str, list[AgencyData]] = {code: [] for code in codes}
    rows = await session.execute(
        select(agency_versions)
        .where(agency_versions.c.code.in_(codes))
        .order_by(agency_versions.c.code, agency_versions.c.valid_from)
    )
    for row in rows:
        found[row.code].append(_version(row))
    return found


async def histories_up(
    session: AsyncSession, codes: Collection[str], limit: int = 10
) -> dict[str, list[AgencyData]]:
    """The histories of these agencies and of every agency above them at any time, `limit` levels up
    at most: one query a level."""
    found: dict[str, list[AgencyData]] = {}
    wanted = set(codes)
    for _ in range(limit + 1):
        wanted -= found.keys()
        if not wanted:
            break
        found |= await histories(session, wanted)
        wanted = {v.parent_code for history in found.values() for v in history if v.parent_code}
    return found


async def save_versions(session: AsyncSession, new: list[AgencyData], now: datetime) -> None:
    """Write versions keyed by (code, valid_from): replace the one that exists, insert the others."""
    for version in new:
        values = {
            "valid_to": version.valid_to,
            "name": version.name,
            "search_name": search_key(version.name),
            "level": version.level.value,
            "parent_code": version.parent_code,
            "obligation": version.obligation.value,
            "uses_eiso_software": version.uses_eiso_software,
            "contacts": version.contacts.model_dump(mode="json"),
            "recorded_at": now,
        }
        key = and_(agency_versions.c.code == version.code, agency_versions.c.valid_from == version.valid_from)
        if (await session.execute(update(agency_versions).where(key).values(**values))).rowcount == 0:  # type: ignore[attr-defined]
            if not await exists(session, version.code):
                await session.execute(insert(agencies).values(code=version.code, created_at=now))
            await session.execute(
                insert(agency_versions).values(code=version.code, valid_from=version.valid_from, **values)
            )


@dataclass(frozen=True)
class AgencyFilter:
    as_of: date
    level: Level | None = None
    parent_code: str | None = None
    obligation: Obligation | None = None
    uses_eiso_software: bool | None = None
    q: str | None = None
    only_code: str | None = None


async def find(
    session: AsyncSession, f: AgencyFilter, limit: int, offset: int
) -> tuple[list[AgencyData], int]:
    """Agencies as they stood on `f.as_of`, filtered, by code; and how many match in all."""
    where = [_active_on(f.as_of)]
    if f.level:
        where.append(agency_versions.c.level == f.level.value)
    if f.parent_code:
        where.append(agency_versions.c.parent_code == f.parent_code)
    if f.obligation:
        where.append(agency_versions.c.obligation == f.obligation.value)
    if f.uses_eiso_software is not None:
        where.append(agency_versions.c.uses_eiso_software == f.uses_eiso_software)
    if f.q:
        pattern = "%" + search_key(f.q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(agency_versions.c.search_name.like(pattern, escape="\\"))
    if f.only_code:
        where.append(agency_versions.c.code == f.only_code)
    total = await session.scalar(select(func.count()).select_from(agency_versions).where(*where))
    rows = await session.execute(
        select(agency_versions).where(*where).order_by(agency_versions.c.code).limit(limit).offset(offset)
    )
    return [_version(r) for r in rows], int(total or 0)


# --- lineage ------------------------------------------------------------------------------------------


async def link(session: AsyncSession, kind: Link, from_code: str, to_code: str, effective_on: date) -> None:
    await session.execute(
        insert(lineage).values(
            kind=kind.value, from_code=from_code, to_code=to_code, effective_on=effective_on
        )
    )


async def links(session: AsyncSession, code: str) -> list[dict[str, Any]]:
    """Every lineage link that touches `code`, oldest first."""
    rows = await session.execute(
        select(lineage)
        .where(or_(lineage.c.from_code == code, lineage.c.to_code == code))
        .order_by(lineage.c.effective_on, lineage.c.id)
    )
    return [dict(r._mapping) for r in rows]


# --- outside systems ----------------------------------------------------------------------------------


async def add_system(
    session: AsyncSession, system_id: str, name: str, scope: list[str], now: datetime
) -> None:
    await session.execute(insert(systems).values(id=system_id, name=name, scope=scope, created_at=now))


async def system(session: AsyncSession, system_id: str) -> dict[str, Any] | None:
    return await one(session, select(systems).where(systems.c.id == system_id))


async def all_systems(session: AsyncSession) -> list[dict[str, Any]]:
    return [dict(r) for r in (await session.execute(select(systems).order_by(systems.c.id))).mappings()]


# --- QMS records --------------------------------------------------------------------------------------


async def current_record(session: AsyncSession, code: str, element: Element, year: int) -> RecordData | None:
    data = await session.scalar(
        select(records.c.data)
        .where(records.c.agency_code == code, records.c.element == element.value, records.c.year == year)
        .order_by(records.c.version.desc())
        .limit(1)
    )
    return RecordData.model_validate(data) if data else None


async def last_record_date(session: AsyncSession, code: str) -> date | None:
    """The latest `occurred_on` among the agency's records (an agency cannot end before it)."""
    rows = await session.execute(select(records.c.data).where(records.c.agency_code == code))
    return max((RecordData.model_validate(r.data).occurred_on for r in rows), default=None)


def record_row(
    data: RecordData, event_id: str, now: datetime, source_version: int | None = None
) -> dict[str, Any]:
    return {
        "record_id": str(data.record_id),
        "agency_code": data.agency_code,
        "element": data.element.value,
        "year": data.year,
        "version": data.version,
        "data": data.model_dump(mode="json"),
        "event_id": event_id,
        "created_at": now,
        "channel": data.channel,
        "source_version": source_version,
    }


async def add_record(
    session: AsyncSession, data: RecordData, event_id: str, now: datetime, source_version: int | None = None
) -> None:
    await add_records(session, [record_row(data, event_id, now, source_version)])


async def add_records(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(records), rows)


# --- reading ahead for a batch of inbound records (services.registry.lookup) -------------------------


async def systems_of(session: AsyncSession, ids: Collection[str]) -> dict[str, dict[str, Any]]:
    rows = await session.execute(select(systems).where(systems.c.id.in_(ids)))
    return {row["id"]: dict(row) for row in rows.mappings()}


@dataclass
class VersionNumbers:
    """Of one (agency, element, year): the registry's latest version (0 if none), and the highest version
    number each channel itself gave (None for `api` and for rows older than migration 0003)."""

    latest: int = 0
    by_channel: dict[str | None, int | None] = field(default_factory=dict)


async def version_numbers(
    session: AsyncSession, codes: Collection[str]
) -> dict[tuple[str, str, int], VersionNumbers]:
    """The `VersionNumbers` of every (agency, element, year) of these agencies, in one query."""
    rows = await session.execute(
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
    found: dict[tuple[str, str, int], VersionNumbers] = {}
    for code, element, year, channel, latest, source in rows:
        numbers = found.setdefault((code, element, year), VersionNumbers())
        numbers.latest = max(numbers.latest, latest)
        numbers.by_channel[channel] = source
    return found


async def records_by_id(session: AsyncSession, ids: Collection[str]) -> dict[str, RecordData]:
    rows = await session.execute(
        select(records.c.record_id, records.c.data).where(records.c.record_id.in_(ids))
    )
    return {record_id: RecordData.model_validate(data) for record_id, data in rows}


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
