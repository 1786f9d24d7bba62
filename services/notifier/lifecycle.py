"""A notification's life, free of I/O: the message queued for one person on one channel, its status
and the moves between statuses the notifier allows.

    pending ──claimed──▶ sending ──accepted──▶ sent
       │  ▲                 └──refused, or retries spent──▶ failed
       │  └──the reason holds again── cancelled ◀──made moot── (pending)
       └──its outcome read back from the deliveries topic (a rebuild)──▶ sent | failed

A message held by quiet hours or the throttle keeps its status (pending, or sending for a retry): only
its due time moves. A retry or a failover keeps it `sending`, with its request id.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from contracts.deliveries import Channel, HoldCause, RecipientRole


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # batch and request id fixed: retried with them until sent or failed
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: The statuses each status may move to.
TRANSITIONS: dict[NotificationStatus, frozenset[NotificationStatus]] = {
    NotificationStatus.PENDING: frozenset(
        {
            NotificationStatus.SENDING,
            NotificationStatus.CANCELLED,
            # Its outcome published before a rebuild: a record of the past, never sent again.
            NotificationStatus.SENT,
            NotificationStatus.FAILED,
        }
    ),
    NotificationStatus.SENDING: frozenset({NotificationStatus.SENT, NotificationStatus.FAILED}),
    NotificationStatus.CANCELLED: frozenset({NotificationStatus.PENDING}),
    NotificationStatus.SENT: frozenset(),
    NotificationStatus.FAILED: frozenset(),
}
#: Not settled yet: due now or later (the summary's "due" and "held").
UNSETTLED = (NotificationStatus.PENDING, NotificationStatus.SENDING)
#: How a message ends once tried: what the deliveries topic reports of it.
OUTCOMES = frozenset({NotificationStatus.SENT, NotificationStatus.FAILED})
#: What a new message may be recorded as: pending, or the outcome its own topic already reported.
FIRST_STATUSES = OUTCOMES | {NotificationStatus.PENDING}


class ForbiddenTransitionError(ValueError):
    """A move the lifecycle does not allow (a sent message made pending again, say)."""


def move(current: NotificationStatus, to: NotificationStatus) -> NotificationStatus:
    """`to`, if a notification in `current` may move there; refused otherwise."""
    if to not in TRANSITIONS[current]:
        raise ForbiddenTransitionError(f"a {current} notification cannot become {to}")
    return to


class Delivery(StrEnum):
    """What a gateway's delivery report said of a sent message."""

    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"


@dataclass(frozen=True)
class Message:
    """One message to queue: one idempotency key (agency, reason, period, channel, recipient)."""

    key: str
    request_id: str
    agency_code: str
    reason: str
    period: str
    channel: Channel
    role: RecipientRole
    recipient_name: str
    address: str  # E.164 phone or e-mail: personal data, never logged or published
    context: dict[str, Any]
    critical: bool
    due_at: datetime


@dataclass(frozen=True)
class Notification(Message):
    """A queued message as stored, with where it is in its life."""

    id: int
    status: NotificationStatus
    batch_id: str | None
    gateway: str | None
    attempts: int
    segments: int | None
    provider_id: str | None
    error: str | None
    delivery: Delivery | None
    created_at: datetime
    sent_at: datetime | None
    #: Why it last waited (quiet hours, the throttle); None if it never did.
    held_for: HoldCause | None = None
