"""Training's use cases on its own schema (SQLite), each in a unit of work committed as a route's
`Service.command` commits it: seats, quotas and the waiting list as they are kept between requests,
attendance to completion, what a completed enrolment refuses, and a trainer's reach: the sessions they
teach."""

from collections.abc import Awaitable, Callable
from datetime import date, time
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.training import EnrolmentStatus, TrainingRole
from contracts.vocabulary import Level
from services.common import scopes, workdays
from services.common.clock import FixedClock
from services.training import windows
from services.training.domain import Day, NotFoundError, Quota, RefusalError, Timetable
from services.training.settings import WINDOWS_FILE
from services.training.store import TrainingUnitOfWork
from services.training.usecases import (
    agencies,
    agency_places,
    attendance,
    certificates,
    courses,
    enrolments,
    sessions,
)
from tests.factories import NOW, agency_registered, unique_code

R = TypeVar("R")
TIMETABLE = Timetable(windows.load(WINDOWS_FILE), workdays.load())
#: NOW is 01/06/2022 10:00 giờ Việt Nam: the session's second day, so both days can be marked.
DAYS = [Day(date(2022, 5, 31), time(8), time(11, 30)), Day(date(2022, 6, 1), time(8), time(11, 30))]
Run = Callable[..., Awaitable[Any]]


@pytest.fixture
def run(training_db: async_sessionmaker[AsyncSession]) -> Run:
    """Run a use case in a unit of work of its own and commit it (what `Service.command` does)."""

    async def command(usecase: Callable[..., Awaitable[R]], *args: Any) -> R:
        async with TrainingUnitOfWork(training_db, FixedClock(NOW), "/t") as uow:
            result = await usecase(uow, *args)
            await uow.commit()
        return result

    return command


async def agency(run: Run, level: Level) -> str:
    code = unique_code("A")
    await run(agencies.apply_agency_event, agency_registered(code, f"Cơ quan {code}", level))
    return code


async def planned(
    run: Run, capacity: int, quotas: tuple[Quota, ...] = (), trainer: str = "Giảng viên A"
) -> str:
    course = unique_code("C")
    await run(courses.add_course, course, "Nhận thức TCVN ISO 9001:2015", None)
    plan = sessions.NewSession(
        course_code=course,
        days=DAYS,
        venue=f"Hội trường {course}",
        trainer=trainer,
        capacity=capacity,
        quotas=quotas,
        enrol_opens_on=date(2022, 5, 20),
        enrol_closes_on=date(2022, 6, 1),
    )
    data = await run(sessions.create_session, TIMETABLE, plan)
    return str(data.session_id)


async def test_a_cancelled_seat_goes_to_the_first_who_waits_and_fits_the_kept_quota(run: Run) -> None:
    session_id = await planned(run, capacity=2, quotas=(Quota(seats=1, level=Level.DEPARTMENT),))
    department, second_department, district, commune = [
        await agency(run, level)
        for level in (Level.DEPARTMENT, Level.DEPARTMENT, Level.DISTRICT, Level.COMMUNE)
    ]
    placed = [
        await run(enrolments.enrol, session_id, code, f"Cán bộ {code}", TrainingRole.ISO_OFFICER)
        for code in (department, second_department, district, commune)
    ]
    assert [(p.status, p.waitlist_position) for p in placed] == [
        (EnrolmentStatus.CONFIRMED, None),
        (EnrolmentStatus.WAITLISTED, 1),  # the departments' one seat is taken
        (EnrolmentStatus.CONFIRMED, None),
        (EnrolmentStatus.WAITLISTED, 2),  # the session is full
    ]
    promoted = await run(enrolments.cancel_enrolment, placed[0].enrolment_id, lambda code: True)
    assert promoted == [placed[1].enrolment_id]
    listed = await run(enrolments.session_enrolments, session_id)
    assert [e.status for e in listed] == [
        EnrolmentStatus.CANCELLED,
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.WAITLISTED,
    ]
    assert (await run(sessions.get_session, session_id)).seats_taken == 2


async def test_a_completed_enrolment_is_certified_once_and_cannot_be_cancelled(run: Run) -> None:
    session_id = await planned(run, capacity=5)
    code = await agency(run, Level.DEPARTMENT)
    place = await run(enrolments.enrol, session_id, code, "Nguyễn Thị Mai", TrainingRole.ISO_OFFICER)
    first = await run(attendance.record_attendance, session_id, DAYS[0].on, {place.enrolment_id: "present"})
    assert first == []
    (completion,) = await run(
        attendance.record_attendance, session_id, DAYS[1].on, {place.enrolment_id: "late"}
    )
    assert completion.completed_on == DAYS[1].on
    again = await run(attendance.record_attendance, session_id, DAYS[1].on, {place.enrolment_id: "present"})
    assert again == [], "completed once"

    with pytest.raises(RefusalError) as refused:
        await run(enrolments.cancel_enrolment, place.enrolment_id, lambda code: True)
    assert (str(refused.value), refused.value.conflict) == (
        f"đăng ký {place.enrolment_id} đã hoàn thành khóa học",
        True,
    )
    typed = f"  {completion.certificate_code.lower()} "
    certificate = await run(certificates.verify_certificate, typed)
    assert (certificate.person_name, certificate.agency_name) == ("Nguyễn Thị Mai", f"Cơ quan {code}")


