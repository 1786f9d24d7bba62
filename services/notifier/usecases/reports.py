"""What was sent to whom and what it cost: the listing, the operator board's summary and the cost
preview of a campaign's SMS."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.deliveries import Channel
from services.notifier import digest
from services.notifier.lifecycle import UNSETTLED, Notification, NotificationStatus
from services.notifier.notifications import Counts
from services.notifier.store import NotifierUnitOfWork
from services.notifier.templates import Templates

#: More than any campaign queues: the cost preview reads every message.
EVERY = 1_000_000


async def notifications(
    uow: NotifierUnitOfWork, agency_code: str | None, status: NotificationStatus | None, limit: int
) -> list[Notification]:
    """Messages, newest first."""
    return await uow.notifications.listing(agency_code, status, limit)


@dataclass(frozen=True)
class Recent:
    now: datetime
    counts: Counts


async def summary(uow: NotifierUnitOfWork, hours: int) -> Recent:
    """The last `hours` hours at a glance."""
    now = uow.clock.now()
    return Recent(now, await uow.notifications.counts(now, now - timedelta(hours=hours)))


@dataclass(frozen=True)
class GatewayCost:
    gateway: str
    messages: int
    segments: int


@dataclass(frozen=True)
class Cost:
    sent: list[GatewayCost]
    queued_messages: int
    queued_segments: int


async def cost_preview(uow: NotifierUnitOfWork, templates: Templates) -> Cost:
    """SMS sent per gateway (a digest counts once) with their parts, and those still to send, each
    rendered now and its parts counted."""
    every = await uow.notifications.listing(None, None, EVERY)
    sent: dict[str, list[int]] = {}
    seen: set[str | None] = set()
    for message in every:
        if (
            message.channel == Channel.SMS
            and message.status == NotificationStatus.SENT
            and message.batch_id not in seen
        ):
            seen.add(message.batch_id)
            line = sent.setdefault(message.gateway or "?", [0, 0])
            line[0] += 1
            line[1] += message.segments or 0
    queued = [m for m in every if m.channel == Channel.SMS and m.status in UNSETTLED]
    parts = sum(digest.render(templates, [m]).sms_segments.count for m in queued)
    return Cost(
        sent=[GatewayCost(g, m, s) for g, (m, s) in sorted(sent.items())],
        queued_messages=len(queued),
        queued_segments=parts,
    )
