"""The board's read models as one unit of work sees them (`ReadModels`): training sessions to come and
their seats, the notifier's deliveries and the messages it holds."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.training import EnrolmentStatus, SessionData
from services.common.db import upsert
from services.compliance.board.tables import deliveries, held_messages, training_places, training_sessions

#: Places that take a seat.
SEATED = (EnrolmentStatus.CONFIRMED.value, EnrolmentStatus.COMPLETED.value)


class Outcome(StrEnum):
    """What became of a message the notifier sent."""

    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class UpcomingSession:
    """A training session still to come, with its seats taken (confirmed or completed places)."""

    title_vi: str
    venue: str
    starts_at: datetime
    capacity: int
    taken: int


@dataclass(frozen=True)
class Deliveries:
    """The notifier's messages over a period, by outcome."""

    sent: int
    failed: int


class ReadModels:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save_session(self, data: SessionData) -> None:
        """Keep the highest revision of a session (events of one session arrive in order; a rebuild
        too)."""
        known = await self.session.scalar(
            select(training_sessions.c.revision).where(training_sessions.c.id == data.session_id)
        )
        if known is not None and known >= data.revision:
            return
        values = {
            "revision": data.revision,
            "title_vi": data.course_title_vi,
            "venue": data.venue,
            "starts_at": data.days[0].starts_at,
            "capacity": data.capacity,
            "cancelled": data.cancelled,
        }
        stmt = upsert(self.session, training_sessions).values(id=data.session_id, **values)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))

    async def save_place(self, enrolment_id: str, session_id: str, status: EnrolmentStatus) -> None:
        stmt = upsert(self.session, training_places).values(
            enrolment_id=enrolment_id, session_id=session_id, status=status.value
        )
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=["enrolment_id"], set_={"status": status.value})
        )

    async def upcoming(self, after: datetime) -> list[UpcomingSession]:
        """Sessions still to come (not cancelled), soonest first, with their seats taken."""
        taken = (
            select(training_places.c.session_id, func.count().label("taken"))
            .where(training_places.c.status.in_(SEATED))
            .group_by(training_places.c.session_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(training_sessions, func.coalesce(taken.c.taken, 0).label("taken"))
            .outerjoin(taken, taken.c.session_id == training_sessions.c.id)
            .where(training_sessions.c.starts_at > after, training_sessions.c.cancelled.is_(False))
            .order_by(training_sessions.c.starts_at)
        )
        return [
            UpcomingSession(r["title_vi"], r["venue"], r["starts_at"], r["capacity"], r["taken"])
            for r in rows.mappings()
        ]

    async def save_delivery(self, request_id: str, outcome: Outcome, at: datetime) -> None:
        stmt = upsert(self.session, deliveries).values(request_id=request_id, outcome=outcome.value, at=at)
        await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["request_id"]))

    async def deliveries_since(self, since: datetime) -> Deliveries:
        rows = await self.session.execute(
            select(deliveries.c.outcome, func.count())
            .where(deliveries.c.at > since)
            .group_by(deliveries.c.outcome)
        )
        counts = {outcome: int(count) for outcome, count in rows}
        return Deliveries(sent=counts.get(Outcome.SENT, 0), failed=counts.get(Outcome.FAILED, 0))

    async def hold(self, request_ids: list[str], until: datetime) -> None:
        stmt = upsert(self.session, held_messages).values(
            [{"request_id": r, "until": until} for r in request_ids]
        )
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=["request_id"], set_={"until": stmt.excluded.until})
        )

    async def release(self, request_ids: list[str]) -> None:
        if request_ids:
            await self.session.execute(
                delete(held_messages).where(held_messages.c.request_id.in_(request_ids))
            )

    async def held_at(self, now: datetime) -> int:
        """Messages still waiting for their window or throttle at `now`."""
        query = select(func.count()).select_from(held_messages).where(held_messages.c.until > now)
        return int(await self.session.scalar(query) or 0)
