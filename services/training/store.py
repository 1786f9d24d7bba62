"""The training service's repositories over its tables (`tables`), typed records in and out
(`entities`), and its unit of work, which opens them with the transaction.

Nothing here is read ahead for a batch: training consumes agency changes and compliance's reminders,
a few at a time, so each repository reads and writes the database as it goes.
"""

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import CloudEvent
from contracts.agencies import AgencyData
from contracts.training import EnrolmentStatus, TrainingRole
from contracts.vocabulary import Level
from services.common.db import one, upsert
from services.common.replica import AgencyCopy
from services.common.uow import Repository, UnitOfWork
from services.training.domain import Day, Quota
from services.training.entities import Certificate, Course, Enrolment, Session
from services.training.tables import (
    attendance,
    certificates,
    courses,
    enrolments,
    invitations,
    replica,
    sessions,
)


class TableRepository(Repository):
    """A repository on the unit of work's database session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def on_postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"


class Agencies(TableRepository):
    """Training's copy of the registry's agencies (`tables.replica`)."""

    async def get(self, code: str) -> AgencyCopy | None:
        return await replica.get(self.session, code)

    async def apply(self, event: CloudEvent) -> list[AgencyData]:
        return await replica.apply(self.session, event)


class Courses(TableRepository):
    async def get(self, code: str) -> Course | None:
        row = await one(self.session, select(courses).where(courses.c.code == code))
        return None if row is None else Course(**row)

    async def all(self) -> list[Course]:
        rows = await self.session.execute(select(courses).order_by(courses.c.code))
        return [Course(**row) for row in rows.mappings()]

    async def add(self, course: Course) -> None:
        await self.session.execute(courses.insert().values(**vars(course)))


def days_json(days: Sequence[Day]) -> list[dict[str, str]]:
    return [
        {"on": d.on.isoformat(), "starts": d.starts.isoformat("minutes"), "ends": d.ends.isoformat("minutes")}
        for d in days
    ]


def session_of(row: Any) -> Session:
    return Session(
        id=row["id"],
        revision=row["revision"],
        course_code=row["course_code"],
        days=tuple(
            Day(date.fromisoformat(d["on"]), time.fromisoformat(d["starts"]), time.fromisoformat(d["ends"]))
            for d in row["days"]
        ),
        venue=row["venue"],
        trainer=row["trainer"],
        capacity=row["capacity"],
        quotas=tuple(
            Quota(
                seats=q["seats"],
                district=q.get("district"),
                level=Level(q["level"]) if q.get("level") else None,
            )
            for q in row["quotas"]
        ),
        per_agency_limit=row["per_agency_limit"],
        enrol_opens_on=row["enrol_opens_on"],
        enrol_closes_on=row["enrol_closes_on"],
        cancelled=row["cancelled"],
        note=row["note"],
        updated_at=row["updated_at"],
    )


def session_values(found: Session) -> dict[str, Any]:
    return {
        "id": found.id,
        "revision": found.revision,
        "course_code": found.course_code,
        "days": days_json(found.days),
        "first_day": found.first_day,
        "last_day": found.last_day,
        "venue": found.venue,
        "trainer": found.trainer,
        "capacity": found.capacity,
        "quotas": [
            {"seats": q.seats, "district": q.district, "level": q.level.value if q.level else None}
            for q in found.quotas
        ],
        "per_agency_limit": found.per_agency_limit,
        "enrol_opens_on": found.enrol_opens_on,
        "enrol_closes_on": found.enrol_closes_on,
        "cancelled": found.cancelled,
        "note": found.note,
        "updated_at": found.updated_at,
    }


class TrainingSessions(TableRepository):
    """The planned sessions (named so as not to be mistaken for the unit of work's database session)."""

    async def get(self, session_id: str, lock: bool = False) -> Session | None:
        """A session; `lock` holds it (PostgreSQL: FOR UPDATE) until the transaction ends, so seats are
        decided one request at a time. SQLite writers already hold the database's one write lock."""
        query = select(sessions).where(sessions.c.id == session_id)
        if lock and self.on_postgresql:
            query = query.with_for_update()
        row = await one(self.session, query)
        return None if row is None else session_of(row)

    async def between(self, first: date, last: date) -> list[Session]:
        """Sessions not cancelled with a day in [first, last]."""
        rows = await self.session.execute(
            select(sessions)
            .where(
                sessions.c.first_day <= last, sessions.c.last_day >= first, sessions.c.cancelled.is_(False)
            )
            .order_by(sessions.c.first_day, sessions.c.id)
        )
        return [session_of(row) for row in rows.mappings()]

    async def upcoming(self, since: date, with_cancelled: bool = False) -> list[Session]:
        """Sessions not cancelled (or, `with_cancelled`, any) that start on or after `since`."""
        query = select(sessions).where(sessions.c.first_day >= since)
        if not with_cancelled:
            query = query.where(sessions.c.cancelled.is_(False))
        rows = await self.session.execute(query.order_by(sessions.c.first_day, sessions.c.id))
        return [session_of(row) for row in rows.mappings()]

    async def lock_schedule(self) -> None:
        """Serialise checks of venues and trainers against other sessions. SQLite writers already hold
        the one write lock; PostgreSQL takes a transaction-scoped advisory lock."""
        if self.on_postgresql:
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext('eiso.training.schedule'))")
            )

    async def save(self, found: Session) -> None:
        values = session_values(found)
        stmt = upsert(self.session, sessions).values(**values)
        changes = {k: v for k, v in values.items() if k != "id"}
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=changes))


