"""Calendars (iCalendar, `ics`) of one session, or of the sessions an agency's staff attend: what they
import into Outlook or Google."""

from services.common import scopes
from services.training import ics
from services.training.domain import ATTENDING, NotFoundError
from services.training.store import TrainingUnitOfWork
from services.training.usecases.enrolments import visible_session
from services.training.usecases.sessions import session_data


async def session_calendar(
    uow: TrainingUnitOfWork, session_id: str, utc: bool, trainer: str | None = None
) -> bytes:
    """One session's calendar; given a `trainer` (a trainer's scope), only of a session they teach."""
    data = await session_data(uow, await visible_session(uow, session_id, trainer))
    return ics.calendar_of(data.course_title_vi, [data], uow.clock.now(), utc=utc)


async def agency_calendar(uow: TrainingUnitOfWork, code: str, utc: bool, trainer: str | None = None) -> bytes:
    """The sessions the agency's staff are confirmed in (or completed); given a `trainer` (a trainer's
    scope), those of them they teach."""
    agency = await uow.agencies.get(code)
    if agency is None:
        raise NotFoundError("code", f"cơ quan {code}")
    ids = {e.session_id for e in await uow.enrolments.of_agency(code) if e.status in ATTENDING}
    sessions = [
        await session_data(uow, found)
        for session_id in sorted(ids)
        if (found := await uow.training_sessions.get(session_id)) and scopes.theirs(found.trainer, trainer)
    ]
    name = f"Lịch đào tạo ISO — {agency.name}"
    return ics.calendar_of(name, sessions, uow.clock.now(), utc=utc)
