"""Consuming events with effectively-once effects (docs/architecture.md, "Delivery guarantees").

A batch read from Kafka is applied in one database transaction: each event is parsed against the
contracts, skipped if the inbox has it, applied by its handler inside a savepoint, and remembered in the
inbox; what can never be applied is dead-lettered through the outbox in the same transaction. Only after
the commit is the offset committed. A transient failure (database or broker down) rewinds the batch and
retries it with backoff; readiness is red meanwhile.
"""

import asyncio
import dataclasses
import hashlib
import os
import random
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeAlias

import structlog
from aiokafka.errors import KafkaError
from aiokafka.structs import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from contracts import EventError, parse_event, to_json
from services.common import metrics
from services.common.dlq import dead_letter, record_position, storable
from services.common.uow import UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger("eiso.consumer")

#: A consumed event's handler: the consumer's own unit of work (the service's subclass) and the event.
Handler = Callable[[Any, Any], Awaitable[None]]
Record: TypeAlias = "ConsumerRecord[bytes, bytes]"
#: Whether an event may be applied as it arrived (on this topic): None, or the reason it may not.
Admission = Callable[[str, Any], str | None]
#: What a service keeps of a record it dead-letters, in the same transaction (unit of work, the
#: record, the reason).
Keeper = Callable[[Any, "Record", str], Awaitable[None]]


class PermanentError(Exception):
    """Raised by a handler when an event can never be applied; the event goes to the dead-letter topic."""


class _RefusedError(Exception):
    """A handler could not apply an event during the fast pass: the batch is done again carefully."""


def _inbox_id(record: "Record", event: Any) -> str:
    """What the inbox remembers a record by: its event id, or where it lies when it has none."""
    return record_position(record) if isinstance(event, EventError) else str(event.id)


def _parse(record: "Record") -> Any:
    """The event in `record`, or the EventError saying why there is none. The record's key must be
    the event's key (its subject): the partition, and so the order of a subject's events, follows it."""
    try:
        event = parse_event(record.topic, record.value)
    except EventError as exc:
        return exc
    except Exception as exc:  # parse_event says what is wrong; a surprise must still not stall
        return EventError(f"invalid event: {type(exc).__name__}: {exc}"[:1000])
    expected = event.kafka_key()
    if not record.key:
        return EventError(f"the record has no key: it must be the event's {event.key_field}, {expected}")
    if (key := storable(record.key)) != expected:
        return EventError(
            f"the record's key {key[:80]!r} is not the event's {event.key_field} {expected!r}: one "
            f"{event.key_field}'s events must share a key, or their order is lost"
        )
    return event


def digest_of(event: Any) -> str:
    """What an event id stands for: the SHA-256 of the event as read (its canonical JSON)."""
    return hashlib.sha256(to_json(event)).hexdigest()


def is_transient(exc: BaseException) -> bool:
    """Failures that waiting can cure: the database or the broker unreachable, busy or timing out.

    Anything else a handler raises (a constraint it violates, a bug it hits) would fail the same way
    on every retry and stall the partition, so that event is dead-lettered with the error instead.
    """
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)
    return isinstance(exc, OSError | TimeoutError | KafkaError)


@dataclass
class BatchResult:
    applied: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    ignored: int = 0


