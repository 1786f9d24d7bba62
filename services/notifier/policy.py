"""Who is told what, when, and how often — free of I/O.

One message per idempotency key (agency, reason, period, channel, recipient), ever. The request id sent
to the gateway is derived from that key, so a retry after a crash carries the same id.
"""

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from contracts.agencies import Contact, Contacts
from contracts.deliveries import Channel, RecipientRole
from contracts.vocabulary import Level
from services.common.phones import PhoneKind, phone_kind
from services.common.replica import AgencyCopy
from services.common.workdays import WorkingDays

NAMESPACE = uuid.UUID("6f0d3b8e-2d1c-5b7a-9e43-1c0de15e150a")


@dataclass(frozen=True)
class Recipient:
    role: RecipientRole
    name: str
    channel: Channel
    address: str  # E.164 phone or e-mail: personal data, never logged or published


def contact_of(agency: AgencyCopy, role: RecipientRole) -> Contact | None:
    """The agency's ISO officer or its head (the supervisor is told as the supervising agency's head)."""
    contacts = agency.contacts or Contacts()
    return contacts.iso_officer if role == RecipientRole.ISO_OFFICER else contacts.head


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


@dataclass(frozen=True)
class SendingRules:
    quiet_opens: time
    quiet_closes: time
    working_days_only: bool
    throttle_limit: int
    throttle_window: timedelta
    attempts_per_gateway: int
    backoff_base: float
    backoff_cap: float
    brandname: str
    digest_window: timedelta
    #: How long an attempt holds its batch: a crashed attempt is retried (same request id) after it.
    lease: timedelta = timedelta(seconds=30)


def quiet_until(critical: bool, now: datetime, rules: SendingRules, calendar: WorkingDays) -> datetime | None:
    """When an SMS sent now would be out of the sending window (quiet hours, days off), the window's
    opening; None when it may go now. A critical message goes at any hour."""
    if critical:
        return None
    window = calendar.next_window(now, rules.quiet_opens, rules.quiet_closes, rules.working_days_only)
    return window if window > now else None


def next_try(
    rules: SendingRules, channel: Channel, gateway: str, attempts: int, sms_gateways: Sequence[str]
) -> tuple[str, float] | None:
    """(gateway, seconds) of the next try after a transient failure — the same gateway with backoff
    until its attempts are spent, then the next SMS gateway at once — or None when all are spent."""
    if attempts < rules.attempts_per_gateway:
        return gateway, backoff(attempts, rules.backoff_base, rules.backoff_cap)
    if channel == Channel.SMS:
        index = sms_gateways.index(gateway) if gateway in sms_gateways else 0
        if index + 1 < len(sms_gateways):
            return sms_gateways[index + 1], 0.0
    return None


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

    def next_step(self, taken: int, started: date, today: date, calendar: WorkingDays) -> "Step | None":
        """The step after step `taken` of a ladder started on `started`, if it is due by `today`."""
        number = taken + 1
        due = self.step_due(number, started, calendar)
        if due is None or due > today:
            return None
        if number == 1:
            return Step(number, RecipientRole.HEAD, self.to_head)
        return Step(number, RecipientRole.SUPERVISOR, self.to_head + self.to_supervisor)


@dataclass(frozen=True)
class Step:
    """A step of the ladder: who is told, after how many working days without an update."""

    number: int  # 1 the head, 2 the supervising agency
    role: RecipientRole
    days: int


def supervisor_of(agency: AgencyCopy | None, department: str) -> str:
    """Who supervises an agency: the district for a commune; the department of science and technology
    (`department`) for the others."""
    if agency and agency.level == Level.COMMUNE and agency.parent_code:
        return agency.parent_code
    return department
