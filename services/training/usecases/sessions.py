"""Sessions: planned, moved or cancelled by an operator, each change published on the training topic
(keyed by the session, so each session's story stays in order), and read back with their seats.

Days are checked as they were sent (a refusal names the day by its place in the request), and kept
in calendar order, to the minute."""

import uuid
from dataclasses import dataclass, replace
from datetime import date

from contracts.envelope import CloudEvent, derived_id
from contracts.topics import Topic
from contracts.training import (
    EnrolmentStatus,
    SessionData,
    TrainingCancelled,
    TrainingRescheduled,
    TrainingScheduled,
)
from services.common import scopes
from services.common.clock import local_date
from services.training import domain
from services.training.domain import Day, NotFoundError, Quota, RefusalError, Timetable
from services.training.entities import Session, kept_days
from services.training.store import TrainingUnitOfWork
from services.training.usecases.enrolments import promote, visible_session


@dataclass(frozen=True)
class NewSession:
    """A session as an operator plans it."""

    course_code: str
    days: list[Day]
    venue: str
    trainer: str
    capacity: int
    quotas: tuple[Quota, ...] = ()
    per_agency_limit: int | None = None
    #: Default: today.
    enrol_opens_on: date | None = None
    #: Default: the first day.
    enrol_closes_on: date | None = None


@dataclass(frozen=True)
class SessionChanges:
    """What an operator changes in a session (None: unchanged)."""

    days: list[Day] | None = None
    venue: str | None = None
    trainer: str | None = None
    capacity: int | None = None

    def none(self) -> bool:
        return self.days is None and self.venue is None and self.trainer is None and self.capacity is None


@dataclass(frozen=True)
class SeatCounts:
    """Seats of the sessions still to come: taken, free, and people on waiting lists."""

    taken: int = 0
    free: int = 0
    waiting: int = 0


async def seats_taken(uow: TrainingUnitOfWork, session_id: str) -> int:
    return sum(e.status == EnrolmentStatus.CONFIRMED for e in await uow.enrolments.of_session(session_id))


async def session_data(uow: TrainingUnitOfWork, session: Session) -> SessionData:
    """The session as its topic and its API tell it, with its seats taken now."""
    course = await uow.courses.get(session.course_code)
    return SessionData(
        session_id=session.id,
        revision=session.revision,
        course_code=session.course_code,
        course_title_vi=course.title_vi if course else session.course_code,
        days=[d.contract() for d in session.days],
        venue=session.venue,
        trainer=session.trainer,
        capacity=session.capacity,
        seats_taken=await seats_taken(uow, session.id),
        cancelled=session.cancelled,
        note=session.note,
    )


def emit_session(uow: TrainingUnitOfWork, data: SessionData, kind: type[CloudEvent]) -> None:
    uow.emit(
        Topic.TRAINING_SESSIONS,
        kind.create(
            source=uow.source,
            subject=data.session_id,
            data=data,
            time=uow.clock.now(),
            event_id=derived_id("session", data.session_id, data.revision),
        ),
    )


async def check_schedule(
    uow: TrainingUnitOfWork,
    timetable: Timetable,
    days: list[Day],
    venue: str,
    trainer: str,
    session_id: str | None,
) -> None:
    """Inside the year's training window, on no holiday, and no venue or trainer in two places at
    once (checked under the schedule lock, so two plans made at the same moment cannot both pass)."""
    await uow.training_sessions.lock_schedule()
    ordered = sorted(days, key=lambda d: d.on)
    timetable.check(days)
    others = [
        other.booking()
        for other in await uow.training_sessions.between(ordered[0].on, ordered[-1].on)
        if other.id != session_id
    ]
    domain.check_clash(venue, trainer, days, others)


async def create_session(uow: TrainingUnitOfWork, timetable: Timetable, plan: NewSession) -> SessionData:
    course = await uow.courses.get(plan.course_code)
    if course is None:
        raise RefusalError("course_code", f"không có khóa học {plan.course_code}")
    domain.check_enough_days(course.required_days, plan.days)
    await check_schedule(uow, timetable, plan.days, plan.venue, plan.trainer, None)
    days = kept_days(plan.days)
    now = uow.clock.now()
    session = Session(
        id=str(uuid.uuid4()),
        revision=1,
        course_code=plan.course_code,
        days=days,
        venue=plan.venue,
        trainer=plan.trainer,
        capacity=plan.capacity,
        quotas=plan.quotas,
        per_agency_limit=plan.per_agency_limit,
        enrol_opens_on=plan.enrol_opens_on or local_date(now),
        enrol_closes_on=plan.enrol_closes_on or days[0].on,
        cancelled=False,
        note=None,
        updated_at=now,
    )
    if not session.enrol_opens_on <= session.enrol_closes_on <= session.last_day:
        raise RefusalError(
            "enrol_closes_on", "hạn đăng ký phải sau ngày mở đăng ký và trước khi lớp kết thúc"
        )
    await uow.training_sessions.save(session)
    data = await session_data(uow, session)
    emit_session(uow, data, TrainingScheduled)
    return data


