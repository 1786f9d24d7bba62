"""What the identity service does with each event it consumes: keep its copy of the agencies."""

from services.common.consumer import Handler
from services.common.replica import AGENCY_EVENTS
from services.identity.usecases.agencies import apply_agency_event

HANDLERS: dict[str, Handler] = {event.event_type: apply_agency_event for event in AGENCY_EVENTS}
