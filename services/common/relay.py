"""The outbox relay: publishes committed outbox rows to Kafka in insertion order, then marks them sent.

A crash after publishing and before marking publishes those rows again on restart; consumers drop the
repeats through their inbox (at-least-once transport, effectively-once effects). Only one relay of a
service publishes at a time (a PostgreSQL advisory lock), so per-key order holds with several replicas.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import metrics
from services.common.clock import Clock
from services.common.db import READ_ONLY, exclusive_turn
from services.common.outbox_inbox import OutgoingRecord, outbox

log = structlog.get_logger("eiso.relay")

#: Any number, the same in every service's relay; each service has its own database.
_RELAY_LOCK = 0x6E150


class PublishError(Exception):
    """Publishing stopped part-way: the first `acknowledged` records are on the broker, the rest not."""

    def __init__(self, acknowledged: int, cause: BaseException) -> None:
        super().__init__(f"{acknowledged} record(s) acknowledged, then: {cause!r}")
        self.acknowledged = acknowledged


class Publisher(Protocol):
    async def __call__(self, records: Sequence[OutgoingRecord]) -> None:
        """Publish all `records` in order, returning only once the broker has acknowledged each;
        raise `PublishError` saying how many of the first ones were acknowledged."""


class OutboxRelay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publish: Publisher,
        clock: Clock,
        batch_max: int = 500,
        poll_seconds: float = 0.5,
    ) -> None:
        self._sessions = sessions
        self._publish = publish
        self._clock = clock
        self._batch_max = batch_max
        self._poll_seconds = poll_seconds
        self._wakeup = asyncio.Event()
        self.healthy = True

    def wake(self) -> None:
        """Called after a commit that wrote outbox rows, so they go out without waiting for the poll."""
        self._wakeup.set()

    async def publish_pending(self) -> int:
        """One round: publish up to `batch_max` unsent rows; return how many were published.

        No transaction is held while Kafka is called: with the broker down, writers still commit.
        """
        async with self._leadership() as leader:
            if not leader:
                return 0
            async with self._sessions(execution_options=READ_ONLY) as session, session.begin():
                rows = (
                    await session.execute(
                        select(outbox)
                        .where(outbox.c.sent_at.is_(None))
                        .order_by(outbox.c.id)
                        .limit(self._batch_max)
                    )
                ).all()
            if not rows:
                metrics.OUTBOX_PENDING.set(0)
                return 0
            records = [OutgoingRecord(r.event_id, r.topic, r.key, r.value, dict(r.headers)) for r in rows]
            failure: PublishError | None = None
            try:
                await self._publish(records)
                acknowledged = len(records)
            except PublishError as error:
                failure, acknowledged = error, error.acknowledged
            if acknowledged:
                # Only the acknowledged prefix: the rest is retried, and nothing after a gap is marked.
                async with self._sessions() as session, session.begin():
                    await session.execute(
                        update(outbox)
                        .where(outbox.c.id.in_([r.id for r in rows[:acknowledged]]))
                        .values(sent_at=self._clock.now())
                    )
        for record in records[:acknowledged]:
            metrics.OUTBOX_PUBLISHED.labels(topic=record.topic).inc()
        if failure is not None:
            raise failure
        return acknowledged

    def _leadership(self) -> contextlib.AbstractAsyncContextManager[bool]:
        """On PostgreSQL, replicas take turns publishing, so per-key order holds."""
        return exclusive_turn(self._sessions.kw["bind"], _RELAY_LOCK)

    async def pending(self) -> int:
        async with self._sessions() as session:
            count = await session.scalar(select(func.count()).where(outbox.c.sent_at.is_(None)))
        return int(count or 0)

    async def run(self) -> None:
        """Publish until cancelled; on failure back off (up to 10 s) and try the same rows again."""
        delay = 0.2
        while True:
            self._wakeup.clear()  # before reading: a commit during the round wakes the next one
            try:
                published = await self.publish_pending()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.healthy = False
                metrics.OUTBOX_FAILURES.inc()
                log.warning("outbox publish failed; will retry", error=str(exc), retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            self.healthy = True
            delay = 0.2
            if published == self._batch_max:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._poll_seconds)


PublishFn = Callable[[Sequence[OutgoingRecord]], Awaitable[None]]
