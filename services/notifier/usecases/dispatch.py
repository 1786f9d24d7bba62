"""Sending what is due, exactly once per key.

1. Due pending messages to one person (agency, channel, address) become one batch — a digest when
   there are several — unless quiet hours or the throttle hold them (they wait; nothing is dropped).
2. The batch's request id is recorded (status `sending`) and committed *before* the gateway is called.
3. The gateway is called with that id; the outcome is committed with its event (`notification-sent` /
   `-failed`). A crash between 2 and 3 leaves the batch `sending`: the next round sends it again with
   the same request id, which the gateway recognises, so the person gets one message.
Transient failures are retried with exponential backoff and jitter, then failed over to the fallback
gateway; permanent ones are not retried.

Each step is a use case in a transaction of its own (`claim_due`, `begin_attempt`, `record_outcome`),
committed by whoever runs the round (`Dispatcher.run_once`, given `Service.command`); the gateway call
happens between two of them, in none.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Concatenate, ParamSpec, Protocol, TypeVar

import structlog
from prometheus_client import Counter

from contracts.deliveries import (
    Channel,
    DeliveryData,
    HeldData,
    HoldCause,
    NotificationFailed,
    NotificationHeld,
    NotificationSent,
)
from contracts.envelope import derived_id
from contracts.topics import Topic
from services.common.logging import mask_text
from services.common.mailer import Mailer
from services.common.metrics import REGISTRY
from services.common.workdays import WorkingDays
from services.notifier import digest, policy
from services.notifier.gateways import Gateway, Outcome, Result
from services.notifier.lifecycle import Notification, NotificationStatus
from services.notifier.store import NotifierUnitOfWork
from services.notifier.templates import Rendered, Templates

log = structlog.get_logger("eiso.notifier")

MESSAGES = Counter(
    "eiso_notifier_messages_total",
    "Messages by channel and outcome.",
    ["channel", "outcome"],
    registry=REGISTRY,
)
SEGMENTS = Counter("eiso_notifier_sms_segments_total", "SMS parts accepted by gateways.", registry=REGISTRY)
for _channel in Channel:
    for _outcome in ("sent", "failed", "retried", "held", "throttled", "failed_over"):
        MESSAGES.labels(_channel.value, _outcome)

P = ParamSpec("P")
R = TypeVar("R")


class Commands(Protocol):
    """Runs a use case in a unit of work of its own and commits it (`Service.command`)."""

    async def __call__(
        self,
        usecase: Callable[Concatenate[NotifierUnitOfWork, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R: ...


@dataclass(frozen=True)
class Attempt:
    """One try of one batch, on record (with its lease) before its gateway is called."""

    batch_id: str  # the request id the gateway sees
    batch: tuple[Notification, ...]  # as claimed, before this attempt
    number: int  # tries on its gateway so far, this one included


@dataclass(frozen=True)
class Answer:
    """What the gateway said of an attempt, and the text it was given (None: it could not render)."""

    rendered: Rendered | None
    gateway: str
    result: Result


@dataclass(frozen=True)
class Dispatcher:
    """The means of sending — templates, the sending window, the rules, the SMS gateways in order of
    preference and the mailer — and the round that uses them."""

    templates: Templates
    calendar: WorkingDays
    rules: policy.SendingRules
    sms: Sequence[Gateway]
    mailer: Mailer

    def render(self, batch: Sequence[Notification]) -> Rendered:
        return digest.render(self.templates, batch)

    def first_gateway(self, channel: Channel) -> str:
        """The gateway a new batch is tried on first."""
        return self.sms[0].name if channel == Channel.SMS else self.mailer.name

    async def run_once(self, command: Commands, limit: int = 200) -> int:
        """Send every batch due now; how many batches were attempted. One batch's trouble (a bug, a
        gateway raising) is logged and retried later; it never stops the others."""
        batches = await command(claim_due, self, limit)
        for batch_id in batches:
            try:
                attempt = await command(begin_attempt, self.rules.lease, batch_id)
                if attempt is None:
                    continue  # done meanwhile
                answer = await self.send(attempt)
                await command(record_outcome, self, attempt, answer)
                first = attempt.batch[0]
                log.info(
                    "message attempted",
                    request_id=batch_id,
                    agency_code=first.agency_code,
                    channel=first.channel,
                    gateway=answer.gateway,
                    outcome=answer.result.outcome.value,
                    detail=masked(answer.result),
                    reasons=[m.reason for m in attempt.batch],
                )
            except Exception as exc:  # the batch stays `sending` with its lease; the next round retries
                log.warning("message attempt failed", request_id=batch_id, error=repr(exc))
        return len(batches)

    async def send(self, attempt: Attempt) -> Answer:
        """The batch through its gateway, with its request id (no transaction is open meanwhile)."""
        first = attempt.batch[0]
        gateway_name = first.gateway or self.first_gateway(first.channel)  # set when it was claimed
        try:
            rendered = self.render(attempt.batch)
        except Exception as exc:  # a template or slot that cannot render: permanent, never retried
            return Answer(None, gateway_name, Result(Outcome.PERMANENT, detail=f"template: {exc}"))
        if first.channel == Channel.SMS:
            gateway = next((g for g in self.sms if g.name == gateway_name), self.sms[0])
            result = await gateway.send(attempt.batch_id, first.address, rendered.sms, self.rules.brandname)
            return Answer(rendered, gateway.name, result)
        result = await self.mailer.send(
            attempt.batch_id, first.address, rendered.subject, rendered.text, rendered.html
        )
        return Answer(rendered, gateway_name, result)


def masked(result: Result) -> str:
    """A gateway may echo the number: never keep it."""
    return mask_text(result.detail)[:500]


async def claim_due(uow: NotifierUnitOfWork, dispatcher: Dispatcher, limit: int) -> list[str]:
    """Batches to send now: those in flight whose retry is due, and new ones from pending messages not
    held back by quiet hours or the throttle (their request ids)."""
    now = uow.clock.now()
    rules, calendar = dispatcher.rules, dispatcher.calendar
    due = await uow.notifications.due(now, limit)
    batches: set[str] = set()
    for message in due:
        if message.status == NotificationStatus.SENDING and message.batch_id not in batches:
            sms = message.channel == Channel.SMS
            hold = policy.quiet_until(message.critical, now, rules, calendar) if sms else None
            if hold is not None:  # a retry waits for the window too
                batch = [m for m in due if m.batch_id == message.batch_id]
                announce_held(uow, batch, HoldCause.QUIET_HOURS, hold)
                await uow.notifications.hold([m.id for m in batch], hold, HoldCause.QUIET_HOURS)
            elif message.batch_id is not None:
                batches.add(message.batch_id)
    people: dict[tuple[str, Channel, str], list[Notification]] = {}
    for message in due:
        if message.status == NotificationStatus.PENDING:
            people.setdefault((message.agency_code, message.channel, message.address), []).append(message)
    for agency_code, channel, address in people:
        # What is due for this person, and what will be within the digest window: one message.
        soon = now + rules.digest_window
        group = await uow.notifications.pending_for(agency_code, channel, address, soon)
        ids = [m.id for m in group]
        cause, hold = HoldCause.QUIET_HOURS, None
        if channel == Channel.SMS:
            hold = policy.quiet_until(any(m.critical for m in group), now, rules, calendar)
        if hold is None and channel == Channel.SMS:
            sent = await uow.notifications.sms_sent_since(address, now - rules.throttle_window)
            cause = HoldCause.THROTTLE
            hold = policy.throttled_until(sent, now, rules.throttle_limit, rules.throttle_window)
        if hold is not None:
            MESSAGES.labels(channel, "throttled" if cause == HoldCause.THROTTLE else "held").inc(len(ids))
            announce_held(uow, group, cause, hold)
            await uow.notifications.hold(ids, hold, cause)
            continue
        batch_id = policy.request_id(*[m.key for m in group])
        if await uow.notifications.claim(ids, batch_id, dispatcher.first_gateway(channel)) == len(ids):
            batches.add(batch_id)
    return sorted(batches)


async def begin_attempt(uow: NotifierUnitOfWork, lease: timedelta, batch_id: str) -> Attempt | None:
    """The attempt and a lease on record before the gateway is called: a crash leaves the batch
    `sending`, due again when the lease ends, with the same request id. None when the batch is no
    longer in flight."""
    batch = await uow.notifications.batch(batch_id)
    if not batch or batch[0].status != NotificationStatus.SENDING:
        return None
    number = batch[0].attempts + 1
    await uow.notifications.lease([m.id for m in batch], number, uow.clock.now() + lease)
    return Attempt(batch_id, tuple(batch), number)


async def record_outcome(
    uow: NotifierUnitOfWork, dispatcher: Dispatcher, attempt: Attempt, answer: Answer
) -> None:
    """Sent, tried again later (the same gateway, or the next one), or failed — with its event."""
    first = attempt.batch[0]
    ids = [m.id for m in attempt.batch]
    channel, gateway, result = first.channel, answer.gateway, answer.result
    detail = masked(result)
    now = uow.clock.now()
    sms_gateways = [g.name for g in dispatcher.sms]
    if result.outcome == Outcome.ACCEPTED:
        rendered = answer.rendered
        segments = rendered.sms_segments.count if rendered and channel == Channel.SMS else None
        if await uow.notifications.mark_sent(ids, now, result.provider_id, segments):
            announce_outcome(uow, NotificationSent, attempt, gateway, segments, None)
            MESSAGES.labels(channel, "sent").inc()
            if segments:
                SEGMENTS.inc(segments)
    elif result.outcome == Outcome.TRANSIENT and (
        nxt := policy.next_try(dispatcher.rules, channel, gateway, attempt.number, sms_gateways)
    ):
        next_gateway, retry_in = nxt
        at = now + timedelta(seconds=retry_in)
        if next_gateway != gateway:
            await uow.notifications.fail_over(ids, next_gateway, at, detail)
            MESSAGES.labels(channel, "failed_over").inc()
        else:
            await uow.notifications.retry(ids, at, detail)
        MESSAGES.labels(channel, "retried").inc()
    elif await uow.notifications.mark_failed(ids, detail):
        announce_outcome(uow, NotificationFailed, attempt, gateway, None, detail)
        MESSAGES.labels(channel, "failed").inc()


async def outcome_read_back(uow: NotifierUnitOfWork, event: NotificationSent | NotificationFailed) -> None:
    """The notifier's own outcomes read back: after a rebuild, those messages are not sent again."""
    outcome = NotificationStatus.SENT if isinstance(event, NotificationSent) else NotificationStatus.FAILED
    await uow.notifications.remember_outcomes(event.data.request_ids, outcome)


