"""Agencies as the registry keeps them: every code ever registered, its effective-dated versions
(`AgencyData`) and the lineage links between codes (merges, splits, renames)."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.agencies import AgencyData
from contracts.vocabulary import Level, Obligation
from services.common.vietnamese import search_key
from services.registry import domain
from services.registry.domain import Link
from services.registry.store.tables import agencies, agency_versions, lineage


@dataclass(frozen=True)
class AgencyFilter:
    """What a search of the agencies on one day asks for (None: any)."""

    level: Level | None = None
    parent_code: str | None = None
    obligation: Obligation | None = None
    uses_eiso_software: bool | None = None
    q: str | None = None
    only_code: str | None = None


@dataclass(frozen=True)
class LineageLink:
    """One link of an agency's lineage (`kind` reads from_code → to_code), in the order it was made."""

    id: int
    kind: Link
    from_code: str
    to_code: str
    effective_on: date


async def exists(session: AsyncSession, code: str) -> bool:
    """Whether `code` was ever registered (also how the API keys router checks an agency key's code)."""
    return (await session.scalar(select(agencies.c.code).where(agencies.c.code == code))) is not None


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


def _active_on(day: date) -> Any:
    return and_(
        agency_versions.c.valid_from <= day,
        or_(agency_versions.c.valid_to.is_(None), agency_versions.c.valid_to > day),
    )


class AgencyStore:
    """The agencies, their versions and their lineage, read and written on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, *codes: str) -> None:
        """Serialise writers of these agencies until commit (in code order, so two writers never deadlock).

        On SQLite every writer already holds the database's write lock (BEGIN IMMEDIATE).
        """
        if self.session.get_bind().dialect.name == "postgresql" and codes:
            await self.session.execute(
                select(agencies.c.code)
                .where(agencies.c.code.in_(sorted(set(codes))))
                .order_by(agencies.c.code)
                .with_for_update()
            )

    async def exists(self, code: str) -> bool:
        return await exists(self.session, code)

    async def versions(self, code: str) -> list[AgencyData]:
        rows = await self.session.execute(
            select(agency_versions)
            .where(agency_versions.c.code == code)
            .order_by(agency_versions.c.valid_from)
        )
        return [_version(r) for r in rows]

    async def latest(self, code: str) -> AgencyData | None:
        history = await self.versions(code)
        return history[-1] if history else None

    async def as_of(self, code: str, day: date) -> AgencyData | None:
        query = select(agency_versions).where(agency_versions.c.code == code, _active_on(day))
        row = (await self.session.execute(query)).first()
        return _version(row) if row else None

    async def children_on(self, code: str, day: date) -> list[AgencyData]:
        """Agencies whose parent is `code` on `day`."""
        rows = await self.session.execute(
            select(agency_versions)
            .where(agency_versions.c.parent_code == code, _active_on(day))
            .order_by(agency_versions.c.code)
        )
        return [_version(r) for r in rows]

    async def ancestors(self, code: str, day: date, limit: int = 10) -> list[str]:
        """`code`'s parent, grandparent… on `day`."""
        return domain.ancestors_in(await self.histories_up([code], limit), code, day, limit)

    async def histories(self, codes: Collection[str]) -> dict[str, list[AgencyData]]:
        """Each agency's versions in date order (an unknown code has none)."""
        found: dict[str, list[AgencyData]] = {code: [] for code in codes}
        rows = await self.session.execute(
            select(agency_versions)
            .where(agency_versions.c.code.in_(codes))
            .order_by(agency_versions.c.code, agency_versions.c.valid_from)
        )
        for row in rows:
            found[row.code].append(_version(row))
        return found

    async def histories_up(self, codes: Collection[str], limit: int = 10) -> dict[str, list[AgencyData]]:
        """The histories of these agencies and of every agency above them at any time, `limit` levels up
        at most: one query a level."""
        found: dict[str, list[AgencyData]] = {}
        wanted = set(codes)
        for _ in range(limit + 1):
            wanted -= found.keys()
            if not wanted:
                break
            found |= await self.histories(wanted)
            wanted = {v.parent_code for history in found.values() for v in history if v.parent_code}
        return found

    async def save(self, new: Sequence[AgencyData], now: datetime) -> None:
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
            key = and_(
                agency_versions.c.code == version.code, agency_versions.c.valid_from == version.valid_from
            )
            replaced = await self.session.execute(update(agency_versions).where(key).values(**values))
            if replaced.rowcount == 0:  # type: ignore[attr-defined]
                if not await self.exists(version.code):
                    await self.session.execute(insert(agencies).values(code=version.code, created_at=now))
                await self.session.execute(
                    insert(agency_versions).values(code=version.code, valid_from=version.valid_from, **values)
                )

    async def find(self, day: date, f: AgencyFilter, limit: int, offset: int) -> tuple[list[AgencyData], int]:
        """Agencies as they stood on `day`, filtered, by code; and how many match in all."""
        where = [_active_on(day)]
        if f.level:
            where.append(agency_versions.c.level == f.level.value)
        if f.parent_code:
            where.append(agency_versions.c.parent_code == f.parent_code)
        if f.obligation:
            where.append(agency_versions.c.obligation == f.obligation.value)
        if f.uses_eiso_software is not None:
            where.append(agency_versions.c.uses_eiso_software == f.uses_eiso_software)
        if f.q:
            escaped = search_key(f.q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append(agency_versions.c.search_name.like(f"%{escaped}%", escape="\\"))
        if f.only_code:
            where.append(agency_versions.c.code == f.only_code)
        total = await self.session.scalar(select(func.count()).select_from(agency_versions).where(*where))
        rows = await self.session.execute(
            select(agency_versions).where(*where).order_by(agency_versions.c.code).limit(limit).offset(offset)
        )
        return [_version(r) for r in rows], int(total or 0)

    async def link(self, kind: Link, from_code: str, to_code: str, effective_on: date) -> None:
        await self.session.execute(
            insert(lineage).values(
                kind=kind.value, from_code=from_code, to_code=to_code, effective_on=effective_on
            )
        )

    async def links(self, code: str) -> list[LineageLink]:
        """Every lineage link that touches `code`, oldest first."""
        rows = await self.session.execute(
            select(lineage)
            .where(or_(lineage.c.from_code == code, lineage.c.to_code == code))
            .order_by(lineage.c.effective_on, lineage.c.id)
        )
        return [LineageLink(r.id, Link(r.kind), r.from_code, r.to_code, r.effective_on) for r in rows]
