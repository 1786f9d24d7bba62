"""An agency's training places: each enrolment of its staff in a year's sessions, as its ISO officer
follows them (who goes where and when, who waits, who was cancelled), with the certificate once the
course is completed. Read in one query, so an agency's page costs training one request."""

from dataclasses import dataclass
from datetime import date

from contracts.training import EnrolmentStatus, TrainingRole
from services.common.clock import local_date
from services.training.domain import NotFoundError
from services.training.entities import Certificate, Enrolment, Session
from services.training.store import TrainingUnitOfWork


@dataclass(frozen=True)
class Place:
    """One person's place in a session, with what the session and a completion say of it."""

    enrolment: Enrolment
    session: Session
    course_title_vi: str
    certificate: Certificate | None

    @property
    def status(self) -> EnrolmentStatus:
        return self.enrolment.status

    @property
    def role(self) -> TrainingRole:
        return self.enrolment.role


async def agency_places(uow: TrainingUnitOfWork, code: str, year: int | None = None) -> list[Place]:
    """The places of the agency's staff in sessions starting in `year` (default: this year, giờ Việt
    Nam; cancelled ones too: the officer sees what became of each), by first day; an agency training
    does not know is not there."""
    if await uow.agencies.get(code) is None:
        raise NotFoundError("code", f"cơ quan {code}")
    year = year or local_date(uow.clock.now()).year
    found = await uow.enrolments.of_agency_between(code, date(year, 1, 1), date(year, 12, 31))
    certified = await uow.certificates.of_agency(code) if found else {}
    titles = {course.code: course.title_vi for course in await uow.courses.all()} if found else {}
    return [
        Place(
            enrolment=enrolment,
            session=session,
            course_title_vi=titles.get(session.course_code, session.course_code),
            certificate=certified.get(enrolment.id),
        )
        for enrolment, session in found
    ]
