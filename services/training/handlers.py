"""What the training service does with each event it consumes: keep its copy of agencies, and invite
agencies that compliance reports as lagging."""

from contracts import CloudEvent
from contracts.compliance import AgencyLagging, DeadlineApproaching
from services.common.consumer import Handler
from services.common.replica import AGENCY_EVENTS
from services.common.uow import UnitOfWork
from services.training import booking, store


async def agency_changed(uow: UnitOfWork, event: CloudEvent) -> None:
    await store.replica.apply(uow.session, event)


async def agency_lagging(uow: UnitOfWork, event: AgencyLagging) -> None:
    missing = len(event.data.missing)
    why = f"Cơ quan còn thiếu {missing}/6 nội dung HTQLCL năm {event.data.year} sau hạn cập nhật"
    await booking.invite(uow, event.data.agency_code, event.data.year, why, event)


async def deadline_approaching(uow: UnitOfWork, event: DeadlineApproaching) -> None:
    """Near the deadline an agency still missing elements is lagging too: invite it while sessions
    remain in the training window (agency-lagging only comes after the deadline)."""
    why = (
        f"Còn {event.data.days_left} ngày đến hạn {event.data.deadline:%d/%m/%Y}, "
        f"cơ quan còn thiếu {len(event.data.missing)}/6 nội dung HTQLCL"
    )
    await booking.invite(uow, event.data.agency_code, event.data.year, why, event)


HANDLERS: dict[str, Handler] = {
    **{event.event_type: agency_changed for event in AGENCY_EVENTS},
    AgencyLagging.event_type: agency_lagging,
    DeadlineApproaching.event_type: deadline_approaching,
}
