"""What the training service does, between the HTTP API (or a consumed event) and the tables: each
function runs inside the caller's unit of work, so a change and the events it implies commit together.
"""

import secrets
import uuid
from datetime import date, datetime, time
from typing import Any

from contracts.envelope import CloudEvent, derived_id
from contracts.fields import clean_line
from contracts.topics import Topic
from contracts.training import (
    CompletionData,
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentData,
    EnrolmentStatus,
    EnrolmentWaitlisted,
    InvitationData,
    SessionData,
    TrainingCancelled,
    TrainingCompleted,
    TrainingInvited,
    TrainingRescheduled,
    TrainingRole,
    TrainingScheduled,
)
from contracts.vocabulary import Level
from services.common.clock import local_date
from services.common.uow import UnitOfWork
from services.common.workdays import WorkingDays
from services.training import domain, store
from services.training.domain import Day, Quota, RefusalError, Seat, SeatRules
from services.training.windows import Windows

STATUS_VI = {
    EnrolmentStatus.CONFIRMED: "đã xác nhận",
    EnrolmentStatus.WAITLISTED: "đang chờ",
    EnrolmentStatus.CANCELLED: "đã hủy",
    EnrolmentStatus.COMPLETED: "đã hoàn thành khóa học",
}

#: Certificate codes: no 0/O or 1/I, so a code read aloud or typed from paper is unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def days_of(row: dict[str, Any]) -> list[Day]:
    return [
        Day(date.fromisoformat(d["on"]), time.fromisoformat(d["starts"]), time.fromisoformat(d["ends"]))
        for d in row["days"]
    ]


def days_json(days: list[Day]) -> list[dict[str, str]]:
    return [
        {"on": d.on.isoformat(), "starts": d.starts.isoformat("minutes"), "ends": d.ends.isoformat("minutes")}
        for d in days
    ]


def rules_of(row: dict[str, Any]) -> SeatRules:
    quotas = tuple(
        Quota(
            seats=q["seats"], district=q.get("district"), level=Level(q["level"]) if q.get("level") else None
        )
        for q in row["quotas"]
    )
    return SeatRules(capacity=row["capacity"], quotas=quotas, per_agency_limit=row["per_agency_limit"])


def first_instant(row: dict[str, Any]) -> datetime:
    return days_of(row)[0].instants()[0]


async def session_data(uow: UnitOfWork, row: dict[str, Any]) -> SessionData:
    course = await store.course(uow.session, row["course_code"])
    taken = sum(
        e["status"] == EnrolmentStatus.CONFIRMED for e in await store.enrolments_of(uow.session, row["id"])
    )
    return SessionData(
        session_id=row["id"],
        revision=row["revision"],
        course_code=row["course_code"],
        course_title_vi=course["title_vi"] if course else row["course_code"],
        days=[d.contract() for d in days_of(row)],
        venue=row["venue"],
        trainer=row["trainer"],
        capacity=row["capacity"],
        seats_taken=taken,
        cancelled=row["cancelled"],
        note=row["note"],
    )


async def publish_session(uow: UnitOfWork, row: dict[str, Any], kind: type[CloudEvent]) -> SessionData:
    data = await session_data(uow, row)
    uow.emit(
        Topic.TRAINING_SESSIONS,
        kind.create(
            source=uow.source,
            subject=row["id"],
            data=data,
            time=uow.clock.now(),
            event_id=derived_id("session", row["id"], row["revision"]),
        ),
    )
    return data


def seats_of(rows: list[dict[str, Any]], groups: dict[str, frozenset[str]]) -> list[Seat]:
    return [
        Seat(
            r["id"],
            r["agency_code"],
            groups.get(r["agency_code"], frozenset()),
            EnrolmentStatus(r["status"]),
            r["seq"],
        )
        for r in rows
    ]


async def groups_for(uow: UnitOfWork, codes: set[str]) -> dict[str, frozenset[str]]:
    found = {}
    for code in codes:
        agency = await store.replica.get(uow.session, code)
        if agency:
            found[code] = domain.groups_of(code, agency.level, agency.parent_code)
    return found


async def emit_enrolment(
    uow: UnitOfWork, row: dict[str, Any], session: dict[str, Any], position: int | None
) -> EnrolmentData:
    data = EnrolmentData(
        enrolment_id=row["id"],
        session_id=row["session_id"],
        agency_code=row["agency_code"],
        person_name=row["person_name"],
        role=TrainingRole(row["role"]),
        status=EnrolmentStatus(row["status"]),
        waitlist_position=position,
        first_day=first_instant(session),
    )
    kinds = {EnrolmentStatus.CONFIRMED: EnrolmentConfirmed, EnrolmentStatus.CANCELLED: EnrolmentCancelled}
    kind = kinds.get(data.status, EnrolmentWaitlisted)
    uow.emit(
        Topic.TRAINING_SESSIONS,
        kind.create(
            source=uow.source,
            subject=row["agency_code"],
            data=data,
            time=uow.clock.now(),
            event_id=derived_id("enrolment", row["id"], data.status.value),
        ),
    )
    return data


