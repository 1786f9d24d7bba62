"""Enrolments: a confirmed seat or a place on the waiting list, decided under the session's lock so that
no seat is sold twice; a cancelled seat goes to whoever waits first and fits. Each change is told to
the agency (keyed by its code, so it hears of its enrolments in order)."""

import uuid
from collections.abc import Callable, Iterable

from contracts.envelope import derived_id
from contracts.fields import clean_line
from contracts.topics import Topic
from contracts.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentData,
    EnrolmentStatus,
    EnrolmentWaitlisted,
    TrainingRole,
)
from services.common import scopes
from services.common.clock import local_date
from services.training import domain
from services.training.domain import NotFoundError, RefusalError, Seat
from services.training.entities import Enrolment, Session
from services.training.store import TrainingUnitOfWork

#: The event that tells each status (a promotion is a confirmation too).
EVENT_OF = {
    EnrolmentStatus.CONFIRMED: EnrolmentConfirmed,
    EnrolmentStatus.CANCELLED: EnrolmentCancelled,
}


async def groups_for(uow: TrainingUnitOfWork, codes: set[str]) -> dict[str, frozenset[str]]:
    """The quota groups of each known agency among `codes`."""
    found = {}
    for code in codes:
        agency = await uow.agencies.get(code)
        if agency:
            found[code] = domain.groups_of(code, agency.level, agency.parent_code)
    return found


def seats_of(enrolments: Iterable[Enrolment], groups: dict[str, frozenset[str]]) -> list[Seat]:
    return [
        Seat(e.id, e.agency_code, groups.get(e.agency_code, frozenset()), e.status, e.seq) for e in enrolments
    ]


def emit_enrolment(
    uow: TrainingUnitOfWork, enrolment: Enrolment, session: Session, position: int | None
) -> EnrolmentData:
    data = EnrolmentData(
        enrolment_id=enrolment.id,
        session_id=enrolment.session_id,
        agency_code=enrolment.agency_code,
        person_name=enrolment.person_name,
        role=enrolment.role,
        status=enrolment.status,
        waitlist_position=position,
        first_day=session.starts_at(),
    )
    kind = EVENT_OF.get(data.status, EnrolmentWaitlisted)
    uow.emit(
        Topic.TRAINING_SESSIONS,
        kind.create(
            source=uow.source,
            subject=enrolment.agency_code,
            data=data,
            time=uow.clock.now(),
            event_id=derived_id("enrolment", enrolment.id, data.status.value),
        ),
    )
    return data


async def visible_session(
    uow: TrainingUnitOfWork, session_id: str, trainer: str | None, lock: bool = False
) -> Session:
    """The session (held under its lock with `lock`), if the caller may see it: given a `trainer` (a
    trainer's scope, `Principal.scope`), only one they teach; another trainer's session is, to them,
    not there (404, as an unknown one: who teaches what is not theirs to learn by trying)."""
    session = await uow.training_sessions.get(session_id, lock=lock)
    if session is None or not scopes.theirs(session.trainer, trainer):
        raise NotFoundError("session_id", f"lớp {session_id}")
    return session


async def enrol(
    uow: TrainingUnitOfWork, session_id: str, agency_code: str, person_name: str, role: TrainingRole
) -> EnrolmentData:
    """A confirmed seat or a place on the waiting list, decided under the session's lock."""
    if await uow.training_sessions.get(session_id) is None:
        raise NotFoundError("session_id", f"lớp {session_id}")
    session = await uow.training_sessions.get(session_id, lock=True)
    if session is None or session.cancelled:
        raise RefusalError("session_id", f"không có lớp {session_id} đang mở", conflict=session is not None)
    today = local_date(uow.clock.now())
    if not session.enrol_opens_on <= today <= session.enrol_closes_on:
        raise RefusalError(
            "session_id",
            f"lớp chỉ nhận đăng ký từ {session.enrol_opens_on:%d/%m/%Y} "
            f"đến {session.enrol_closes_on:%d/%m/%Y}",
            conflict=True,
        )
    agency = await uow.agencies.get(agency_code)
    if agency is None or (agency.valid_to is not None and agency.valid_to <= today):
        raise RefusalError("agency_code", f"cơ quan {agency_code} không có hoặc đã ngừng hoạt động")
    enrolments = await uow.enrolments.of_session(session_id)
    same = clean_line(person_name).casefold()
    if any(
        e.agency_code == agency_code
        and clean_line(e.person_name).casefold() == same
        and e.status != EnrolmentStatus.CANCELLED
        for e in enrolments
    ):
        # A retry after a lost answer, or a double click: one person holds one place.
        raise RefusalError("person_name", f"{person_name} đã đăng ký lớp này", conflict=True)
    groups = await groups_for(uow, {e.agency_code for e in enrolments} | {agency_code})
    placement = domain.place(
        agency_code, groups[agency_code], seats_of(enrolments, groups), session.seat_rules()
    )
    now = uow.clock.now()
    enrolment = Enrolment(
        id=str(uuid.uuid4()),
        session_id=session_id,
        agency_code=agency_code,
        person_name=person_name,
        role=role,
        status=placement.status,
        seq=max((e.seq for e in enrolments), default=0) + 1,
        created_at=now,
        updated_at=now,
    )
    await uow.enrolments.add(enrolment)
    return emit_enrolment(uow, enrolment, session, placement.waitlist_position)


async def cancel_enrolment(
    uow: TrainingUnitOfWork, enrolment_id: str, may_write: Callable[[str], bool]
) -> list[str]:
    """Cancel one enrolment and give its seat to whoever waits first and fits; who was promoted.
    `may_write` says for which agencies the caller may act (an enrolment of another is not found)."""
    found = await uow.enrolments.get(enrolment_id)
    if found is None or not may_write(found.agency_code):
        raise NotFoundError("enrolment_id", f"đăng ký {enrolment_id}")
    session = await uow.training_sessions.get(found.session_id, lock=True)
    assert session is not None
    found = await uow.enrolments.get(enrolment_id)  # again, under the lock
    assert found is not None
    cancelled = found.becoming(EnrolmentStatus.CANCELLED, uow.clock.now())
    await uow.enrolments.save_status(cancelled)
    emit_enrolment(uow, cancelled, session, None)
    return await promote(uow, session)


async def promote(uow: TrainingUnitOfWork, session: Session) -> list[str]:
    """Give the session's free seats to those waiting, in order (the first who fits each); who."""
    enrolments = {e.id: e for e in await uow.enrolments.of_session(session.id)}
    groups = await groups_for(uow, {e.agency_code for e in enrolments.values()})
    promoted = domain.promotions(seats_of(enrolments.values(), groups), session.seat_rules())
    now = uow.clock.now()
    for enrolment_id in promoted:
        confirmed = enrolments[enrolment_id].becoming(EnrolmentStatus.CONFIRMED, now)
        await uow.enrolments.save_status(confirmed)
        emit_enrolment(uow, confirmed, session, None)
    return promoted


async def session_enrolments(
    uow: TrainingUnitOfWork, session_id: str, trainer: str | None = None
) -> list[Enrolment]:
    """A session's enrolments in order of arrival: its attendance sheet (none for a session that does
    not exist); given a `trainer` (a trainer's scope), only of a session they teach."""
    if trainer is not None:
        await visible_session(uow, session_id, trainer)
    return await uow.enrolments.of_session(session_id)