def announce_held(
    uow: NotifierUnitOfWork, batch: Sequence[Notification], cause: HoldCause, until: datetime
) -> None:
    """Say that these messages wait (the operator board counts them until they go or their hold
    ends)."""
    first = batch[0]
    request_ids = sorted(m.request_id for m in batch)
    data = HeldData(
        request_ids=request_ids,
        agency_code=first.agency_code,
        reasons=[m.reason for m in batch],
        channel=first.channel,
        recipient_role=first.role,
        cause=cause,
        until=until,
    )
    announce(uow, NotificationHeld, data, derived_id("held", *request_ids, until.isoformat()))


def announce_outcome(
    uow: NotifierUnitOfWork,
    kind: type[NotificationSent] | type[NotificationFailed],
    attempt: Attempt,
    gateway: str,
    segments: int | None,
    error: str | None,
) -> None:
    first = attempt.batch[0]
    data = DeliveryData(
        request_id=attempt.batch_id,
        request_ids=[m.request_id for m in attempt.batch],
        agency_code=first.agency_code,
        reasons=[m.reason for m in attempt.batch],
        periods=[m.period for m in attempt.batch],
        channel=first.channel,
        recipient_role=first.role,
        gateway=gateway,
        attempts=attempt.number,
        segments=segments,
        error=error,
    )
    announce(uow, kind, data, derived_id("delivery", attempt.batch_id, kind.event_type))


def announce(
    uow: NotifierUnitOfWork,
    kind: type[NotificationSent] | type[NotificationFailed] | type[NotificationHeld],
    data: DeliveryData | HeldData,
    event_id: uuid.UUID,
) -> None:
    """What became of messages, on the deliveries topic, keyed by their agency."""
    event = kind.create(
        source=uow.source, subject=data.agency_code, data=data, time=uow.clock.now(), event_id=event_id
    )
    uow.emit(Topic.NOTIFIER_DELIVERIES, event)
