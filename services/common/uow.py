"""The unit of work (cosmicpython ch. 6): one database transaction that holds a state change, the
events it implies (outbox) and the consumed event ids it answers (inbox). Commit makes all three
durable together, or none."""

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import CloudEvent
from services.common.clock import Clock
from services.common.messaging import OutgoingRecord, inbox, outbox


class UnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        source: str,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        #: CloudEvents `source` of what this service emits.
        self.source = source
        self._on_commit = on_commit
        self.clock = clock
        self._pending: list[OutgoingRecord] = []

    async def __aenter__(self) -> "UnitOfWork":
        self.session = self._sessions()
        await self.session.begin()
        self._pending = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.session.in_transaction():
            await self.session.rollback()
        await self.session.close()

    def emit(self, topic: str, event: CloudEvent) -> None:
        """Publish `event` on `topic` if, and only if, this unit of work commits."""
        self._pending.append(OutgoingRecord.of(topic, event))

    def emit_record(self, record: OutgoingRecord) -> None:
        self._pending.append(record)

    async def seen(self, consumer: str, event_id: str) -> bool:
        row = await self.session.execute(
            select(inbox.c.event_id).where(inbox.c.consumer == consumer, inbox.c.event_id == event_id)
        )
        return row.first() is not None

    async def remember(self, consumer: str, event_id: str) -> None:
        """Record that `consumer` has applied `event_id`; a redelivery will then be skipped."""
        await self.session.execute(
            insert(inbox).values(consumer=consumer, event_id=event_id, processed_at=self.clock.now())
        )

    async def flush_outbox(self) -> None:
        if not self._pending:
            return
        now = self.clock.now()
        await self.session.execute(
            insert(outbox),
            [
                {
                    "event_id": r.event_id,
                    "topic": r.topic,
                    "key": r.key,
                    "value": r.value,
                    "headers": r.headers,
                    "created_at": now,
                }
                for r in self._pending
            ],
        )
        self._pending = []

    async def commit(self) -> None:
        await self.flush_outbox()
        await self.session.commit()
        self._on_commit()

    def discard_events(self) -> None:
        """Forget events emitted since the last flush (their state change is being rolled back)."""
        self._pending = []


UnitOfWorkFactory = Callable[[], UnitOfWork]
