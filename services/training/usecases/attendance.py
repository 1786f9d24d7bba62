"""Attendance, day by day, to completion: whoever has attended enough days completes the course once,
gets a certificate, and compliance hears of it (training-completed)."""

import secrets
from datetime import date

from contracts.envelope import derived_id
from contracts.topics import Topic
from contracts.training import CompletionData, EnrolmentStatus, TrainingCompleted
from services.common.clock import local_date
from services.training import domain
from services.training.domain import RefusalError
from services.training.entities import Certificate, Course, Enrolment, Session
from services.training.store import TrainingUnitOfWork
from services.training.usecases.enrolments import visible_session

#: Certificate codes: no 0/O or 1/I, so a code read aloud or typed from paper is unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


async def record_attendance(
    uow: TrainingUnitOfWork, session_id: str, on: date, marks: dict[str, str], trainer: str | None = None
) -> list[CompletionData]:
    """Attendance for one day; whoever has now attended enough completes the course (once). Given a
    `trainer` (a trainer's scope), only for a session they teach (any other is, to them, not there)."""
    session = await visible_session(uow, session_id, trainer, lock=True)
    if on not in {d.on for d in session.days}:
        raise RefusalError("on", f"lớp không học ngày {on:%d/%m/%Y}")
    if on > local_date(uow.clock.now()):
        raise RefusalError("on", f"ngày {on:%d/%m/%Y} chưa tới")
    enrolments = {e.id: e for e in await uow.enrolments.of_session(session_id)}
    for enrolment_id in marks:
        found = enrolments.get(enrolment_id)
        if found is None or found.status not in domain.ATTENDING:
            raise RefusalError("marks", f"{enrolment_id} không phải học viên đã xác nhận của lớp")
    now = uow.clock.now()
    course = await uow.courses.get(session.course_code)
    assert course is not None
    completed = []
    for enrolment_id, value in marks.items():
        await uow.attendance.mark(enrolment_id, on, value, now)
        enrolment = enrolments[enrolment_id]
        done_on = domain.completion(
            session.days, await uow.attendance.marks_of(enrolment_id), course.required_days
        )
        if done_on is not None and domain.may_become(enrolment.status, EnrolmentStatus.COMPLETED):
            completed.append(await complete(uow, enrolment, session, course, done_on))
    return completed


async def complete(
    uow: TrainingUnitOfWork, enrolment: Enrolment, session: Session, course: Course, on: date
) -> CompletionData:
    """The course completed on `on`: the enrolment completed, its certificate issued, compliance told."""
    now = uow.clock.now()
    await uow.enrolments.save_status(enrolment.becoming(EnrolmentStatus.COMPLETED, now))
    agency = await uow.agencies.get(enrolment.agency_code)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    await uow.certificates.add(
        Certificate(
            code=code,
            enrolment_id=enrolment.id,
            person_name=enrolment.person_name,
            agency_code=enrolment.agency_code,
            agency_name=agency.name if agency else enrolment.agency_code,
            course_title_vi=course.title_vi,
            completed_on=on,
            issued_at=now,
        )
    )
    data = CompletionData(
        agency_code=enrolment.agency_code,
        enrolment_id=enrolment.id,
        session_id=session.id,
        course_code=course.code,
        course_title_vi=course.title_vi,
        person_name=enrolment.person_name,
        role=enrolment.role,
        completed_on=on,
        certificate_code=code,
    )
    uow.emit(
        Topic.TRAINING_SESSIONS,
        TrainingCompleted.create(
            source=uow.source,
            subject=enrolment.agency_code,
            data=data,
            time=now,
            event_id=derived_id("completed", enrolment.id),
        ),
    )
    return data
