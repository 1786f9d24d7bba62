"""The notifier's unit of work and the repositories beside the notifications (`notifications.py`): the
escalation ladders, the messages waiting for an agency not read yet, and the training sessions it
reminds of. Typed in and out; each writes as it goes (nothing is preloaded or held back)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.deliveries import RecipientRole
from services.common.db import upsert
from services.common.uow import Repository, UnitOfWork
from services.notifier.notifications import Notifications
from services.notifier.tables import enrolled, escalations, sessions, waiting


@dataclass(frozen=True)
class Escalation:
    """One agency's ladder for one campaign year: officer, then head, then the supervising agency."""

    agency_code: str
    year: int
    started_on: date
    step: int  # the last step taken: 0 officer, 1 head, 2 supervisor
    stopped_on: date | None
    stopped_by: str | None


class Escalations(Repository):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def start(self, code: str, year: int, day: date) -> None:
        """A ladder starts at the officer (step 0), unless one runs already for that year."""
        stmt = upsert(self.session, escalations).values(agency_code=code, year=year, started_on=day, step=0)
        await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["agency_code", "year"]))

    async def stop(self, code: str, day: date, why: str, year: int | None = None) -> None:
        """The agency acted: its open ladders (of `year`, or all) stop."""
        query = update(escalations).where(
            escalations.c.agency_code == code, escalations.c.stopped_on.is_(None)
        )
        if year is not None:
            query = query.where(escalations.c.year == year)
        await self.session.execute(query.values(stopped_on=day, stopped_by=why))

    async def open(self) -> list[Escalation]:
        """The ladders still running with a step to take."""
        rows = await self.session.execute(
            select(escalations).where(escalations.c.stopped_on.is_(None), escalations.c.step < 2)
        )
        return [Escalation(**row) for row in rows.mappings()]

    async def advance(self, code: str, year: int, step: int) -> None:
        await self.session.execute(
            update(escalations)
            .where(escalations.c.agency_code == code, escalations.c.year == year)
            .values(step=step)
        )


@dataclass(frozen=True)
class WaitingMessage:
    """A message for an agency the notifier has not read yet: made when the agency arrives."""

    agency_code: str
    reason: str
    period: str
    roles: tuple[RecipientRole, ...]
    context: dict[str, Any]
    due_at: datetime | None
    critical: bool
    created_at: datetime


class WaitingMessages(Repository):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def wait(self, message: WaitingMessage) -> None:
        """Kept once per (agency, reason, period), like the messages it will become."""
        values = {
            "agency_code": message.agency_code,
            "reason": message.reason,
            "period": message.period,
            "roles": [role.value for role in message.roles],
            "context": message.context,
            "due_at": message.due_at,
            "critical": message.critical,
            "created_at": message.created_at,
        }
        stmt = (
            upsert(self.session, waiting)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["agency_code", "reason", "period"])
        )
        await self.session.execute(stmt)

    async def take(self, code: str) -> list[WaitingMessage]:
        """The messages waiting for `code`, removed (the caller makes them in the same transaction)."""
        rows = await self.session.execute(select(waiting).where(waiting.c.agency_code == code))
        found = [
            WaitingMessage(**{**row, "roles": tuple(RecipientRole(role) for role in row["roles"])})
            for row in rows.mappings()
        ]
        if found:
            await self.session.execute(delete(waiting).where(waiting.c.agency_code == code))
        return found


@dataclass(frozen=True)
class TrainingSession:
    """What messages about a training session say of it."""

    id: str
    course_title_vi: str
    venue: str
    starts_at: datetime


class TrainingSessions(Repository):
    """Training sessions and who is enrolled, as the training-* events tell them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save(self, training: TrainingSession) -> None:
        values = {
            "course_title_vi": training.course_title_vi,
            "venue": training.venue,
            "starts_at": training.starts_at,
        }
        stmt = upsert(self.session, sessions).values(id=training.id, **values)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))

    async def get(self, session_id: str) -> TrainingSession | None:
        row = (
            (await self.session.execute(select(sessions).where(sessions.c.id == session_id)))
            .mappings()
            .first()
        )
        return None if row is None else TrainingSession(**row)

    async def enrol(self, session_id: str, agency_code: str, person: str) -> None:
        stmt = upsert(self.session, enrolled).values(
            session_id=session_id, agency_code=agency_code, person_name=person
        )
        await self.session.execute(stmt.on_conflict_do_nothing())

    async def leave(self, session_id: str, agency_code: str, person: str) -> bool:
        """Forget one person's place; whether anyone from the agency is still enrolled in the session."""
        await self.session.execute(
            enrolled.delete().where(
                enrolled.c.session_id == session_id,
                enrolled.c.agency_code == agency_code,
                enrolled.c.person_name == person,
            )
        )
        return agency_code in await self.agencies_enrolled(session_id)

    async def agencies_enrolled(self, session_id: str) -> list[str]:
        rows = await self.session.execute(
            select(enrolled.c.agency_code).where(enrolled.c.session_id == session_id).distinct()
        )
        return sorted(r.agency_code for r in rows)


class NotifierUnitOfWork(UnitOfWork):
    """One transaction of the notifier, with its repositories."""

    def _open(self) -> None:
        self.notifications = Notifications(self.session)
        self.escalations = Escalations(self.session)
        self.waiting = WaitingMessages(self.session)
        self.training = TrainingSessions(self.session)

    def repositories(self) -> Sequence[Repository]:
        return (self.notifications, self.escalations, self.waiting, self.training)
