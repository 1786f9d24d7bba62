"""An agency's training places: its ISO officer follows its staff's enrolments of a year (and their
certificates) in one read; an agency reads its own only, operators and viewers every agency's."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from contracts.training import EnrolmentStatus, TrainingRole
from services.common.auth import Caller, Role, require
from services.training.api.common import ServiceDep, answering
from services.training.domain import NotFoundError
from services.training.usecases import agency_places
from services.training.usecases.agency_places import Place

router = APIRouter()


class AgencyPlaceOut(BaseModel):
    """One person's place, with its session, as the agency's officer reads it."""

    enrolment_id: str
    session_id: str
    course_code: str
    course_title_vi: str
    days: list[date] = Field(description="The session's days, giờ Việt Nam, in calendar order.")
    venue: str
    person_name: str
    role: TrainingRole
    status: EnrolmentStatus
    session_cancelled: bool
    certificate_code: str | None = Field(description="Once the course is completed.")
    completed_on: date | None

    @classmethod
    def of(cls, place: Place) -> "AgencyPlaceOut":
        certificate = place.certificate
        return cls(
            enrolment_id=place.enrolment.id,
            session_id=place.session.id,
            course_code=place.session.course_code,
            course_title_vi=place.course_title_vi,
            days=[d.on for d in place.session.days],
            venue=place.session.venue,
            person_name=place.enrolment.person_name,
            role=place.role,
            status=place.status,
            session_cancelled=place.session.cancelled,
            certificate_code=certificate.code if certificate else None,
            completed_on=certificate.completed_on if certificate else None,
        )


@router.get("/agencies/{code}/enrolments", response_model=list[AgencyPlaceOut], tags=["enrolments"])
async def agency_enrolments(
    code: str,
    caller: Caller,
    service: ServiceDep,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Default: this year.")] = None,
) -> list[AgencyPlaceOut]:
    """Each enrolment of the agency's staff in the year's sessions (by the session's first day), with
    the certificate once completed. Another agency is, to an agency's officer, not there (404)."""
    require(caller, Role.OPERATOR, Role.VIEWER, Role.AGENCY)
    with answering():
        if not caller.may_read(code):
            raise NotFoundError("code", f"cơ quan {code}")
        places = await service.query(agency_places.agency_places, code, year)
    return [AgencyPlaceOut.of(place) for place in places]