def enrolment_of(row: Any) -> Enrolment:
    return Enrolment(**{**row, "role": TrainingRole(row["role"]), "status": EnrolmentStatus(row["status"])})


class Enrolments(TableRepository):
    async def of_session(self, session_id: str) -> list[Enrolment]:
        """A session's enrolments in order of arrival."""
        rows = await self.session.execute(
            select(enrolments).where(enrolments.c.session_id == session_id).order_by(enrolments.c.seq)
        )
        return [enrolment_of(row) for row in rows.mappings()]

    async def get(self, enrolment_id: str) -> Enrolment | None:
        row = await one(self.session, select(enrolments).where(enrolments.c.id == enrolment_id))
        return None if row is None else enrolment_of(row)

    async def of_agency(self, code: str) -> list[Enrolment]:
        rows = await self.session.execute(
            select(enrolments).where(enrolments.c.agency_code == code).order_by(enrolments.c.created_at)
        )
        return [enrolment_of(row) for row in rows.mappings()]

    async def of_agency_between(self, code: str, first: date, last: date) -> list[tuple[Enrolment, Session]]:
        """The agency's enrolments in sessions starting in [first, last], each with its session (one
        query: an agency's page lists them all), by first day, then order of arrival."""
        labelled = [column.label(f"of_session__{column.name}") for column in sessions.c]
        rows = await self.session.execute(
            select(enrolments, *labelled)
            .join(sessions, sessions.c.id == enrolments.c.session_id)
            .where(
                enrolments.c.agency_code == code, sessions.c.first_day >= first, sessions.c.first_day <= last
            )
            .order_by(sessions.c.first_day, enrolments.c.session_id, enrolments.c.seq)
        )
        return [
            (
                enrolment_of({column.name: row[column.name] for column in enrolments.c}),
                session_of({column.name: row[f"of_session__{column.name}"] for column in sessions.c}),
            )
            for row in rows.mappings()
        ]

    async def add(self, enrolment: Enrolment) -> None:
        values = vars(enrolment) | {"role": enrolment.role.value, "status": enrolment.status.value}
        await self.session.execute(enrolments.insert().values(**values))

    async def save_status(self, enrolment: Enrolment) -> None:
        """Write the enrolment's status (and when it changed)."""
        await self.session.execute(
            enrolments.update()
            .where(enrolments.c.id == enrolment.id)
            .values(status=enrolment.status.value, updated_at=enrolment.updated_at)
        )


class Attendance(TableRepository):
    """Who attended which day, one mark per enrolment and day."""

    async def marks_of(self, enrolment_id: str) -> dict[date, str]:
        rows = await self.session.execute(
            select(attendance.c.on, attendance.c.mark).where(attendance.c.enrolment_id == enrolment_id)
        )
        return {on: mark for on, mark in rows}

    async def mark(self, enrolment_id: str, on: date, value: str, now: datetime) -> None:
        stmt = upsert(self.session, attendance).values(
            enrolment_id=enrolment_id, on=on, mark=value, recorded_at=now
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["enrolment_id", "on"], set_={"mark": value, "recorded_at": now}
            )
        )


class Invitations(TableRepository):
    """One invitation per agency and campaign year, ever."""

    async def sent(self, code: str, year: int) -> bool:
        found = await self.session.scalar(
            select(invitations.c.event_id).where(
                invitations.c.agency_code == code, invitations.c.year == year
            )
        )
        return found is not None

    async def add(self, code: str, year: int, session_id: str | None, event_id: str, now: datetime) -> None:
        await self.session.execute(
            invitations.insert().values(
                agency_code=code, year=year, session_id=session_id, event_id=event_id, sent_at=now
            )
        )


class Certificates(TableRepository):
    async def add(self, certificate: Certificate) -> None:
        await self.session.execute(certificates.insert().values(**vars(certificate)))

    async def get(self, code: str) -> Certificate | None:
        row = await one(self.session, select(certificates).where(certificates.c.code == code))
        return None if row is None else Certificate(**row)

    async def of_agency(self, code: str) -> dict[str, Certificate]:
        """The agency's certificates, by the enrolment each completed."""
        rows = await self.session.execute(select(certificates).where(certificates.c.agency_code == code))
        return {row["enrolment_id"]: Certificate(**row) for row in rows.mappings()}


class TrainingUnitOfWork(UnitOfWork):
    def _open(self) -> None:
        self.agencies = Agencies(self.session)
        self.courses = Courses(self.session)
        self.training_sessions = TrainingSessions(self.session)
        self.enrolments = Enrolments(self.session)
        self.attendance = Attendance(self.session)
        self.invitations = Invitations(self.session)
        self.certificates = Certificates(self.session)

    def repositories(self) -> Sequence[Repository]:
        return (
            self.agencies,
            self.courses,
            self.training_sessions,
            self.enrolments,
            self.attendance,
            self.invitations,
            self.certificates,
        )
