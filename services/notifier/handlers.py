"""The notifier's Kafka handler table: each event type it reads → its use case. Nothing is sent from
here: the dispatcher sends what is due, so a handler never waits on a gateway."""

from functools import partial

from contracts.compliance import AgencyCompliant, DeadlineApproaching
from contracts.deliveries import NotificationFailed, NotificationSent
from contracts.inspections import InspectionScheduled
from contracts.records import RECORD_EVENTS
from contracts.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    TrainingCancelled,
    TrainingInvited,
    TrainingRescheduled,
    TrainingScheduled,
)
from services.common.consumer import Handler
from services.common.credentials import CREDENTIAL_HANDLERS
from services.common.replica import AGENCY_EVENTS
from services.common.workdays import WorkingDays
from services.notifier.usecases import dispatch, escalation, messages
from services.notifier.usecases.messages import Delays


def handlers(delays: Delays, calendar: WorkingDays) -> dict[str, Handler]:
    return {
        **{event.event_type: partial(messages.agency_changed, delays=delays) for event in AGENCY_EVENTS},
        DeadlineApproaching.event_type: partial(
            messages.deadline_approaching, delays=delays, calendar=calendar
        ),
        **{
            event.event_type: partial(escalation.overdue, delays=delays, calendar=calendar)
            for event in escalation.ESCALATING
        },
        AgencyCompliant.event_type: escalation.agency_compliant,
        **{event.event_type: escalation.record_arrived for event in RECORD_EVENTS},
        InspectionScheduled.event_type: partial(messages.inspection_scheduled, delays=delays),
        TrainingInvited.event_type: partial(messages.training_invited, delays=delays),
        EnrolmentConfirmed.event_type: partial(messages.enrolment_confirmed, delays=delays),
        EnrolmentCancelled.event_type: messages.enrolment_cancelled,
        TrainingScheduled.event_type: messages.session_scheduled,
        TrainingRescheduled.event_type: partial(messages.session_changed, delays=delays),
        TrainingCancelled.event_type: partial(messages.session_changed, delays=delays),
        # Its own outcomes read back, so that a rebuild sends nothing twice.
        NotificationSent.event_type: dispatch.outcome_read_back,
        NotificationFailed.event_type: dispatch.outcome_read_back,
        **CREDENTIAL_HANDLERS,
    }