async def enrol(
    uow: UnitOfWork, session_id: str, agency_code: str, person_name: str, role: TrainingRole
) -> EnrolmentData:
    """A confirmed seat or a place on the waiting list, decided under the session's lock."""
    session = await store.session_row(uow.session, session_id, lock=True)
    if session is None or session["cancelled"]:
        raise RefusalError("session_id", f"không có lớp {session_id} đang mở", conflict=session is not None)
    today = local_date(uow.clock.now())
    if not session["enrol_opens_on"] <= today <= session["enrol_closes_on"]:
        raise RefusalError(
            "session_id",
            f"lớp chỉ nhận đăng ký từ {session['enrol_opens_on']:%d/%m/%Y} "
            f"đến {session['enrol_closes_on']:%d/%m/%Y}",
            conflict=True,
        )
    agency = await store.replica.get(uow.session, agency_code)
    if agency is None or (agency.valid_to is not None and agency.valid_to <= today):
        raise RefusalError("agency_code", f"cơ quan {agency_code} không có hoặc đã ngừng hoạt động")
    rows = await store.enrolments_of(uow.session, session_id)
    same = clean_line(person_name).casefold()
    if any(
        r["agency_code"] == agency_code
        and clean_line(r["person_name"]).casefold() == same
        and r["status"] != EnrolmentStatus.CANCELLED
        for r in rows
    ):
        # A retry after a lost answer, or a double click: one person holds one place.
        raise RefusalError("person_name", f"{person_name} đã đăng ký lớp này", conflict=True)
    groups = await groups_for(uow, {r["agency_code"] for r in rows} | {agency_code})
    placement = domain.place(agency_code, groups[agency_code], seats_of(rows, groups), rules_of(session))
    now = uow.clock.now()
    row = {
        "id": str(uuid.uuid4()),
        "session_id": session_id,
        "agency_code": agency_code,
        "person_name": person_name,
        "role": role.value,
        "status": placement.status.value,
        "seq": max((r["seq"] for r in rows), default=0) + 1,
        "created_at": now,
        "updated_at": now,
    }
    await store.add_enrolment(uow.session, row)
    return await emit_enrolment(uow, row, session, placement.waitlist_position)


async def cancel_enrolment(uow: UnitOfWork, enrolment_id: str) -> list[str]:
    """Cancel one enrolment and give its seat to whoever waits first and fits; who was promoted."""
    found = await store.enrolment(uow.session, enrolment_id)
    if found is None:
        raise RefusalError("enrolment_id", f"không có đăng ký {enrolment_id}")
    session = await store.session_row(uow.session, found["session_id"], lock=True)
    assert session is not None
    found = await store.enrolment(uow.session, enrolment_id)  # again, under the lock
    assert found is not None
    if found["status"] in (EnrolmentStatus.CANCELLED, EnrolmentStatus.COMPLETED):
        state = STATUS_VI[EnrolmentStatus(found["status"])]
        raise RefusalError("enrolment_id", f"đăng ký {enrolment_id} {state}", conflict=True)
    now = uow.clock.now()
    await store.set_enrolment_status(uow.session, enrolment_id, EnrolmentStatus.CANCELLED.value, now)
    await emit_enrolment(uow, found | {"status": EnrolmentStatus.CANCELLED.value}, session, None)
    return await promote(uow, session)


async def promote(uow: UnitOfWork, session: dict[str, Any]) -> list[str]:
    rows = await store.enrolments_of(uow.session, session["id"])
    groups = await groups_for(uow, {r["agency_code"] for r in rows})
    promoted = domain.promotions(seats_of(rows, groups), rules_of(session))
    now = uow.clock.now()
    for enrolment_id in promoted:
        await store.set_enrolment_status(uow.session, enrolment_id, EnrolmentStatus.CONFIRMED.value, now)
        row = next(r for r in rows if r["id"] == enrolment_id) | {"status": EnrolmentStatus.CONFIRMED.value}
        await emit_enrolment(uow, row, session, None)
    return promoted