async def test_a_trainer_reads_and_marks_the_sessions_they_teach_and_no_other(run: Run) -> None:
    lan = await planned(run, capacity=5, trainer="Bà Trần Thị Lan")
    minh = await planned(run, capacity=5, trainer="Ông Lê Văn Minh")
    code = await agency(run, Level.DEPARTMENT)
    place = await run(enrolments.enrol, lan, code, "Nguyễn Thị Mai", TrainingRole.ISO_OFFICER)
    other = await run(enrolments.enrol, minh, code, "Trần Văn Bình", TrainingRole.STAFF)
    her = scopes.name_key("bà trần thị LAN")  # her account's name, typed otherwise than the session's

    listed = await run(sessions.list_sessions, DAYS[0].on, False, her)
    assert [s.session_id for s in listed] == [lan]
    assert {s.session_id for s in await run(sessions.list_sessions, DAYS[0].on, False)} == {lan, minh}
    assert (await run(sessions.get_session, lan, her)).trainer == "Bà Trần Thị Lan"
    assert [e.id for e in await run(enrolments.session_enrolments, lan, her)] == [place.enrolment_id]
    marked = await run(attendance.record_attendance, lan, DAYS[0].on, {place.enrolment_id: "present"}, her)
    assert marked == []

    for refused in (
        run(sessions.get_session, minh, her),
        run(enrolments.session_enrolments, minh, her),
        run(attendance.record_attendance, minh, DAYS[0].on, {other.enrolment_id: "present"}, her),
        run(attendance.record_attendance, minh, DAYS[0].on, {other.enrolment_id: "present"}, scopes.NOBODY),
        run(attendance.record_attendance, "no-such-session", DAYS[0].on, {other.enrolment_id: "present"}),
    ):
        with pytest.raises(NotFoundError) as not_there:
            await refused
        assert (not_there.value.field, str(not_there.value).split()[:2]) == ("session_id", ["không", "có"])
    assert await run(enrolments.session_enrolments, "no-such-session") == [], "an operator's empty sheet"


async def test_an_agency_reads_its_places_of_the_year_with_the_certificate_once_completed(run: Run) -> None:
    first = await planned(run, capacity=1, trainer="Bà Trần Thị Lan")
    second = await planned(run, capacity=1, trainer="Ông Lê Văn Minh")
    code, other = await agency(run, Level.DEPARTMENT), await agency(run, Level.DEPARTMENT)
    mai = await run(enrolments.enrol, first, code, "Nguyễn Thị Mai", TrainingRole.ISO_OFFICER)
    await run(enrolments.enrol, second, other, "Trần Văn Bình", TrainingRole.STAFF)  # another agency's
    waiting = await run(enrolments.enrol, second, code, "Lê Văn Hùng", TrainingRole.HEAD)
    gone = await run(enrolments.enrol, first, code, "Phạm Thị Hoa", TrainingRole.STAFF)
    await run(enrolments.cancel_enrolment, gone.enrolment_id, lambda code: True)
    for day in DAYS:
        done = await run(attendance.record_attendance, first, day.on, {mai.enrolment_id: "present"})

    places = await run(agency_places.agency_places, code, 2022)
    assert [(p.enrolment.person_name, p.status) for p in places if p.session.id == first] == [
        ("Nguyễn Thị Mai", EnrolmentStatus.COMPLETED),
        ("Phạm Thị Hoa", EnrolmentStatus.CANCELLED),
    ]
    assert [(p.enrolment.id, p.status) for p in places if p.session.id == second] == [
        (waiting.enrolment_id, EnrolmentStatus.WAITLISTED)
    ], "its own staff only"
    certified = {p.enrolment.person_name: p.certificate for p in places if p.certificate}
    assert list(certified) == ["Nguyễn Thị Mai"]
    assert certified["Nguyễn Thị Mai"].code == done[0].certificate_code
    assert {p.course_title_vi for p in places} == {"Nhận thức TCVN ISO 9001:2015"}
    assert await run(agency_places.agency_places, code) == places, "this year (NOW's) by default"
    assert await run(agency_places.agency_places, code, 2023) == []
    with pytest.raises(NotFoundError):
        await run(agency_places.agency_places, unique_code("X"), 2022)


async def test_the_department_lists_cancelled_sessions_too_when_it_asks(run: Run) -> None:
    kept = await planned(run, capacity=5, trainer="Bà Trần Thị Lan")
    called_off = await planned(run, capacity=5, trainer="Ông Lê Văn Minh")
    await run(sessions.cancel_session, called_off, "Giảng viên ốm")
    assert [s.session_id for s in await run(sessions.list_sessions, DAYS[0].on, False)] == [kept]
    every = await run(sessions.list_sessions, DAYS[0].on, False, None, True)
    assert {(s.session_id, s.cancelled, s.note) for s in every} == {
        (kept, False, None),
        (called_off, True, "Giảng viên ốm"),
    }
