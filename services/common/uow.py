"""The unit of work (cosmicpython ch. 6): one database transaction that holds a state change, the
events it implies (outbox) and the consumed event ids it answers (inbox). Commit makes all three
durable together, or none.

A service's own unit of work (a subclass) opens its repositories with the transaction (`_open`) and
names them (`repositories`). A consumer's fast pass asks them to `preload` a whole batch — read ahead
in a few queries into their identity maps, writes held for the commit — and `commit` flushes them
first. So a use case reads and writes through a repository the same way whether its batch was
preloaded or not; only the repository knows the difference.
"""

from collections.abc import Callable, Collection, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import CloudEvent
from services.common.clock import Clock
from services.common.db import READ_ONLY
from services.common.outbox_inbox import MAX_RECORD_BYTES, OutgoingRecord, inbox, outbox

#: First key of the two-key advisory locks that order outbox writes per Kafka key on PostgreSQL.
_KEY_LOCK_CLASS = 0x0E150


class Repository:
    """A store as one unit of work sees it. The base preloads nothing and holds nothing back."""

    async def preload(self, events: Sequence[CloudEvent]) -> None:
        """Read ahead what handling `events` will need (the consumer's fast pass only)."""

    async def flush(self) -> None:
        """Write what was held back for the commit."""


class UnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        source: str,
        on_commit: Callable[[], None] = lambda: None,
        read_only: bool = False,
    ) -> None:
        self._sessions = sessions
        self._on_commit = on_commit
        self._read_only = read_only
        self.clock = clock
        #: CloudEvents `source` of what this service emits.
        self.source = source
        self._pending: list[OutgoingRecord] = []
        self._inbox: list[dict[str, object]] = []

    async def __aenter__(self) -> Self:
        self.session = self._sessions(execution_options=READ_ONLY if self._read_only else {})
        await self.session.begin()
        self._pending, self._inbox = [], []
        self._open()
        return self

    def _open(self) -> None:
        """Open the service's repositories on `self.session` (a subclass's)."""

    def repositories(self) -> Sequence[Repository]:
        """The repositories to preload and flush (a subclass's)."""
        return ()

    async def preload(self, events: Sequence[CloudEvent]) -> None:
        for repository in self.repositories():
            await repository.preload(events)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.session.in_transaction():
            await self.session.rollback()
        await self.session.close()

    def emit(self, topic: str, event: CloudEvent) -> None:
        """Publish `event` on `topic` if, and only if, this unit of work commits."""
        self.emit_record(OutgoingRecord.of(topic, event))

    def emit_record(self, record: OutgoingRecord) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot emit events")
        if record.size > MAX_RECORD_BYTES:
            raise ValueError(f"event {record.event_id} is {record.size} bytes (> {MAX_RECORD_BYTES})")
        self._pending.append(record)

    async def seen(self, consumer: str, event_ids: Collection[str]) -> dict[str, str | None]:
        """Which of `event_ids` `consumer` has already applied, each with the digest it was applied
        with, if one was kept (one query for a whole batch)."""
        if not event_ids:
            return {}
        rows = await self.session.execute(
            select(inbox.c.event_id, inbox.c.digest).where(
                inbox.c.consumer == consumer, inbox.c.event_id.in_(event_ids)
            )
        )
        return {row.event_id: row.digest for row in rows}

    def remember(self, consumer: str, event_id: str, digest: str | None = None) -> None:
        """Record that `consumer` has applied `event_id` (written with the commit, in one insert); a
        redelivery will then be skipped."""
        self._inbox.append(
            {"consumer": consumer, "event_id": event_id, "processed_at": self.clock.now(), "digest": digest}
        )

    async def flush_outbox(self) -> None:
        """Write the pending events into the outbox (still inside this transaction)."""
        if not self._pending:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            # Outbox ids come from a sequence at insert time, not at commit: without this lock two
            # transactions for one key could commit in the opposite order of their ids and the relay
            # publish them out of order. Sorted, so that two writers never wait on each other in a cycle.
            for key in sorted({r.key for r in self._pending}):
                await self.session.execute(
                    select(func.pg_advisory_xact_lock(_KEY_LOCK_CLASS, func.hashtext(key)))
                )
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
        for repository in self.repositories():
            await repository.flush()
        await self.flush_outbox()
        if self._inbox:
            await self.session.execute(insert(inbox), self._inbox)
            self._inbox = []
        await self.session.commit()
        self._on_commit()

    def pending_events(self) -> list[OutgoingRecord]:
        """What this unit of work would publish if it committed now (a preview shows them)."""
        return list(self._pending)

    def discard_events(self) -> None:
        """Forget events emitted since the last flush (their state change is being rolled back)."""
        self._pending = []


UnitOfWorkFactory = Callable[[], UnitOfWork]
