"""What the notifier does with each event it consumes: keep contacts, turn findings into messages
(one row per idempotency key), and start or stop escalation ladders. Nothing is sent here: the
dispatcher sends what is due, so a handler never waits on a gateway."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import structlog

from contracts import CloudEvent
from contracts.agencies import Contact, Contacts
from contracts.compliance import (
    AgencyCompliant,
    AgencyLagging,
    AuditOverdue,
    DeadlineApproaching,
    ReviewOverdue,
)
from contracts.deliveries import NotificationFailed, NotificationSent, RecipientRole
from contracts.inspections import MODE_VI, InspectionScheduled
from contracts.records import RECORD_EVENTS, RecordEvent
from contracts.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    TrainingCancelled,
    TrainingInvited,
    TrainingRescheduled,
    TrainingScheduled,
)
from contracts.vocabulary import ELEMENT_VI
from services.common.clock import VIETNAM, local_date
from services.common.consumer import Handler
from services.common.replica import AGENCY_EVENTS, AgencyCopy
from services.common.uow import UnitOfWork
from services.common.workdays import WorkingDays
from services.notifier import policy, store

log = structlog.get_logger("eiso.notifier")

WEEKDAY_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
#: Reasons that start the escalation ladder (officer → head → supervising agency).
ESCALATING = (AgencyLagging.event_type, AuditOverdue.event_type, ReviewOverdue.event_type)


def when(at: datetime) -> str:
    """08:00 thứ Ba 10/05/2022 — giờ Việt Nam (templates say so)."""
    local = at.astimezone(VIETNAM)
    return f"{local:%H:%M} {WEEKDAY_VI[local.weekday()]} {local:%d/%m/%Y}"


def day_before_at_eight(starts_at: datetime) -> datetime:
    """08:00 giờ Việt Nam the day before: when a session's reminder goes."""
    local = starts_at.astimezone(VIETNAM) - timedelta(days=1)
    return local.replace(hour=8, minute=0, second=0, microsecond=0)


def deadline_slots(deadline: date, calendar: WorkingDays) -> dict[str, str | None]:
    """The deadline as messages show it and, when it is not a working day, why not and the last
    working day before it, so the text can say so (the campaign's date itself does not move)."""
    off = calendar.day_off(deadline)
    return {
        "deadline": f"{deadline:%d/%m/%Y}",
        "deadline_off": off,
        "last_working_day": f"{calendar.add_working_days(deadline, -1):%d/%m/%Y}" if off else None,
    }


@dataclass(frozen=True)
class Delays:
    """How long a new message waits for others to the same person to join it in one digest."""

    digest: timedelta


def contact_of(agency: AgencyCopy, role: RecipientRole) -> Contact | None:
    contacts = agency.contacts or Contacts()
    return contacts.iso_officer if role == RecipientRole.ISO_OFFICER else contacts.head


