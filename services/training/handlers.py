"""What the training service does with each event it consumes: keep its copy of agencies, and invite
agencies that compliance reports as lagging (after the deadline, or near it)."""

from contracts.compliance import AgencyLagging, DeadlineApproaching
from services.common.consumer import Handler
from services.common.credentials import CREDENTIAL_HANDLERS
from services.common.replica import AGENCY_EVENTS
from services.training.usecases.agencies import apply_agency_event
from services.training.usecases.invitations import invite_lagging, invite_near_deadline

HANDLERS: dict[str, Handler] = {
    **{event.event_type: apply_agency_event for event in AGENCY_EVENTS},
    AgencyLagging.event_type: invite_lagging,
    DeadlineApproaching.event_type: invite_near_deadline,
    **CREDENTIAL_HANDLERS,
}