async def record_marks(
    uow: UnitOfWork, session_id: str, on: date, marks: dict[str, str]
) -> list[CompletionData]:
    """Attendance for one day; whoever has now attended enough completes the course (once)."""
    session = await store.session_row(uow.session, session_id, lock=True)
    if session is None:
        raise RefusalError("session_id", f"không có lớp {session_id}")
    days = days_of(session)
    if on not in {d.on for d in days}:
        raise RefusalError("on", f"lớp không học ngày {on:%d/%m/%Y}")
    if on > local_date(uow.clock.now()):
        raise RefusalError("on", f"ngày {on:%d/%m/%Y} chưa tới")
    rows = {r["id"]: r for r in await store.enrolments_of(uow.session, session_id)}
    for enrolment_id in marks:
        if rows.get(enrolment_id, {}).get("status") not in (
            EnrolmentStatus.CONFIRMED,
            EnrolmentStatus.COMPLETED,
        ):
            raise RefusalError("marks", f"{enrolment_id} không phải học viên đã xác nhận của lớp")
    now = uow.clock.now()
    course = await store.course(uow.session, session["course_code"])
    assert course is not None
    completed = []
    for enrolment_id, value in marks.items():
        await store.mark(uow.session, enrolment_id, on, value, now)
        row = rows[enrolment_id]
        done_on = domain.completion(
            days, await store.marks_of(uow.session, enrolment_id), course["required_days"]
        )
        if done_on is not None and row["status"] != EnrolmentStatus.COMPLETED:
            completed.append(await complete(uow, row, session, course, done_on))
    return completed


async def complete(
    uow: UnitOfWork, row: dict[str, Any], session: dict[str, Any], course: dict[str, Any], on: date
) -> CompletionData:
    now = uow.clock.now()
    await store.set_enrolment_status(uow.session, row["id"], EnrolmentStatus.COMPLETED.value, now)
    agency = await store.replica.get(uow.session, row["agency_code"])
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    await store.add_certificate(
        uow.session,
        {
            "code": code,
            "enrolment_id": row["id"],
            "person_name": row["person_name"],
            "agency_code": row["agency_code"],
            "agency_name": agency.name if agency else row["agency_code"],
            "course_title_vi": course["title_vi"],
            "completed_on": on,
            "issued_at": now,
        },
    )
    data = CompletionData(
        agency_code=row["agency_code"],
        enrolment_id=row["id"],
        session_id=session["id"],
        course_code=course["code"],
        course_title_vi=course["title_vi"],
        person_name=row["person_name"],
        role=TrainingRole(row["role"]),
        completed_on=on,
        certificate_code=code,
    )
    uow.emit(
        Topic.TRAINING_SESSIONS,
        TrainingCompleted.create(
            source=uow.source,
            subject=row["agency_code"],
            data=data,
            time=now,
            event_id=derived_id("completed", row["id"]),
        ),
    )
    return data


async def invite(uow: UnitOfWork, agency_code: str, year: int, why: str, cause: CloudEvent) -> bool:
    """Invite a lagging agency with nobody enrolled in an upcoming session, once per campaign year."""
    if await store.invited(uow.session, agency_code, year):
        return False
    today = local_date(uow.clock.now())
    upcoming = [s for s in await store.upcoming_sessions(uow.session, today) if s["first_day"].year == year]
    upcoming_ids = {s["id"] for s in upcoming}
    for enrolment in await store.enrolments_of_agency(uow.session, agency_code):
        if enrolment["session_id"] in upcoming_ids and enrolment["status"] in ("confirmed", "waitlisted"):
            return False  # someone is already going
    suggestion = None
    for session in upcoming:
        taken = sum(e["status"] == "confirmed" for e in await store.enrolments_of(uow.session, session["id"]))
        if session["enrol_closes_on"] >= today and taken < session["capacity"]:
            suggestion = session
            break
    if suggestion is None:
        return False  # nothing to invite to yet; a later reminder may find a session
    course = await store.course(uow.session, suggestion["course_code"])
    data = InvitationData(
        agency_code=agency_code,
        year=year,
        session_id=suggestion["id"],
        course_title_vi=course["title_vi"] if course else None,
        first_day=first_instant(suggestion),
        reason_vi=why,
    )
    event_id = derived_id("invitation", agency_code, year)
    uow.emit(
        Topic.TRAINING_SESSIONS,
        TrainingInvited.create(
            source=uow.source,
            subject=agency_code,
            data=data,
            time=uow.clock.now(),
            correlationid=cause.correlationid,
            causationid=str(cause.id),
            event_id=event_id,
        ),
    )
    await store.add_invitation(
        uow.session, agency_code, year, data.session_id, str(event_id), uow.clock.now()
    )
    return True


async def check_schedule(
    uow: UnitOfWork,
    windows: Windows,
    calendar: WorkingDays,
    days: list[Day],
    venue: str,
    trainer: str,
    session_id: str | None,
) -> None:
    """Inside the year's training window, on no holiday, and no venue or trainer in two places at
    once (checked under the schedule lock, so two plans made at the same moment cannot both pass)."""
    await store.schedule_lock(uow.session)
    ordered = sorted(days, key=lambda d: d.on)
    if ordered:
        window = windows.of(ordered[0].on.year)
        domain.check_days(days, window.start, window.end, calendar)
    others = [
        domain.Booking(s["id"], s["venue"], s["trainer"], tuple(days_of(s)))
        for s in await store.sessions_between(uow.session, ordered[0].on, ordered[-1].on)
        if s["id"] != session_id
    ]
    domain.check_clash(venue, trainer, days, others)


