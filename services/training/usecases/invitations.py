"""Invitations of agencies compliance reports as lagging: once per agency and campaign year, to the
next session of the year with a seat left, and only if nobody of the agency is going already."""

from contracts.compliance import AgencyLagging, DeadlineApproaching
from contracts.envelope import CloudEvent, derived_id
from contracts.topics import Topic
from contracts.training import InvitationData, TrainingInvited
from services.common.clock import local_date
from services.training.domain import HOLDING_A_PLACE
from services.training.store import TrainingUnitOfWork
from services.training.usecases.sessions import seats_taken


async def invite_lagging(uow: TrainingUnitOfWork, event: AgencyLagging) -> None:
    """An agency still missing elements after the deadline."""
    missing = len(event.data.missing)
    why = f"Cơ quan còn thiếu {missing}/6 nội dung HTQLCL năm {event.data.year} sau hạn cập nhật"
    await invite(uow, event.data.agency_code, event.data.year, why, event)


async def invite_near_deadline(uow: TrainingUnitOfWork, event: DeadlineApproaching) -> None:
    """Near the deadline an agency still missing elements is lagging too: invite it while sessions
    remain in the training window (agency-lagging only comes after the deadline)."""
    why = (
        f"Còn {event.data.days_left} ngày đến hạn {event.data.deadline:%d/%m/%Y}, "
        f"cơ quan còn thiếu {len(event.data.missing)}/6 nội dung HTQLCL"
    )
    await invite(uow, event.data.agency_code, event.data.year, why, event)


async def invite(uow: TrainingUnitOfWork, agency_code: str, year: int, why: str, cause: CloudEvent) -> bool:
    """Invite a lagging agency with nobody enrolled in an upcoming session, once per campaign year."""
    if await uow.invitations.sent(agency_code, year):
        return False
    today = local_date(uow.clock.now())
    upcoming = [s for s in await uow.training_sessions.upcoming(today) if s.first_day.year == year]
    upcoming_ids = {s.id for s in upcoming}
    for enrolment in await uow.enrolments.of_agency(agency_code):
        if enrolment.session_id in upcoming_ids and enrolment.status in HOLDING_A_PLACE:
            return False  # someone is already going
    suggestion = None
    for session in upcoming:
        if session.enrol_closes_on >= today and await seats_taken(uow, session.id) < session.capacity:
            suggestion = session
            break
    if suggestion is None:
        return False  # nothing to invite to yet; a later reminder may find a session
    course = await uow.courses.get(suggestion.course_code)
    data = InvitationData(
        agency_code=agency_code,
        year=year,
        session_id=suggestion.id,
        course_title_vi=course.title_vi if course else None,
        first_day=suggestion.starts_at(),
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
    await uow.invitations.add(agency_code, year, data.session_id, str(event_id), uow.clock.now())
    return True
