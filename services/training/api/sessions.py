"""Sessions: planned, moved and cancelled by operators, listed and read by anyone with a key (a trainer
reads the sessions they teach, no other)."""

from datetime import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import Field, model_validator

from contracts.fields import AgencyCode
from contracts.training import SessionData
from contracts.vocabulary import Level
from services.common.audit import by
from services.common.auth import Caller, Role, require
from services.common.inputs import Day as Date
from services.common.inputs import RequestBody
from services.training.api.common import Name, ServiceDep, TimetableDep, Title, answering
from services.training.domain import Day, Quota
from services.training.usecases import sessions
from services.training.usecases.sessions import NewSession, SessionChanges

router = APIRouter()


class DayIn(RequestBody):
    on: Date
    starts: time = Field(description="Giờ Việt Nam, e.g. 08:00.")
    ends: time = Field(description="Giờ Việt Nam, e.g. 11:30.")


class QuotaIn(RequestBody):
    seats: int = Field(ge=1, le=2000)
    district: AgencyCode | None = Field(default=None, description="A district's code.")
    level: Level | None = None

    @model_validator(mode="after")
    def _one_group(self) -> "QuotaIn":
        if (self.district is None) == (self.level is None):
            raise ValueError("a quota names either a district or a level")
        return self


class SessionIn(RequestBody):
    course_code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9\-]{1,39}$")
    days: list[DayIn] = Field(min_length=1, max_length=30)
    venue: Title
    trainer: Name
    capacity: int = Field(ge=1, le=2000)
    quotas: list[QuotaIn] = Field(default_factory=list, max_length=200)
    per_agency_limit: int | None = Field(default=None, ge=1, le=2000)
    enrol_opens_on: Date | None = Field(default=None, description="Default: today.")
    enrol_closes_on: Date | None = Field(default=None, description="Default: the first day.")


class SessionChange(RequestBody):
    days: list[DayIn] | None = Field(default=None, min_length=1, max_length=30)
    venue: Title | None = None
    trainer: Name | None = None
    capacity: int | None = Field(default=None, ge=1, le=2000)


class CancellationIn(RequestBody):
    reason: Title


def days_in(days: list[DayIn]) -> list[Day]:
    return [Day(d.on, d.starts, d.ends) for d in days]


@router.post("/sessions", response_model=SessionData, status_code=201, tags=["sessions"])
async def add_session(
    body: SessionIn, caller: Caller, request: Request, service: ServiceDep, timetable: TimetableDep
) -> SessionData:
    """Plan a session; refused outside the campaign's training window, on a public holiday or a
    province day off (a weekend is allowed), or when its venue or trainer is already taken at that
    time (409, naming which)."""
    require(caller, Role.OPERATOR)
    plan = NewSession(
        course_code=body.course_code,
        days=days_in(body.days),
        venue=body.venue,
        trainer=body.trainer,
        capacity=body.capacity,
        quotas=tuple(Quota(seats=q.seats, district=q.district, level=q.level) for q in body.quotas),
        per_agency_limit=body.per_agency_limit,
        enrol_opens_on=body.enrol_opens_on,
        enrol_closes_on=body.enrol_closes_on,
    )
    with answering():
        return await service.act(by(caller, request, "sessions"), sessions.create_session, timetable, plan)


@router.get("/sessions", response_model=list[SessionData], tags=["sessions"])
async def list_sessions(
    caller: Caller,
    service: ServiceDep,
    after: Annotated[
        Date | None, Query(description="Sessions starting after this day; default today.")
    ] = None,
    free_seats: bool = False,
    cancelled: Annotated[bool, Query(description="Cancelled sessions too (marked `cancelled`).")] = False,
) -> list[SessionData]:
    """Sessions to come; a trainer's own only."""
    return await service.query(
        sessions.list_sessions, after, free_seats, caller.scope(Role.TRAINER), cancelled
    )


@router.get("/sessions/{session_id}", response_model=SessionData, tags=["sessions"])
async def get_session(session_id: str, caller: Caller, service: ServiceDep) -> SessionData:
    """One session; to a trainer, another trainer's session is not there (404)."""
    with answering():
        return await service.query(sessions.get_session, session_id, caller.scope(Role.TRAINER))


@router.patch("/sessions/{session_id}", response_model=SessionData, tags=["sessions"])
async def change_session(
    session_id: str,
    body: SessionChange,
    caller: Caller,
    request: Request,
    service: ServiceDep,
    timetable: TimetableDep,
) -> SessionData:
    require(caller, Role.OPERATOR)
    changes = SessionChanges(
        days=days_in(body.days) if body.days else None,
        venue=body.venue,
        trainer=body.trainer,
        capacity=body.capacity,
    )
    with answering():
        return await service.act(
            by(caller, request, f"session:{session_id}"), sessions.reschedule, timetable, session_id, changes
        )


@router.post("/sessions/{session_id}/cancellation", response_model=SessionData, tags=["sessions"])
async def cancel_session(
    session_id: str, body: CancellationIn, caller: Caller, request: Request, service: ServiceDep
) -> SessionData:
    require(caller, Role.OPERATOR)
    with answering():
        return await service.act(
            by(caller, request, f"session:{session_id}"), sessions.cancel_session, session_id, body.reason
        )
