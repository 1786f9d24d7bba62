"""What the training service does with each event it consumes: keep its copy of agencies, and invite
agencies that compliance reports as lagging."""

from contracts.agencies import (
    AgencyDissolved,
    AgencyMerged,
    AgencyRegistered,
    AgencyRenamed,
    AgencySplit,
    AgencyUpdated,
)
from contracts.compliance import AgencyLagging, DeadlineApproaching
from services.common.consumer import Handler
from services.common.uow import UnitOfWork
from services.training import booking, store


async def agency_changed(uow: UnitOfWork, event: AgencyRegistered | AgencyUpdated | AgencyRenamed) -> None:
    await store.save_agency(uow.session, event.data)
    if isinstance(event, AgencyRenamed) and event.data.previous_code:
        await store.end_agency(uow.session, event.data.previous_code, event.data.valid_from)


async def agency_merged(uow: UnitOfWork, event: AgencyMerged) -> None:
    for code in event.data.sources:
        await store.end_agency(uow.session, code, event.data.effective_on)
    await store.save_agency(uow.session, event.data.successor)


async def agency_split(uow: UnitOfWork, event: AgencySplit) -> None:
    await store.end_agency(uow.session, event.data.code, event.data.effective_on)
    for part in event.data.into:
        await store.save_agency(uow.session, part)


async def agency_dissolved(uow: UnitOfWork, event: AgencyDissolved) -> None:
    await store.end_agency(uow.session, event.data.code, event.data.effective_on)


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
    AgencyRegistered.event_type: agency_changed,
    AgencyUpdated.event_type: agency_changed,
    AgencyRenamed.event_type: agency_changed,
    AgencyMerged.event_type: agency_merged,
    AgencySplit.event_type: agency_split,
    AgencyDissolved.event_type: agency_dissolved,
    AgencyLagging.event_type: agency_lagging,
    DeadlineApproaching.event_type: deadline_approaching,
}
