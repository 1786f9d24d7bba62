"""The notifications as one unit of work reads and writes them: typed in and out, each status change a
named operation that moves only messages still in the status it starts from (the guard is in the
statement, so two rounds cannot both move one message) and only along the lifecycle's transitions."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.deliveries import Channel, HoldCause, RecipientRole
from services.common.db import upsert
from services.common.uow import Repository
from services.notifier.lifecycle import (
    FIRST_STATUSES,
    OUTCOMES,
    UNSETTLED,
    Delivery,
    ForbiddenTransitionError,
    Message,
    Notification,
    NotificationStatus,
    move,
)
from services.notifier.tables import delivered, notifications

Status = NotificationStatus


@dataclass(frozen=True)
class Counts:
    """Messages (a digest counts once) sent and failed lately, held for later and due now."""

    next_due_in_seconds: float | None
    sent: int
    failed: int
    held: int
    due: int
    sms_segments: int


def notification_of(row: RowMapping) -> Notification:
    return Notification(
        key=row["key"],
        request_id=row["request_id"],
        agency_code=row["agency_code"],
        reason=row["reason"],
        period=row["period"],
        channel=Channel(row["channel"]),
        role=RecipientRole(row["role"]),
        recipient_name=row["recipient_name"],
        address=row["address"],
        context=row["context"],
        critical=row["critical"],
        due_at=row["due_at"],
        id=row["id"],
        status=Status(row["status"]),
        batch_id=row["batch_id"],
        gateway=row["gateway"],
        attempts=row["attempts"],
        segments=row["segments"],
        provider_id=row["provider_id"],
        error=row["error"],
        delivery=None if row["delivery"] is None else Delivery(row["delivery"]),
        created_at=row["created_at"],
        sent_at=row["sent_at"],
        held_for=None if row["held_for"] is None else HoldCause(row["held_for"]),
    )


class Notifications(Repository):
    """Written as it goes (nothing is preloaded or held back)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, query: Any) -> list[Notification]:
        return [notification_of(row) for row in (await self.session.execute(query)).mappings()]

    async def _move(
        self, ids: list[int], current: NotificationStatus, to: NotificationStatus, **values: Any
    ) -> int:
        """Move those of `ids` still `current` to `to` (a move the lifecycle allows); how many were."""
        move(current, to)
        return await self._change(ids, current, status=to.value, **values)

    async def _change(self, ids: list[int], current: NotificationStatus | None, **values: Any) -> int:
        """Change those of `ids` (with `current`, only those still in that status); how many were."""
        query = update(notifications).where(notifications.c.id.in_(ids))
        if current is not None:
            query = query.where(notifications.c.status == current.value)
        return int((await self.session.execute(query.values(**values))).rowcount or 0)  # type: ignore[attr-defined]

    # Queueing.

    async def add(self, message: Message, status: NotificationStatus, now: datetime) -> bool:
        """Record a new message unless its key exists; whether it was new."""
        if status not in FIRST_STATUSES:
            raise ForbiddenTransitionError(f"a new notification cannot be {status}")
        values = {
            "key": message.key,
            "request_id": message.request_id,
            "agency_code": message.agency_code,
            "reason": message.reason,
            "period": message.period,
            "channel": message.channel.value,
            "role": message.role.value,
            "recipient_name": message.recipient_name,
            "address": message.address,
            "context": message.context,
            "critical": message.critical,
            "status": status.value,
            "due_at": message.due_at,
            "attempts": 0,
            "created_at": now,
        }
        stmt = (
            upsert(self.session, notifications)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        return bool((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]

    async def revive(self, message: Message) -> bool:
        """A cancelled message whose reason holds again (a session moved back) is queued again."""
        move(Status.CANCELLED, Status.PENDING)
        result = await self.session.execute(
            update(notifications)
            .where(notifications.c.key == message.key, notifications.c.status == Status.CANCELLED.value)
            .values(
                context=message.context,
                due_at=message.due_at,
                critical=message.critical,
                status=Status.PENDING.value,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def cancel(
        self, agency_code: str, reasons: tuple[str, ...], period_prefix: str, keep: str | None = None
    ) -> int:
        """Pending messages made moot (a session moved or cancelled), except the period `keep`; those in
        flight are left alone."""
        move(Status.PENDING, Status.CANCELLED)
        where = [
            notifications.c.status == Status.PENDING.value,
            notifications.c.agency_code == agency_code,
            notifications.c.reason.in_(reasons),
            notifications.c.period.startswith(period_prefix),
        ]
        if keep is not None:
            where.append(notifications.c.period != keep)
        result = await self.session.execute(
            update(notifications).where(*where).values(status=Status.CANCELLED.value)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # Outcomes read back from its own topic (a rebuild sends nothing twice).

    async def remember_outcomes(self, request_ids: list[str], outcome: NotificationStatus) -> None:
        """The notifier published these outcomes: kept, and messages still pending with those request
        ids are settled as published."""
        if outcome not in OUTCOMES:
            raise ForbiddenTransitionError(f"{outcome} is not an outcome the deliveries topic reports")
        if not request_ids:
            return
        rows = [{"request_id": r, "outcome": outcome.value} for r in request_ids]
        await self.session.execute(upsert(self.session, delivered).values(rows).on_conflict_do_nothing())
        await self.session.execute(
            update(notifications)
            .where(
                notifications.c.request_id.in_(request_ids),
                notifications.c.status == Status.PENDING.value,
            )
            .values(status=outcome.value)
        )

    async def remembered_outcome(self, request_id: str) -> NotificationStatus | None:
        found = await self.session.scalar(
            select(delivered.c.outcome).where(delivered.c.request_id == request_id)
        )
        return None if found is None else Status(found)

    # Sending.

    async def due(self, now: datetime, limit: int) -> list[Notification]:
        return await self._all(
            select(notifications)
            .where(notifications.c.status.in_([s.value for s in UNSETTLED]), notifications.c.due_at <= now)
            .order_by(notifications.c.due_at, notifications.c.id)
            .limit(limit)
        )

    async def pending_for(
        self, agency_code: str, channel: Channel, address: str, due_by: datetime
    ) -> list[Notification]:
        """Pending messages to one person due by `due_by` (what goes together in one digest)."""
        return await self._all(
            select(notifications).where(
                notifications.c.status == Status.PENDING.value,
                notifications.c.due_at <= due_by,
                notifications.c.agency_code == agency_code,
                notifications.c.channel == channel.value,
                notifications.c.address == address,
            )
        )

    async def batch(self, batch_id: str) -> list[Notification]:
        return await self._all(
            select(notifications).where(notifications.c.batch_id == batch_id).order_by(notifications.c.id)
        )

    async def sms_sent_since(self, address: str, since: datetime) -> list[datetime]:
        """When SMS went to `address` since `since` (a digest counts once); one in flight counts as going
        at its due time, so a retry pending cannot let a fourth through."""
        rows = await self.session.execute(
            select(
                notifications.c.batch_id, func.min(notifications.c.sent_at), func.max(notifications.c.due_at)
            )
            .where(
                notifications.c.address == address,
                notifications.c.channel == Channel.SMS.value,
                or_(
                    (notifications.c.status == Status.SENT.value) & (notifications.c.sent_at > since),
                    notifications.c.status == Status.SENDING.value,
                ),
            )
            .group_by(notifications.c.batch_id)
        )
        return [sent or due for _, sent, due in rows]

    async def hold(self, ids: list[int], until: datetime, cause: HoldCause) -> None:
        """Held for quiet hours or the throttle: due later, in whatever status they are, and why."""
        await self._change(ids, None, due_at=until, held_for=cause.value)

    async def claim(self, ids: list[int], batch_id: str, gateway: str) -> int:
        """Pending messages become one batch in flight, with its request id and first gateway; how
        many were still pending."""
        return await self._move(ids, Status.PENDING, Status.SENDING, batch_id=batch_id, gateway=gateway)

    async def lease(self, ids: list[int], attempts: int, until: datetime) -> int:
        """An attempt on record before the gateway is called: the batch is due again when the lease
        ends (the same request id), should the attempt never report."""
        return await self._change(ids, Status.SENDING, attempts=attempts, due_at=until)

    async def mark_sent(
        self, ids: list[int], at: datetime, provider_id: str | None, segments: int | None
    ) -> int:
        return await self._move(
            ids,
            Status.SENDING,
            Status.SENT,
            sent_at=at,
            provider_id=provider_id,
            segments=segments,
            error=None,
        )

    async def retry(self, ids: list[int], at: datetime, error: str) -> int:
        """Tried again on the same gateway at `at` (still in flight, same request id)."""
        return await self._change(ids, Status.SENDING, due_at=at, error=error)

    async def fail_over(self, ids: list[int], gateway: str, at: datetime, error: str) -> int:
        """Tried next on another gateway, its attempts counted afresh (same request id)."""
        return await self._change(ids, Status.SENDING, due_at=at, error=error, gateway=gateway, attempts=0)

    async def mark_failed(self, ids: list[int], error: str) -> int:
        return await self._move(ids, Status.SENDING, Status.FAILED, error=error)

    async def record_delivery(self, delivery: Delivery, batch_id: str | None, provider_id: str | None) -> int:
        """A gateway's delivery report, for the batch (request id) or the gateway's own id; how many
        messages it concerned."""
        where = (
            notifications.c.batch_id == batch_id
            if batch_id
            else notifications.c.provider_id == str(provider_id)
        )
        result = await self.session.execute(
            update(notifications).where(where).values(delivery=delivery.value)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # Reading.

    async def listing(
        self, agency_code: str | None, status: NotificationStatus | None, limit: int
    ) -> list[Notification]:
        query = select(notifications).order_by(notifications.c.id.desc()).limit(limit)
        if agency_code:
            query = query.where(notifications.c.agency_code == agency_code)
        if status:
            query = query.where(notifications.c.status == status.value)
        return await self._all(query)

    async def counts(self, now: datetime, since: datetime) -> Counts:
        """Messages (a digest counts once) sent and failed since `since`, held for later, due now."""
        batches = func.count(
            func.distinct(func.coalesce(notifications.c.batch_id, notifications.c.request_id))
        )
        unsettled = notifications.c.status.in_([s.value for s in UNSETTLED])

        async def count(*where: ColumnElement[bool]) -> int:
            return int(await self.session.scalar(select(batches).where(*where)) or 0)

        recent = notifications.c.sent_at > since
        sent = notifications.c.status == Status.SENT.value
        next_due = await self.session.scalar(select(func.min(notifications.c.due_at)).where(unsettled))
        if next_due is not None and next_due.tzinfo is None:  # SQLite forgets the zone; times are UTC
            next_due = next_due.replace(tzinfo=UTC)
        return Counts(
            next_due_in_seconds=(next_due - now).total_seconds() if next_due else None,
            sent=await count(sent, recent),
            failed=await count(notifications.c.status == Status.FAILED.value, notifications.c.due_at > since),
            held=await count(unsettled, notifications.c.due_at > now),
            due=await count(unsettled, notifications.c.due_at <= now),
            sms_segments=int(
                await self.session.scalar(
                    select(func.coalesce(func.sum(notifications.c.segments), 0)).where(
                        sent, notifications.c.channel == Channel.SMS.value, recent
                    )
                )
                or 0
            ),
        )