async def check_course_fits(uow: UnitOfWork, course_code: str, days: list[Day]) -> None:
    """A session must have enough days for its course to be completed."""
    course = await store.course(uow.session, course_code)
    if course and course["required_days"] and course["required_days"] > len(days):
        raise RefusalError(
            "days", f"khóa học cần {course['required_days']} ngày, lớp chỉ có {len(days)} ngày"
        )


async def create_session(
    uow: UnitOfWork, windows: Windows, calendar: WorkingDays, values: dict[str, Any]
) -> SessionData:
    days: list[Day] = values.pop("days")
    await check_course_fits(uow, values["course_code"], days)
    await check_schedule(uow, windows, calendar, days, values["venue"], values["trainer"], None)
    ordered = sorted(days, key=lambda d: d.on)
    today = local_date(uow.clock.now())
    row = {
        "id": str(uuid.uuid4()),
        "revision": 1,
        **values,
        "days": days_json(ordered),
        "first_day": ordered[0].on,
        "last_day": ordered[-1].on,
        "enrol_opens_on": values.get("enrol_opens_on") or today,
        "enrol_closes_on": values.get("enrol_closes_on") or ordered[0].on,
        "cancelled": False,
        "note": None,
        "updated_at": uow.clock.now(),
    }
    if row["enrol_closes_on"] < row["enrol_opens_on"] or row["enrol_closes_on"] > ordered[-1].on:
        raise RefusalError(
            "enrol_closes_on", "hạn đăng ký phải sau ngày mở đăng ký và trước khi lớp kết thúc"
        )
    await store.save_session(uow.session, row)
    return await publish_session(uow, row, TrainingScheduled)


async def reschedule(
    uow: UnitOfWork, windows: Windows, calendar: WorkingDays, session_id: str, changes: dict[str, Any]
) -> SessionData:
    """New days, venue, trainer or capacity; those enrolled are told (training-rescheduled). A larger
    capacity promotes from the waiting list at once."""
    row = await store.session_row(uow.session, session_id, lock=True)
    if row is None:
        raise LookupError(session_id)
    if row["cancelled"]:
        raise RefusalError("session_id", "lớp đã hủy", conflict=True)
    if not changes:
        return await session_data(uow, row)  # nothing changes: nobody is told anything
    days: list[Day] = changes.pop("days", None) or days_of(row)
    await check_course_fits(uow, row["course_code"], days)
    ordered = sorted(days, key=lambda d: d.on)
    updated = (
        row
        | changes
        | {
            "days": days_json(ordered),
            "first_day": ordered[0].on,
            "last_day": ordered[-1].on,
            "revision": row["revision"] + 1,
            "updated_at": uow.clock.now(),
        }
    )
    await check_schedule(uow, windows, calendar, ordered, updated["venue"], updated["trainer"], session_id)
    updated["enrol_closes_on"] = min(updated["enrol_closes_on"], ordered[-1].on)
    taken = sum(
        e["status"] == EnrolmentStatus.CONFIRMED for e in await store.enrolments_of(uow.session, session_id)
    )
    if updated["capacity"] < taken:
        raise RefusalError("capacity", f"lớp đã có {taken} người được xác nhận", conflict=True)
    await store.save_session(uow.session, updated)
    await promote(uow, updated)
    return await publish_session(uow, updated, TrainingRescheduled)


async def cancel_session(uow: UnitOfWork, session_id: str, reason: str) -> SessionData:
    row = await store.session_row(uow.session, session_id, lock=True)
    if row is None:
        raise LookupError(session_id)
    if row["cancelled"]:
        raise RefusalError("session_id", "lớp đã hủy", conflict=True)
    data = await session_data(uow, row)  # seats as they were, for the message
    updated = row | {
        "cancelled": True,
        "note": reason,
        "revision": row["revision"] + 1,
        "updated_at": uow.clock.now(),
    }
    await store.save_session(uow.session, updated)
    for enrolment in await store.enrolments_of(uow.session, session_id):
        if enrolment["status"] in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED):
            await store.set_enrolment_status(
                uow.session, enrolment["id"], EnrolmentStatus.CANCELLED.value, uow.clock.now()
            )
    cancelled = data.model_copy(update={"cancelled": True, "note": reason, "revision": updated["revision"]})
    uow.emit(
        Topic.TRAINING_SESSIONS,
        TrainingCancelled.create(
            source=uow.source,
            subject=session_id,
            data=cancelled,
            time=uow.clock.now(),
            event_id=derived_id("session", session_id, updated["revision"]),
        ),
    )
    return cancelled
