"""The training service's tables: its copy of agencies, courses, sessions, enrolments, attendance,
invitations and certificates."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import UTCDateTime, new_metadata, one, upsert
from services.common.replica import AgencyReplica
from services.common.replica import agency_ends as replica_ends

metadata = new_metadata()

agencies = Table(
    "agencies",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("level", String(20), nullable=False),
    Column("parent_code", String(64), nullable=True),
    Column("valid_to", Date, nullable=True),
)

agency_ends = replica_ends(metadata)
#: Its copy of the registry's agencies: what quotas and certificates need, never the contacts.
replica = AgencyReplica(agencies, agency_ends)

courses = Table(
    "courses",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("title_vi", String(300), nullable=False),
    #: Days to attend to complete; none means every day of the session.
    Column("required_days", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("course_code", String(40), nullable=False),
    Column("days", JSON, nullable=False),  # [{"on", "starts", "ends"}] giờ Việt Nam
    Column("first_day", Date, nullable=False, index=True),
    Column("last_day", Date, nullable=False),
    Column("venue", String(300), nullable=False),
    Column("trainer", String(200), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("quotas", JSON, nullable=False),
    Column("per_agency_limit", Integer, nullable=True),
    Column("enrol_opens_on", Date, nullable=False),
    Column("enrol_closes_on", Date, nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("note", String(500), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("session_id", String(36), nullable=False, index=True),
    Column("agency_code", String(64), nullable=False, index=True),
    Column("person_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    #: Order of arrival within the session: the waiting list's order.
    Column("seq", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

attendance = Table(
    "attendance",
    metadata,
    Column("enrolment_id", String(36), nullable=False),
    Column("on", Date, nullable=False),
    Column("mark", String(10), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("enrolment_id", "on"),
)

#: One invitation per agency and campaign year, ever.
invitations = Table(
    "invitations",
    metadata,
    Column("agency_code", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("session_id", String(36), nullable=True),
    Column("event_id", String(36), nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("agency_code", "year"),
)

certificates = Table(
    "certificates",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("enrolment_id", String(36), nullable=False, unique=True),
    Column("person_name", String(200), nullable=False),
    Column("agency_code", String(64), nullable=False),
    Column("agency_name", String(300), nullable=False),
    Column("course_title_vi", String(300), nullable=False),
    Column("completed_on", Date, nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
)


async def course(session: AsyncSession, code: str) -> dict[str, Any] | None:
    return await one(session, select(courses).where(courses.c.code == code))


async def all_courses(session: AsyncSession) -> list[dict[str, Any]]:
    return [dict(r) for r in (await session.execute(select(courses).order_by(courses.c.code))).mappings()]


async def session_row(session: AsyncSession, session_id: str, lock: bool = False) -> dict[str, Any] | None:
    """A session; `lock` holds it (PostgreSQL: FOR UPDATE) until the transaction ends, so seats are
    decided one request at a time. SQLite writers already hold the database's one write lock."""
    query = select(sessions).where(sessions.c.id == session_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return await one(session, query)


async def sessions_between(session: AsyncSession, first: date, last: date) -> list[dict[str, Any]]:
    """Sessions not cancelled with a day in [first, last]."""
    rows = await session.execute(
        select(sessions)
        .where(sessions.c.first_day <= last, sessions.c.last_day >= first, sessions.c.cancelled.is_(False))
        .order_by(sessions.c.first_day, sessions.c.id)
    )
    return [dict(r) for r in rows.mappings()]


async def upcoming_sessions(session: AsyncSession, since: date) -> list[dict[str, Any]]:
    """Sessions not cancelled that start on or after `since`."""
    rows = await session.execute(
        select(sessions)
        .where(sessions.c.first_day >= since, sessions.c.cancelled.is_(False))
        .order_by(sessions.c.first_day, sessions.c.id)
    )
    return [dict(r) for r in rows.mappings()]


async def schedule_lock(session: AsyncSession) -> None:
    """Serialise checks of venues and trainers against other sessions. SQLite writers already hold the
    one write lock; PostgreSQL takes a transaction-scoped advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('eiso.training.schedule'))"))


async def save_session(session: AsyncSession, values: dict[str, Any]) -> None:
    stmt = upsert(session, sessions).values(**values)
    changes = {k: v for k, v in values.items() if k != "id"}
    await session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=changes))


async def enrolments_of(session: AsyncSession, session_id: str) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(enrolments).where(enrolments.c.session_id == session_id).order_by(enrolments.c.seq)
    )
    return [dict(r) for r in rows.mappings()]


async def enrolment(session: AsyncSession, enrolment_id: str) -> dict[str, Any] | None:
    return await one(session, select(enrolments).where(enrolments.c.id == enrolment_id))


async def enrolments_of_agency(session: AsyncSession, code: str) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(enrolments).where(enrolments.c.agency_code == code).order_by(enrolments.c.created_at)
    )
    return [dict(r) for r in rows.mappings()]


async def add_enrolment(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(enrolments.insert().values(**values))


async def set_enrolment_status(session: AsyncSession, enrolment_id: str, status: str, now: datetime) -> None:
    await session.execute(
        enrolments.update().where(enrolments.c.id == enrolment_id).values(status=status, updated_at=now)
    )


async def marks_of(session: AsyncSession, enrolment_id: str) -> dict[date, str]:
    rows = await session.execute(
        select(attendance.c.on, attendance.c.mark).where(attendance.c.enrolment_id == enrolment_id)
    )
    return {on: mark for on, mark in rows}


async def mark(session: AsyncSession, enrolment_id: str, on: date, value: str, now: datetime) -> None:
    stmt = upsert(session, attendance).values(enrolment_id=enrolment_id, on=on, mark=value, recorded_at=now)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["enrolment_id", "on"], set_={"mark": value, "recorded_at": now}
        )
    )


async def invited(session: AsyncSession, code: str, year: int) -> bool:
    found = await session.scalar(
        select(invitations.c.event_id).where(invitations.c.agency_code == code, invitations.c.year == year)
    )
    return found is not None


async def add_invitation(
    session: AsyncSession, code: str, year: int, session_id: str | None, event_id: str, now: datetime
) -> None:
    await session.execute(
        invitations.insert().values(
            agency_code=code, year=year, session_id=session_id, event_id=event_id, sent_at=now
        )
    )


async def add_certificate(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(certificates.insert().values(**values))


async def certificate(session: AsyncSession, code: str) -> dict[str, Any] | None:
    return await one(session, select(certificates).where(certificates.c.code == code))


async def certificate_of(session: AsyncSession, enrolment_id: str) -> dict[str, Any] | None:
    return await one(session, select(certificates).where(certificates.c.enrolment_id == enrolment_id))
