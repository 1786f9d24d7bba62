"""Messages queued from what the notifier reads: deadlines, inspections, training invitations,
enrolments and session changes (findings that start a ladder: escalation.py). One message per
idempotency key and channel of each recipient; nothing is sent here — the dispatcher sends what is
due, so reading an event never waits on a gateway."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog

from contracts import CloudEvent
from contracts.compliance import DeadlineApproaching
from contracts.deliveries import RecipientRole
from contracts.inspections import InspectionScheduled
from contracts.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    TrainingCancelled,
    TrainingInvited,
    TrainingRescheduled,
    TrainingScheduled,
)
from services.common.clock import local_date
from services.common.workdays import WorkingDays
from services.notifier import policy, slots
from services.notifier.lifecycle import Message, NotificationStatus
from services.notifier.store import NotifierUnitOfWork, TrainingSession, WaitingMessage
from services.notifier.tables import replica

log = structlog.get_logger("eiso.notifier")

#: The reason of a session's reminder (the day before, 08:00 giờ Việt Nam).
REMINDER = "training-reminder"
OFFICER = (RecipientRole.ISO_OFFICER,)


@dataclass(frozen=True)
class Delays:
    """How long a new message waits for others to the same person to join it in one digest."""

    digest: timedelta


async def queue(
    uow: NotifierUnitOfWork,
    delays: Delays,
    agency_code: str,
    reason: str,
    period: str,
    roles: tuple[RecipientRole, ...],
    context: dict[str, Any],
    due_at: datetime | None = None,
    critical: bool = False,
) -> int:
    """Queue one message per channel of each recipient; a key already queued or sent is not again.
    For an agency not read yet, the message waits for it (`agency_changed` makes it); how many were
    queued."""
    agency = await replica.get(uow.session, agency_code)
    now = uow.clock.now()
    if agency is None:
        log.info("agency not read yet: the message waits for it", agency_code=agency_code, reason=reason)
        waiting = WaitingMessage(agency_code, reason, period, roles, context, due_at, critical, now)
        await uow.waiting.wait(waiting)
        return 0
    queued = 0
    for role in roles:
        for recipient in policy.recipients(role, policy.contact_of(agency, role)):
            key = policy.idempotency_key(agency_code, reason, period, recipient.channel, recipient.address)
            message = Message(
                key=key,
                request_id=policy.request_id(key),
                agency_code=agency_code,
                reason=reason,
                period=period,
                channel=recipient.channel,
                role=role,
                recipient_name=recipient.name,
                address=recipient.address,
                context={"agency": agency.name, "code": agency_code, **context},
                critical=critical,
                due_at=max(due_at or now, now + delays.digest),
            )
            # Published as done before (a rebuild reads its own topic back): recorded, never resent.
            status = await uow.notifications.remembered_outcome(message.request_id)
            # A key made moot earlier (a session moved away and back) comes back to life.
            queued += await uow.notifications.add(
                message, status or NotificationStatus.PENDING, now
            ) or await uow.notifications.revive(message)
    return queued


async def agency_changed(uow: NotifierUnitOfWork, event: CloudEvent, delays: Delays) -> None:
    """Keep the copy (the replica's one rule); messages that waited for an agency are made now."""
    for data in await replica.apply(uow.session, event):
        for message in await uow.waiting.take(data.code):
            await queue(
                uow,
                delays,
                message.agency_code,
                message.reason,
                message.period,
                message.roles,
                message.context,
                message.due_at,
                message.critical,
            )


async def deadline_approaching(
    uow: NotifierUnitOfWork, event: DeadlineApproaching, delays: Delays, calendar: WorkingDays
) -> None:
    data = event.data
    if data.deadline < local_date(uow.clock.now()):
        log.info(
            "deadline already passed: reminder not sent", agency_code=data.agency_code, reason=event.type
        )
        return  # "còn 7 ngày" after the deadline would mislead; the overdue findings follow
    context = slots.deadline_approaching(data, calendar)
    period = f"{data.year}:{data.days_left}"
    await queue(uow, delays, data.agency_code, event.type, period, OFFICER, context)


async def inspection_scheduled(uow: NotifierUnitOfWork, event: InspectionScheduled, delays: Delays) -> None:
    data = event.data
    if data.scheduled_on < local_date(uow.clock.now()):
        return  # a plan entered after the fact: nobody needs telling about a past day
    period = f"{data.inspection_id}:{data.revision}"
    roles = (RecipientRole.ISO_OFFICER, RecipientRole.HEAD)
    await queue(uow, delays, data.agency_code, event.type, period, roles, slots.inspection(data))


async def training_invited(uow: NotifierUnitOfWork, event: TrainingInvited, delays: Delays) -> None:
    data = event.data
    context = slots.invitation(data)
    await queue(uow, delays, data.agency_code, event.type, str(data.year), OFFICER, context)


async def enrolment_confirmed(uow: NotifierUnitOfWork, event: EnrolmentConfirmed, delays: Delays) -> None:
    """A reminder the day before the session, at 08:00 giờ Việt Nam, to the agency's ISO officer."""
    data = event.data
    remind_at = slots.day_before_at_eight(data.first_day)
    training = await uow.training.get(data.session_id)
    context = slots.reminder(
        data.first_day,
        training.course_title_vi if training else None,
        training.venue if training else None,
    )
    await uow.training.enrol(data.session_id, data.agency_code, data.person_name)
    if data.first_day <= uow.clock.now():
        # Enrolled on the day, or an old enrolment read late: a reminder now would come too late.
        log.info("session already begun: no reminder", agency_code=data.agency_code, reason=event.type)
        return
    period = f"{data.session_id}:{data.first_day.isoformat()}"
    await queue(uow, delays, data.agency_code, REMINDER, period, OFFICER, context, remind_at)


async def enrolment_cancelled(uow: NotifierUnitOfWork, event: EnrolmentCancelled) -> None:
    """Nobody left from the agency in the session: its reminder is dropped."""
    data = event.data
    if not await uow.training.leave(data.session_id, data.agency_code, data.person_name):
        await uow.notifications.cancel(data.agency_code, (REMINDER,), f"{data.session_id}:")


async def session_scheduled(uow: NotifierUnitOfWork, event: TrainingScheduled) -> None:
    data = event.data
    await uow.training.save(
        TrainingSession(data.session_id, data.course_title_vi, data.venue, data.days[0].starts_at)
    )


async def session_changed(
    uow: NotifierUnitOfWork, event: TrainingRescheduled | TrainingCancelled, delays: Delays
) -> None:
    """Those enrolled are told; reminders for the old days are dropped (and made for the new)."""
    data = event.data
    first = data.days[0]
    await uow.training.save(
        TrainingSession(data.session_id, data.course_title_vi, data.venue, first.starts_at)
    )
    context = slots.session_change(data)
    reminder_period = f"{data.session_id}:{first.starts_at.isoformat()}"
    keep = None if data.cancelled else reminder_period
    # Cancelled with two days or less to go, people may be on their way: quiet hours yield.
    soon = data.cancelled and first.starts_at - uow.clock.now() <= timedelta(days=2)
    for agency_code in await uow.training.agencies_enrolled(data.session_id):
        await uow.notifications.cancel(agency_code, (REMINDER,), f"{data.session_id}:", keep)
        period = f"{data.session_id}:{data.revision}"
        await queue(uow, delays, agency_code, event.type, period, OFFICER, context, critical=soon)
        if not data.cancelled:
            remind_at = slots.day_before_at_eight(first.starts_at)
            await queue(uow, delays, agency_code, REMINDER, reminder_period, OFFICER, context, remind_at)