async def locked_open_session(uow: TrainingUnitOfWork, session_id: str) -> Session:
    """The session, held under its lock; refused once cancelled."""
    session = await uow.training_sessions.get(session_id, lock=True)
    if session is None:
        raise NotFoundError("session_id", f"lớp {session_id}")
    if session.cancelled:
        raise RefusalError("session_id", "lớp đã hủy", conflict=True)
    return session


async def reschedule(
    uow: TrainingUnitOfWork, timetable: Timetable, session_id: str, changes: SessionChanges
) -> SessionData:
    """New days, venue, trainer or capacity; those enrolled are told (training-rescheduled). A larger
    capacity promotes from the waiting list at once."""
    session = await locked_open_session(uow, session_id)
    if changes.none():
        return await session_data(uow, session)  # nothing changes: nobody is told anything
    days = changes.days or list(session.days)
    course = await uow.courses.get(session.course_code)
    domain.check_enough_days(course.required_days if course else None, days)
    ordered = sorted(days, key=lambda d: d.on)
    updated = replace(
        session,
        days=kept_days(ordered),
        venue=session.venue if changes.venue is None else changes.venue,
        trainer=session.trainer if changes.trainer is None else changes.trainer,
        capacity=session.capacity if changes.capacity is None else changes.capacity,
        revision=session.revision + 1,
        updated_at=uow.clock.now(),
    )
    await check_schedule(uow, timetable, ordered, updated.venue, updated.trainer, session_id)
    updated = replace(updated, enrol_closes_on=min(updated.enrol_closes_on, updated.last_day))
    taken = await seats_taken(uow, session_id)
    if updated.capacity < taken:
        raise RefusalError("capacity", f"lớp đã có {taken} người được xác nhận", conflict=True)
    await uow.training_sessions.save(updated)
    await promote(uow, updated)
    data = await session_data(uow, updated)
    emit_session(uow, data, TrainingRescheduled)
    return data


async def cancel_session(uow: TrainingUnitOfWork, session_id: str, reason: str) -> SessionData:
    """The session will not take place: its enrolments are cancelled, and everyone is told once
    (training-cancelled, with the seats as they were)."""
    session = await locked_open_session(uow, session_id)
    data = await session_data(uow, session)  # seats as they were, for the message
    now = uow.clock.now()
    updated = replace(session, cancelled=True, note=reason, revision=session.revision + 1, updated_at=now)
    await uow.training_sessions.save(updated)
    for enrolment in await uow.enrolments.of_session(session_id):
        if domain.may_become(enrolment.status, EnrolmentStatus.CANCELLED):
            await uow.enrolments.save_status(enrolment.becoming(EnrolmentStatus.CANCELLED, now))
    cancelled = data.model_copy(update={"cancelled": True, "note": reason, "revision": updated.revision})
    emit_session(uow, cancelled, TrainingCancelled)
    return cancelled


async def get_session(uow: TrainingUnitOfWork, session_id: str, trainer: str | None = None) -> SessionData:
    return await session_data(uow, await visible_session(uow, session_id, trainer))


async def list_sessions(
    uow: TrainingUnitOfWork,
    after: date | None,
    free_seats: bool,
    trainer: str | None = None,
    with_cancelled: bool = False,
) -> list[SessionData]:
    """Sessions not cancelled (or, `with_cancelled`, cancelled too: the department's list says what
    became of each) starting on or after `after` (default today); with `free_seats`, only those with a
    seat left; given a `trainer` (a trainer's scope), only those they teach."""
    day = after or local_date(uow.clock.now())
    upcoming = await uow.training_sessions.upcoming(day, with_cancelled)
    found = [await session_data(uow, s) for s in upcoming if scopes.theirs(s.trainer, trainer)]
    return [s for s in found if not free_seats or s.seats_taken < s.capacity]


async def seat_counts(uow: TrainingUnitOfWork) -> SeatCounts:
    """Seats of the sessions still to come: taken, free, and people waiting (the seat gauges)."""
    taken = free = waiting = 0
    for session in await uow.training_sessions.upcoming(local_date(uow.clock.now())):
        statuses = [e.status for e in await uow.enrolments.of_session(session.id)]
        confirmed = statuses.count(EnrolmentStatus.CONFIRMED)
        taken += confirmed
        free += max(0, session.capacity - confirmed)
        waiting += statuses.count(EnrolmentStatus.WAITLISTED)
    return SeatCounts(taken=taken, free=free, waiting=waiting)