@dataclass
class EventConsumer:
    """The handlers one service runs for some topics, under one consumer (inbox) name."""

    name: str
    topics: list[str]
    handlers: dict[str, Handler]
    uow: UnitOfWorkFactory
    #: A fault drill's crash point, `before_commit:N` / `after_commit:N` (see ServiceSettings.crash_at).
    crash_at: str | None = None
    #: Let the unit of work's repositories read the batch ahead in the fast pass (`UnitOfWork.preload`);
    #: a careful redo never does, so it always reads the database. Off: every batch reads as it goes.
    preload: bool = True
    #: Dead-letter an event whose id was already applied with other content ("id reused"), instead of
    #: skipping it as a repeat: for outside publishers, who must learn of it. Not for eiso's own topics,
    #: where a rebuilt service re-sends derived events under the same ids on purpose.
    refuse_reused_ids: bool = False
    #: Subscribe to every topic matching this regex (new ones too) instead of `topics`, which then
    #: only name the topics known in advance (for metrics and lag).
    pattern: str | None = None
    #: Checked before the handler; an event it refuses is dead-lettered with its reason and remembered
    #: by position, not id (a refused event must not take the id from the event it may imitate).
    admit: Admission | None = None
    #: Keeps a copy of each dead letter where the service's people can read and re-drive it.
    keep_dead_letter: Keeper | None = None
    failures: int = field(default=0, init=False)
    batches: int = field(default=0, init=False)

    @property
    def healthy(self) -> bool:
        return self.failures == 0

    async def apply_batch(self, records: Sequence[Record]) -> BatchResult:
        self.batches += 1
        try:
            result, log_lines = await self._apply(records, careful=False)
        except Exception as exc:
            if is_transient(exc):
                raise
            # An event cannot be applied, or the batch's writes held for the commit were refused. The
            # fast pass left no trace (its transaction rolled back): the batch is done again with a
            # savepoint per event, so that the event at fault alone is dead-lettered and the others
            # are applied.
            log.info("fast pass refused; applying the batch event by event", error=repr(exc)[:300])
            result, log_lines = await self._apply(records, careful=True)
        for line in log_lines:  # only now, with the effects committed, is "applied" true
            line()
        for outcome in ("applied", "duplicates", "dead_lettered"):
            label = "duplicate" if outcome == "duplicates" else outcome
            metrics.EVENTS_CONSUMED.labels(consumer=self.name, outcome=label).inc(getattr(result, outcome))
        return result

    async def _apply(
        self, records: Sequence[Record], careful: bool
    ) -> tuple[BatchResult, list[Callable[[], None]]]:
        """One transaction for the batch. Fast (`careful=False`): handlers run back to back and the
        inbox and outbox are written once, at the commit; a handler refusing an event aborts the pass.
        Careful: each handler in its own savepoint, as the fast pass cannot isolate a failure."""
        result, log_lines = BatchResult(), []
        parsed = [(record, _parse(record)) for record in records]
        async with self.uow() as uow:
            ids = [_inbox_id(record, event) for record, event in parsed]
            if self.refuse_reused_ids or self.admit:  # what is dead-lettered by position, once
                ids += [record_position(record) for record, _ in parsed]
            done = await uow.seen(self.name, ids)
            if self.preload and not careful:
                fresh = [e for _, e in parsed if not isinstance(e, EventError) and str(e.id) not in done]
                await uow.preload(fresh)
            for record, event in parsed:
                outcome, line = await self._apply_one(uow, record, event, done, careful)
                setattr(result, outcome, getattr(result, outcome) + 1)
                log_lines.append(line)
            self._drill("before_commit")
            await uow.commit()
        self._drill("after_commit")
        return result, log_lines

    async def _apply_one(
        self, uow: UnitOfWork, record: Record, event: Any, done: dict[str, str | None], careful: bool
    ) -> tuple[str, Callable[[], None]]:
        context = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
        inbox_id = _inbox_id(record, event)
        digest = digest_of(event) if self.refuse_reused_ids and not isinstance(event, EventError) else None
        if refused := await self._refuse(uow, record, event, (inbox_id, digest), done, context):
            return refused
        if inbox_id in done or (digest and record_position(record) in done):
            return "duplicates", partial(  # applied or dead-lettered before, or earlier in this batch
                log.info, "event skipped: already handled", outcome="duplicate", **context
            )
        if isinstance(event, EventError):
            return await self._dead_letter(uow, record, inbox_id, str(event), context, done)
        context.update(event_id=inbox_id, correlation_id=event.correlationid, type=event.type)
        handler = self.handlers.get(event.type)
        if handler is None:
            self._remember(uow, inbox_id, done, digest)
            return "ignored", partial(log.debug, "event ignored: no handler", outcome="ignored", **context)
        try:
            if careful:
                async with uow.session.begin_nested():
                    await handler(uow, event)
                    await uow.flush_outbox()
            else:
                await handler(uow, event)
        except Exception as exc:
            if is_transient(exc):
                raise
            if not careful:
                raise _RefusedError from exc
            uow.discard_events()
            if isinstance(exc, PermanentError):
                reason = str(exc)
            else:
                log.exception("handler failed; dead-lettering the event", **context)
                reason = f"handler error: {type(exc).__name__}: {exc}"
            return await self._dead_letter(uow, record, inbox_id, reason, context, done, digest)
        self._remember(uow, inbox_id, done, digest)
        return "applied", partial(log.info, "event applied", outcome="applied", **context)

    async def _refuse(
        self,
        uow: UnitOfWork,
        record: Record,
        event: Any,
        seen_as: tuple[str, str | None],
        done: dict[str, str | None],
        context: dict[str, Any],
    ) -> tuple[str, Callable[[], None]] | None:
        """Dead-letter, once, an event `admit` refuses or whose id was applied with other content; both
        are remembered by position (the id belongs to the event applied, or to the one imitated)."""
        if isinstance(event, EventError):
            return None
        (inbox_id, digest), position = seen_as, record_position(record)
        reason = self.admit(record.topic, event) if self.admit else None
        if reason is None and digest and inbox_id in done and done[inbox_id] not in (None, digest):
            reason = f"id reused with different content: event {inbox_id} was applied with other content"
        if reason is None:
            return None
        if position in done:
            return "duplicates", partial(log.info, "event skipped: already refused", **context)
        return await self._dead_letter(uow, record, position, reason, context, done)

    def _remember(
        self, uow: UnitOfWork, inbox_id: str, done: dict[str, str | None], digest: str | None = None
    ) -> None:
        """In the inbox with the commit, and at once for the rest of the batch."""
        uow.remember(self.name, inbox_id, digest)
        done[inbox_id] = digest

    async def _dead_letter(
        self,
        uow: UnitOfWork,
        record: Record,
        inbox_id: str,
        reason: str,
        context: dict[str, Any],
        done: dict[str, str | None],
        digest: str | None = None,
    ) -> tuple[str, Callable[[], None]]:
        """Dead-letter `record`; its inbox id is remembered with the event's `digest`, so that the id
        sent again with other content is refused as reused, not taken for a repeat."""
        uow.emit_record(dead_letter(record, reason, self.name))
        if self.keep_dead_letter is not None:
            await self.keep_dead_letter(uow, record, reason)
        await uow.flush_outbox()  # written now: a later event's rollback must not take it along
        self._remember(uow, inbox_id, done, digest)
        line = partial(log.warning, "event dead-lettered", outcome="dead_lettered", reason=reason, **context)
        return "dead_lettered", line

    def _drill(self, point: str) -> None:
        """Die here, as `kill -9` would, when a fault drill asks for this point of this batch."""
        if self.crash_at == f"{point}:{self.batches}":
            log.warning("fault drill: killing the process", point=point, batch=self.batches)
            os.kill(os.getpid(), signal.SIGKILL)

    def backoff_seconds(self) -> float:
        """Exponential backoff with full jitter, 0.5 s doubling to at most 30 s."""
        return random.uniform(0, min(30.0, 0.5 * 2 ** min(self.failures, 6)))


