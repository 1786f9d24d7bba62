"""Delivery reports gateways send back: which message reached the phone."""

from services.notifier.lifecycle import Delivery
from services.notifier.store import NotifierUnitOfWork

#: Report statuses that mean delivered (eSMS `SendStatus` 5 or 2, SpeedSMS words); any other: not.
DELIVERED = ("5", "delivered", "success", "2")


class NoSuchMessageError(LookupError):
    """No message has the request id (or gateway id) the report names."""


def delivery_of(status: str) -> Delivery:
    return Delivery.DELIVERED if status.lower() in DELIVERED else Delivery.UNDELIVERED


async def delivery_reported(
    uow: NotifierUnitOfWork, request_id: str | None, provider_id: str | None, status: str
) -> None:
    """Record the report on the batch it names by our request id, or else by the gateway's own id."""
    if not await uow.notifications.record_delivery(delivery_of(status), request_id, provider_id):
        raise NoSuchMessageError(request_id or provider_id)
