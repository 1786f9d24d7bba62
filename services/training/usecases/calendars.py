"""Calendars (iCalendar, `ics`) of one session, or of the sessions an agency's staff attend: what they
import into Outlook or Google."""

from services.training import ics
from services.training.domain import ATTENDING, NotFoundError
from services.training.store import TrainingUnitOfWork
from services.training.usecases.sessions import session_data


async def session_calendar(uow: TrainingUnitOfWork, session_id: str, utc: bool) -> bytes:
    session = await uow.training_sessions.get(session_id)
    if session is None:
        raise NotFoundError("session_id", f"lớp {session_id}")
    data = await session_data(uow, session)
    return ics.calendar_of(data.course_title_vi, [data], uow.clock.now(), utc=utc)


async def agency_calendar(uow: TrainingUnitOfWork, code: str, utc: bool) -> bytes:
    """The sessions the agency's staff are confirmed in (or completed)."""
    agency = await uow.agencies.get(code)
    if agency is None:
        raise NotFoundError("code", f"cơ quan {code}")
    ids = {e.session_id for e in await uow.enrolments.of_agency(code) if e.status in ATTENDING}
    sessions = [
        await session_data(uow, found)
        for session_id in sorted(ids)
        if (found := await uow.training_sessions.get(session_id))
    ]
    name = f"Lịch đào tạo ISO — {agency.name}"
    return ics.calendar_of(name, sessions, uow.clock.now(), utc=utc)
