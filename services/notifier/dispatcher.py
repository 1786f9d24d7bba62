"""Sending what is due, exactly once per key.

1. Due pending messages to one person (agency, channel, address) become one batch — a digest when
   there are several — unless quiet hours or the throttle hold them (they wait; nothing is dropped).
2. The batch's request id is recorded (status `sending`) and committed *before* the gateway is called.
3. The gateway is called with that id; the outcome is committed with its event (`notification-sent` /
   `-failed`). A crash between 2 and 3 leaves the batch `sending`: the next round sends it again with
   the same request id, which the gateway recognises, so the person gets one message.
Transient failures are retried with exponential backoff and jitter, then failed over to the fallback
gateway; permanent ones are not retried.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

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
    RecipientRole,
)
from contracts.envelope import derived_id
from contracts.topics import Topic
from services.common.logging import mask_text
from services.common.metrics import REGISTRY
from services.common.uow import UnitOfWork
from services.common.workdays import WorkingDays
from services.notifier import policy, store
from services.notifier.gateways import Gateway, Outcome, Result
from services.notifier.mailer import Mailer
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


class Dispatcher:
    def __init__(
        self,
        templates: Templates,
        calendar: WorkingDays,
        rules: SendingRules,
        sms: list[Gateway],
        mailer: Mailer,
    ) -> None:
        self.templates = templates
        self.calendar = calendar
        self.rules = rules
        self.sms = sms
        self.mailer = mailer

    async def run_once(self, uow_factory: Any, limit: int = 200) -> int:
        """Send every batch due now; how many batches were attempted. One batch's trouble (a bug, a
        gateway raising) is logged and retried later; it never stops the others."""
        async with uow_factory() as uow:
            now = uow.clock.now()
            rows = await store.due(uow.session, now, limit)
            batches = await self._form_batches(uow, rows, now)
            await uow.commit()
        for batch_id in batches:
            try:
                await self._send(uow_factory, batch_id)
            except Exception as exc:  # the batch stays `sending` with its lease; the next round retries
                log.warning("message attempt failed", request_id=batch_id, error=repr(exc))
        return len(batches)

    async def _form_batches(self, uow: UnitOfWork, rows: list[dict[str, Any]], now: datetime) -> list[str]:
        """Batches to send now: those in flight whose retry is due, and new ones from pending rows not
        held back by quiet hours or the throttle."""
        batches: set[str] = set()
        for row in rows:
            if row["status"] == "sending" and row["batch_id"] not in batches:
                hold = self._hold_until([row], now) if row["channel"] == Channel.SMS else None
                if hold is not None:  # a retry waits for the window too
                    batch = [r for r in rows if r["batch_id"] == row["batch_id"]]
                    self._hold(uow, batch, HoldCause.QUIET_HOURS, hold)
                    await store.set_rows(uow.session, [r["id"] for r in batch], due_at=hold)
                else:
                    batches.add(row["batch_id"])
        people: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for row in rows:
            if row["status"] == "pending":
                people.setdefault((row["agency_code"], row["channel"], row["address"]), []).append(row)
        for agency_code, channel, address in people:
            # What is due for this person, and what will be within the digest window: one message.
            soon = now + self.rules.digest_window
            group = await store.pending_for(uow.session, agency_code, channel, address, soon)
            ids = [r["id"] for r in group]
            cause, hold = HoldCause.QUIET_HOURS, None
            if channel == Channel.SMS:
                hold = self._hold_until(group, now)
            if hold is None and channel == Channel.SMS:
                sent = await store.sms_sent_since(uow.session, address, now - self.rules.throttle_window)
                cause = HoldCause.THROTTLE
                hold = policy.throttled_until(
                    sent, now, self.rules.throttle_limit, self.rules.throttle_window
                )
            if hold is not None:
                MESSAGES.labels(channel, "throttled" if cause == HoldCause.THROTTLE else "held").inc(len(ids))
                self._hold(uow, group, cause, hold)
                await store.set_rows(uow.session, ids, due_at=hold)
                continue
            batch_id = policy.request_id(*[r["key"] for r in group])
            first_gateway = self.sms[0].name if channel == Channel.SMS else self.mailer.name
            claimed = await store.set_rows(
                uow.session,
                ids,
                only_status="pending",
                status="sending",
                batch_id=batch_id,
                gateway=first_gateway,
            )
            if claimed == len(ids):
                batches.add(batch_id)
        return sorted(batches)

    def _hold(self, uow: UnitOfWork, rows: list[dict[str, Any]], cause: HoldCause, until: datetime) -> None:
        """Say that these messages wait (the operator board counts them until they go or their hold
        ends)."""
        first = rows[0]
        request_ids = sorted(r["request_id"] for r in rows)
        data = HeldData(
            request_ids=request_ids,
            agency_code=first["agency_code"],
            reasons=[r["reason"] for r in rows],
            channel=Channel(first["channel"]),
            recipient_role=RecipientRole(first["role"]),
            cause=cause,
            until=until,
        )
        announce(uow, NotificationHeld, data, derived_id("held", *request_ids, until.isoformat()))

    def _hold_until(self, group: list[dict[str, Any]], now: datetime) -> datetime | None:
        if any(r["critical"] for r in group):
            return None
        window = self.calendar.next_window(
            now, self.rules.quiet_opens, self.rules.quiet_closes, self.rules.working_days_only
        )
        return window if window > now else None

    def render(self, rows: list[dict[str, Any]]) -> Rendered:
        """The message for a batch: its own template, or a digest listing each reason — with as many
        items as fit in the allowed SMS parts, the rest counted."""
        first = rows[0]
        context = first["context"] | {"recipient": first["recipient_name"]}
        if len(rows) == 1:
            return self.templates.render(first["reason"], context)
        items = [self.templates.item(r["reason"], r["context"] | {"recipient": ""}) for r in rows]
        shown = len(items)
        while True:
            listed = items[:shown] + ([f"va {len(items) - shown} viec khac"] if shown < len(items) else [])
            rendered = self.templates.render("digest", context | {"items": listed})
            if rendered.sms_segments.count <= self.templates.max_segments or shown == 1:
                return rendered
            shown -= 1

    async def _send(self, uow_factory: Any, batch_id: str) -> None:
        async with uow_factory() as uow:
            rows = await store.batch(uow.session, batch_id)
            if not rows or rows[0]["status"] != "sending":
                return  # done meanwhile
            attempts = rows[0]["attempts"] + 1
            # The attempt and a lease are on record before the gateway is called: a crash leaves the
            # batch `sending`, due again when the lease ends, with the same request id.
            lease = uow.clock.now() + self.rules.lease
            await store.set_rows(
                uow.session, [r["id"] for r in rows], only_status="sending", attempts=attempts, due_at=lease
            )
            await uow.commit()
        first = rows[0]
        gateway_name = first["gateway"]
        try:
            rendered = self.render(rows)
        except Exception as exc:  # a template or slot that cannot render: permanent, never retried
            await self._record(
                uow_factory,
                batch_id,
                rows,
                None,
                gateway_name,
                Result(Outcome.PERMANENT, detail=f"template: {exc}"),
                attempts,
            )
            return
        if first["channel"] == Channel.SMS:
            gateway = next((g for g in self.sms if g.name == gateway_name), self.sms[0])
            gateway_name = gateway.name
            result = await gateway.send(batch_id, first["address"], rendered.sms, self.rules.brandname)
        else:
            result = await self.mailer.send(
                batch_id, first["address"], rendered.subject, rendered.text, rendered.html
            )
        await self._record(uow_factory, batch_id, rows, rendered, gateway_name, result, attempts)

    async def _record(
        self,
        uow_factory: Any,
        batch_id: str,
        rows: list[dict[str, Any]],
        rendered: Rendered | None,
        gateway: str,
        result: Result,
        attempts: int,
    ) -> None:
        first = rows[0]
        ids = [r["id"] for r in rows]
        channel = first["channel"]
        detail = mask_text(result.detail)[:500]  # a gateway may echo the number: never keep it
        async with uow_factory() as uow:
            now = uow.clock.now()
            if result.outcome == Outcome.ACCEPTED:
                segments = rendered.sms_segments.count if rendered and channel == Channel.SMS else None
                done = await store.set_rows(
                    uow.session,
                    ids,
                    only_status="sending",
                    status="sent",
                    sent_at=now,
                    provider_id=result.provider_id,
                    segments=segments,
                    error=None,
                )
                if done:
                    self._publish(uow, NotificationSent, batch_id, rows, gateway, attempts, segments, None)
                    MESSAGES.labels(channel, "sent").inc()
                    if segments:
                        SEGMENTS.inc(segments)
            elif result.outcome == Outcome.TRANSIENT and (nxt := self._next_try(channel, gateway, attempts)):
                next_gateway, retry_in = nxt
                values: dict[str, Any] = {"due_at": now + timedelta(seconds=retry_in), "error": detail}
                if next_gateway != gateway:
                    values |= {"gateway": next_gateway, "attempts": 0}
                    MESSAGES.labels(channel, "failed_over").inc()
                await store.set_rows(uow.session, ids, only_status="sending", **values)
                MESSAGES.labels(channel, "retried").inc()
            elif await store.set_rows(uow.session, ids, only_status="sending", status="failed", error=detail):
                self._publish(uow, NotificationFailed, batch_id, rows, gateway, attempts, None, detail)
                MESSAGES.labels(channel, "failed").inc()
            await uow.commit()
        log.info(
            "message attempted",
            request_id=batch_id,
            agency_code=first["agency_code"],
            channel=channel,
            gateway=gateway,
            outcome=result.outcome.value,
            detail=detail,
            reasons=[r["reason"] for r in rows],
        )

    def _next_try(self, channel: str, gateway: str, attempts: int) -> tuple[str, float] | None:
        """(gateway, seconds) of the next try after a transient failure, or None when all are spent."""
        if attempts < self.rules.attempts_per_gateway:
            return gateway, policy.backoff(attempts, self.rules.backoff_base, self.rules.backoff_cap)
        if channel == Channel.SMS:
            names = [g.name for g in self.sms]
            index = names.index(gateway) if gateway in names else 0
            if index + 1 < len(names):
                return names[index + 1], 0.0
        return None

    def _publish(
        self,
        uow: UnitOfWork,
        kind: type[NotificationSent] | type[NotificationFailed],
        batch_id: str,
        rows: list[dict[str, Any]],
        gateway: str,
        attempts: int,
        segments: int | None,
        error: str | None,
    ) -> None:
        first = rows[0]
        data = DeliveryData(
            request_id=batch_id,
            request_ids=[r["request_id"] for r in rows],
            agency_code=first["agency_code"],
            reasons=[r["reason"] for r in rows],
            periods=[r["period"] for r in rows],
            channel=Channel(first["channel"]),
            recipient_role=RecipientRole(first["role"]),
            gateway=gateway,
            attempts=attempts,
            segments=segments,
            error=error,
        )
        announce(uow, kind, data, derived_id("delivery", batch_id, kind.event_type))


def announce(
    uow: UnitOfWork,
    kind: type[NotificationSent] | type[NotificationFailed] | type[NotificationHeld],
    data: DeliveryData | HeldData,
    event_id: uuid.UUID,
) -> None:
    """What became of messages, on the deliveries topic, keyed by their agency."""
    event = kind.create(
        source=uow.source, subject=data.agency_code, data=data, time=uow.clock.now(), event_id=event_id
    )
    uow.emit(Topic.NOTIFIER_DELIVERIES, event)
