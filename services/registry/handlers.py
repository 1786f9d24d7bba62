"""The Kafka handler table: every record type on `eiso.inbound.records` goes to the inbound gateway's use
case (`usecases.inbound.inbound_record`); the credentials to the replica callers are checked against."""

from datetime import timedelta
from functools import partial

from contracts.records import RECORD_EVENTS
from services.common.consumer import Handler
from services.common.credentials import CREDENTIAL_HANDLERS
from services.registry.usecases.inbound import inbound_record


def handlers(clock_skew: timedelta) -> dict[str, Handler]:
    """The inbound gateway's handler for every record type, allowing publishers' clocks `clock_skew`."""
    handle = partial(inbound_record, clock_skew=clock_skew)
    return {**{event.event_type: handle for event in RECORD_EVENTS}, **CREDENTIAL_HANDLERS}
