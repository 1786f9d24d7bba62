"""Calendars (iCalendar) of a session, or of the sessions an agency's staff attend."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.common.auth import Caller, FeedCaller, Role
from services.training.api.common import ServiceDep, answering
from services.training.domain import NotFoundError
from services.training.usecases import calendars

router = APIRouter()
ICS = "text/calendar; charset=utf-8"
TzQuery = Annotated[
    str, Query(pattern="^(local|utc)$", description="local: TZID=Asia/Ho_Chi_Minh; utc: Z times")
]


@router.get("/sessions/{session_id}/calendar.ics", tags=["calendars"])
async def session_calendar(
    session_id: str, caller: Caller, service: ServiceDep, tz: TzQuery = "local"
) -> Response:
    """One session's calendar; a trainer's own sessions only."""
    with answering():
        body = await service.query(
            calendars.session_calendar, session_id, tz == "utc", caller.scope(Role.TRAINER)
        )
    return Response(body, media_type=ICS)


@router.get("/agencies/{code}/calendar.ics", tags=["calendars"])
async def agency_calendar(
    code: str, caller: FeedCaller, service: ServiceDep, tz: TzQuery = "local"
) -> Response:
    """The sessions the agency's staff are confirmed in (or completed). A calendar app subscribes to
    it with the agency's feed token: `?token=…` (`POST /feed-tokens` on the identity service). A
    trainer sees the sessions they teach in it."""
    with answering():
        if not caller.may_read(code):
            raise NotFoundError("code", f"cơ quan {code}")
        body = await service.query(calendars.agency_calendar, code, tz == "utc", caller.scope(Role.TRAINER))
    return Response(body, media_type=ICS)
