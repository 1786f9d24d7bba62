"""What the identity service does with each event it consumes: keep its copy of the agencies, and
append every service's audit entries to the one trail."""

from contracts.audit import AuditRecorded
from services.common.consumer import Handler
from services.common.replica import AGENCY_EVENTS
from services.identity.usecases.agencies import apply_agency_event
from services.identity.usecases.audit import entry_recorded

HANDLERS: dict[str, Handler] = {
    **{event.event_type: apply_agency_event for event in AGENCY_EVENTS},
    AuditRecorded.event_type: entry_recorded,
}