def subscribe(
    broker: KafkaBroker, consumer: EventConsumer, group_id: str, batch_max: int, wait_ms: int
) -> None:
    """Register `consumer` on `broker` as a batch subscriber that commits offsets only after the effect."""

    @broker.subscriber(
        *([] if consumer.pattern else consumer.topics),
        pattern=consumer.pattern,
        group_id=group_id,
        batch=True,
        max_records=batch_max,
        batch_timeout_ms=wait_ms,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        max_poll_interval_ms=300_000,
        parser=tolerant_parser,
        decoder=no_decoding,
    )
    async def handle(message: KafkaMessage) -> None:
        records: tuple[Record, ...] = message.raw_message
        started = time.perf_counter()
        try:
            result = await consumer.apply_batch(records)
        except Exception as exc:
            consumer.failures += 1
            metrics.CONSUME_FAILURES.labels(consumer=consumer.name).inc()
            delay = consumer.backoff_seconds()
            log.warning(
                "batch failed; rewinding to retry",
                consumer=consumer.name,
                error=repr(exc),
                records=len(records),
                retry_in_s=round(delay, 2),
            )
            await asyncio.sleep(delay)
            await message.nack()  # seek back to the batch's first offsets: nothing is skipped
            return
        consumer.failures = 0
        metrics.BATCH_SECONDS.labels(consumer=consumer.name).observe(time.perf_counter() - started)
        try:
            await message.ack()  # commit the offsets, now that the effects are durable
        except Exception as exc:  # a rebalance: the next owner re-reads, and the inbox drops repeats
            log.warning("offset commit failed", consumer=consumer.name, error=repr(exc))
        log.debug("batch committed", consumer=consumer.name, records=len(records), **vars(result))


async def tolerant_parser(records: tuple[Record, ...], parse: Callable[..., Awaitable[Any]]) -> Any:
    """FastStream decodes every header as UTF-8 before any handler runs; a null or binary header value
    would make it drop the whole batch unseen (and a later ack commit past it). Make headers safe so
    every record reaches `apply_batch`, which dead-letters what is wrong."""
    return await parse(tuple(_safe_headers(r) for r in records))


async def no_decoding(message: Any) -> None:
    """The handler reads the raw records; FastStream must not try to JSON-decode a poison value."""


def _safe_headers(record: Record) -> Record:
    headers = list(record.headers or ())
    safe = [(str(k), _utf8(v)) for k, v in headers]
    return record if safe == headers else dataclasses.replace(record, headers=safe)


def _utf8(value: bytes | None) -> bytes:
    return (value or b"").decode(errors="replace").encode()
