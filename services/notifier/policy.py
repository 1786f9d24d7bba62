"""Who is told what, when, and how often — free of I/O.

One message per idempotency key (agency, reason, period, channel, recipient), ever. The request id sent
to the gateway is derived from that key, so a retry after a crash carries the same id.
"""

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from contracts.agencies import Contact
from contracts.deliveries import Channel, RecipientRole
from services.common.phones import PhoneKind, phone_kind
from services.common.workdays import WorkingDays

NAMESPACE = uuid.UUID("6f0d3b8e-2d1c-5b7a-9e43-1c0de15e150a")


@dataclass(frozen=True)
class Recipient:
    role: RecipientRole
    name: str
    channel: Channel
    address: str  # E.164 phone or e-mail: personal data, never logged or published


def recipients(role: RecipientRole, contact: Contact | None) -> list[Recipient]:
    """Each channel the contact can be reached on: SMS only to a mobile (a landline, or a number
    that is not a valid Vietnamese one, gets none — a carrier would refuse it), e-mail to any."""
    if contact is None:
        return []
    found = []
    if contact.phone and phone_kind(contact.phone) == PhoneKind.MOBILE:
        found.append(Recipient(role, contact.name, Channel.SMS, contact.phone))
    if contact.email:
        found.append(Recipient(role, contact.name, Channel.EMAIL, contact.email))
    return found


def idempotency_key(agency: str, reason: str, period: str, channel: Channel, address: str) -> str:
    return "\x1f".join((agency, reason, period, channel.value, address.casefold()))


def request_id(*keys: str) -> str:
    """The id the gateway sees: one key (or, for a digest, its sorted keys) → always the same id."""
    return str(uuid.uuid5(NAMESPACE, "\x1e".join(sorted(keys))))


def backoff(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds before retry number `attempt` (1, 2, …): exponential with full jitter."""
    return (rng or random).uniform(0, min(cap, base * 2 ** (attempt - 1)))


def throttled_until(
    sent: Sequence[datetime], now: datetime, limit: int, window: timedelta
) -> datetime | None:
    """When the next SMS to one recipient may go, if `limit` went in the last `window`; else None."""
    recent = sorted(t for t in sent if t > now - window)
    if len(recent) < limit:
        return None
    return recent[-limit] + window


@dataclass(frozen=True)
class Ladder:
    """Escalation: the ISO officer first; after `to_head` working days with no update, the head; after
    `to_supervisor` more, the supervising agency."""

    to_head: int = 5
    to_supervisor: int = 5

    def step_due(self, step: int, started: date, calendar: WorkingDays) -> date | None:
        """The day step `step` (1 = head, 2 = supervisor) is due; None when there is no such step."""
        if step == 1:
            return calendar.add_working_days(started, self.to_head)
        if step == 2:
            return calendar.add_working_days(started, self.to_head + self.to_supervisor)
        return None