async def notify(
    uow: UnitOfWork,
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
    For an agency not read yet, the message waits for it (`Handlers.agency_changed` makes it)."""
    agency = await store.replica.get(uow.session, agency_code)
    if agency is None:
        log.info("agency not read yet: the message waits for it", agency_code=agency_code, reason=reason)
        await store.wait_for_agency(
            uow.session,
            {
                "agency_code": agency_code,
                "reason": reason,
                "period": period,
                "roles": [role.value for role in roles],
                "context": context,
                "due_at": due_at,
                "critical": critical,
                "created_at": uow.clock.now(),
            },
        )
        return 0
    now = uow.clock.now()
    queued = 0
    for role in roles:
        for recipient in policy.recipients(role, contact_of(agency, role)):
            key = policy.idempotency_key(agency_code, reason, period, recipient.channel, recipient.address)
            values: dict[str, Any] = {
                "key": key,
                "request_id": policy.request_id(key),
                "agency_code": agency_code,
                "reason": reason,
                "period": period,
                "channel": recipient.channel.value,
                "role": role.value,
                "recipient_name": recipient.name,
                "address": recipient.address,
                "context": {"agency": agency.name, "code": agency_code, **context},
                "critical": critical,
                "status": "pending",
                "due_at": max(due_at or now, now + delays.digest),
                "attempts": 0,
                "created_at": now,
            }
            # Published as done before (a rebuild reads its own topic back): recorded, never resent.
            if done := await store.outcome_of(uow.session, values["request_id"]):
                values["status"] = done
            # A key made moot earlier (a session moved away and back) comes back to life.
            queued += await store.add_notification(uow.session, values) or await store.revive(
                uow.session, values
            )
    return queued


class Handlers:
    def __init__(self, delays: Delays, calendar: WorkingDays) -> None:
        self.delays = delays
        self.calendar = calendar

    def table(self) -> dict[str, Handler]:
        return {
            **{event.event_type: self.agency_changed for event in AGENCY_EVENTS},
            DeadlineApproaching.event_type: self.deadline_approaching,
            AgencyLagging.event_type: self.overdue,
            AuditOverdue.event_type: self.overdue,
            ReviewOverdue.event_type: self.overdue,
            AgencyCompliant.event_type: self.compliant,
            InspectionScheduled.event_type: self.inspection_scheduled,
            TrainingInvited.event_type: self.training_invited,
            EnrolmentConfirmed.event_type: self.enrolment_confirmed,
            EnrolmentCancelled.event_type: self.enrolment_cancelled,
            TrainingScheduled.event_type: self.session_scheduled,
            TrainingRescheduled.event_type: self.session_changed,
            TrainingCancelled.event_type: self.session_changed,
            **{event.event_type: self.record_arrived for event in RECORD_EVENTS},
            NotificationSent.event_type: self.delivered,
            NotificationFailed.event_type: self.delivered,
        }

    async def agency_changed(self, uow: UnitOfWork, event: CloudEvent) -> None:
        """Keep the copy (the replica's one rule); messages that waited for an agency are made now."""
        for data in await store.replica.apply(uow.session, event):
            await self._made_waiting(uow, data.code)

    async def _made_waiting(self, uow: UnitOfWork, code: str) -> None:
        for message in await store.take_waiting(uow.session, code):
            roles = tuple(RecipientRole(role) for role in message["roles"])
            await notify(
                uow,
                self.delays,
                message["agency_code"],
                message["reason"],
                message["period"],
                roles,
                message["context"],
                message["due_at"],
                message["critical"],
            )

    async def delivered(self, uow: UnitOfWork, event: NotificationSent | NotificationFailed) -> None:
        """The notifier's own outcomes read back: after a rebuild, those messages are not sent again."""
        outcome = "sent" if isinstance(event, NotificationSent) else "failed"
        await store.mark_delivered(uow.session, event.data.request_ids, outcome)

    async def deadline_approaching(self, uow: UnitOfWork, event: DeadlineApproaching) -> None:
        data = event.data
        if data.deadline < local_date(uow.clock.now()):
            log.info(
                "deadline already passed: reminder not sent", agency_code=data.agency_code, reason=event.type
            )
            return  # "còn 7 ngày" after the deadline would mislead; the overdue findings follow
        context = {
            "year": data.year,
            **deadline_slots(data.deadline, self.calendar),
            "days_left": data.days_left,
            "missing": [ELEMENT_VI[e] for e in data.missing],
        }
        period = f"{data.year}:{data.days_left}"
        await notify(
            uow, self.delays, data.agency_code, event.type, period, (RecipientRole.ISO_OFFICER,), context
        )

    async def overdue(self, uow: UnitOfWork, event: AgencyLagging | AuditOverdue | ReviewOverdue) -> None:
        data = event.data
        missing = [ELEMENT_VI[e] for e in getattr(data, "missing", [])]
        context = {"year": data.year, **deadline_slots(data.deadline, self.calendar), "missing": missing}
        roles = (RecipientRole.ISO_OFFICER,)
        await notify(uow, self.delays, data.agency_code, event.type, str(data.year), roles, context)
        await store.start_escalation(uow.session, data.agency_code, data.year, local_date(uow.clock.now()))

    async def compliant(self, uow: UnitOfWork, event: AgencyCompliant) -> None:
        today = local_date(uow.clock.now())
        await store.stop_escalations(uow.session, event.data.agency_code, today, event.type, event.data.year)

    async def record_arrived(self, uow: UnitOfWork, event: RecordEvent) -> None:
        """A new record is the agency acting: the ladder stops (compliance will say if it is enough)."""
        today = local_date(uow.clock.now())
        await store.stop_escalations(uow.session, event.data.agency_code, today, event.type)

    async def inspection_scheduled(self, uow: UnitOfWork, event: InspectionScheduled) -> None:
        data = event.data
        if data.scheduled_on < local_date(uow.clock.now()):
            return  # a plan entered after the fact: nobody needs telling about a past day
        at = datetime.combine(data.scheduled_on, datetime.min.time(), tzinfo=VIETNAM).replace(hour=8)
        context = {
            "year": data.year,
            "when": when(at),
            "mode": MODE_VI[data.mode],
            "inspector": data.inspector,
        }
        period = f"{data.inspection_id}:{data.revision}"
        roles = (RecipientRole.ISO_OFFICER, RecipientRole.HEAD)
        await notify(uow, self.delays, data.agency_code, event.type, period, roles, context)

    async def training_invited(self, uow: UnitOfWork, event: TrainingInvited) -> None:
        data = event.data
        context = {
            "year": data.year,
            "course": data.course_title_vi or "bồi dưỡng ISO",
            "when": when(data.first_day) if data.first_day else "sắp tới",
            "reason": data.reason_vi,
        }
        await notify(
            uow,
            self.delays,
            data.agency_code,
            event.type,
            str(data.year),
            (RecipientRole.ISO_OFFICER,),
            context,
        )

    async def enrolment_confirmed(self, uow: UnitOfWork, event: EnrolmentConfirmed) -> None:
        """A reminder the day before the session, at 08:00 giờ Việt Nam, to the agency's ISO officer."""
        data = event.data
        remind_at = day_before_at_eight(data.first_day)
        info = await store.session_info(uow.session, data.session_id) or {}
        context = {
            "course": info.get("course_title_vi", "bồi dưỡng ISO"),
            "when": when(data.first_day),
            "venue": info.get("venue", ""),
        }
        await store.remember_enrolment(uow.session, data.session_id, data.agency_code, data.person_name)
        if data.first_day <= uow.clock.now():
            # Enrolled on the day, or an old enrolment read late: a reminder now would come too late.
            log.info("session already begun: no reminder", agency_code=data.agency_code, reason=event.type)
            return
        period = f"{data.session_id}:{data.first_day.isoformat()}"
        await notify(
            uow,
            self.delays,
            data.agency_code,
            "training-reminder",
            period,
            (RecipientRole.ISO_OFFICER,),
            context,
            remind_at,
        )

    async def enrolment_cancelled(self, uow: UnitOfWork, event: EnrolmentCancelled) -> None:
        """Nobody left from the agency in the session: its reminder is dropped."""
        data = event.data
        if not await store.forget_enrolment(uow.session, data.session_id, data.agency_code, data.person_name):
            await store.cancel_pending(
                uow.session, data.agency_code, ("training-reminder",), f"{data.session_id}:"
            )

    async def session_scheduled(self, uow: UnitOfWork, event: TrainingScheduled) -> None:
        data = event.data
        await store.save_session(
            uow.session, data.session_id, data.course_title_vi, data.venue, data.days[0].starts_at
        )

    async def session_changed(self, uow: UnitOfWork, event: TrainingRescheduled | TrainingCancelled) -> None:
        """Those enrolled are told; reminders for the old days are dropped (and made for the new)."""
        data = event.data
        first = data.days[0]
        await store.save_session(
            uow.session, data.session_id, data.course_title_vi, data.venue, first.starts_at
        )
        context = {
            "course": data.course_title_vi,
            "when": when(first.starts_at),
            "venue": data.venue,
            "reason": data.note or "",
        }
        reminder_period = f"{data.session_id}:{first.starts_at.isoformat()}"
        keep = None if data.cancelled else reminder_period
        # Cancelled with two days or less to go, people may be on their way: quiet hours yield.
        soon = data.cancelled and first.starts_at - uow.clock.now() <= timedelta(days=2)
        officer = (RecipientRole.ISO_OFFICER,)
        for agency_code in await store.enrolled_agencies(uow.session, data.session_id):
            reminders = ("training-reminder",)
            await store.cancel_pending(uow.session, agency_code, reminders, f"{data.session_id}:", keep)
            period = f"{data.session_id}:{data.revision}"
            await notify(uow, self.delays, agency_code, event.type, period, officer, context, critical=soon)
            if not data.cancelled:
                remind_at = day_before_at_eight(first.starts_at)
                await notify(
                    uow,
                    self.delays,
                    agency_code,
                    "training-reminder",
                    reminder_period,
                    officer,
                    context,
                    remind_at,
                )
