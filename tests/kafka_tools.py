"""Reading and writing the real broker from tests, always with a deadline (never a bare sleep)."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import (
    CommitFailedError,
    IllegalGenerationError,
    RebalanceInProgressError,
    UnknownMemberIdError,
)

from contracts import CloudEvent, to_json
from eiso_cli.kafka import caught_up, partitions
from services.common.consumer import Record


async def produce(
    bootstrap: str,
    topic: str,
    messages: Iterable[tuple[str | bytes | None, bytes | CloudEvent]],
    headers: list[tuple[str, bytes]] | None = None,
) -> None:
    """Publish (key, value) pairs in order, acks=all, as an outside system or a producer would (a key
    of None: no key; values up to the broker's limit)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, max_request_size=2_000_000
    )
    await producer.start()
    try:
        futures = [
            await producer.send(
                topic,
                to_json(v) if isinstance(v, CloudEvent) else v,
                key=k.encode() if isinstance(k, str) else k,
                headers=headers,
            )
            for k, v in messages
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


@asynccontextmanager
async def from_start(
    bootstrap: str, topic: str, **options: Any
) -> AsyncIterator[tuple[AIOKafkaConsumer, list[TopicPartition]]]:
    """A consumer (no group; `options` for aiokafka) at the beginning of every partition of `topic`,
    and those partitions."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **options)
    await consumer.start()
    try:
        found = await partitions(consumer, str(topic))
        assert found, f"topic {topic} does not exist"
        consumer.assign(found)
        await consumer.seek_to_beginning(*found)
        yield consumer, found
    finally:
        await consumer.stop()


async def read_until(
    bootstrap: str,
    topic: str,
    done: Callable[[list[Record]], bool],
    keep: Callable[[Record], bool] = lambda r: True,
    timeout: float = 60.0,
) -> list[Record]:
    """Read `topic` from the beginning until `done(kept records)`; fail at the deadline."""
    kept: list[Record] = []
    async with from_start(bootstrap, topic) as (consumer, _):
        deadline = time.monotonic() + timeout
        while not done(kept):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{topic}: condition not met within {timeout}s; kept {len(kept)} records"
                )
            batch = await consumer.getmany(timeout_ms=500)
            kept.extend(r for records in batch.values() for r in records if keep(r))
    return kept


async def read_to_end(
    bootstrap: str, topic: str, keep: Callable[[Record], bool] = lambda r: True, timeout: float = 60.0
) -> list[Record]:
    """Every record of `topic` up to its end as of now, those `keep` accepts."""
    kept: list[Record] = []
    async with from_start(bootstrap, topic) as (consumer, found):
        ends = await consumer.end_offsets(found)
        deadline = time.monotonic() + timeout
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            assert time.monotonic() < deadline, f"{topic}: not read to its end within {timeout}s"
            batch = await consumer.getmany(timeout_ms=500)
            kept.extend(r for records in batch.values() for r in records if keep(r))
    return kept


async def rewind(bootstrap: str, group: str, topics: list[str], by: int, timeout: float = 60.0) -> int:
    """Move a stopped consumer group's committed offsets back by `by` on every partition of `topics`
    (as an operator resetting offsets would); how many records it will read again. The broker refuses
    while the group still lists the stopped member, so this tries again until the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await _rewind_once(bootstrap, group, topics, by)
        except (UnknownMemberIdError, CommitFailedError, RebalanceInProgressError, IllegalGenerationError):
            assert time.monotonic() < deadline, f"group {group} still busy after {timeout:.0f}s"
            await asyncio.sleep(1)


async def _rewind_once(bootstrap: str, group: str, topics: list[str], by: int) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        found = [tp for topic in topics for tp in await partitions(consumer, topic)]
        consumer.assign(found)
        back, again = {}, 0
        for tp in found:
            committed = await consumer.committed(tp)
            if committed:
                back[tp] = max(0, committed - by)
                again += committed - back[tp]
        await consumer.commit(back)
        return again
    finally:
        await consumer.stop()


async def topic_names(bootstrap: str) -> set[str]:
    """The topics the broker has."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        return set(await consumer.topics())
    finally:
        await consumer.stop()


async def eventually(check: Callable[[], object], timeout: float = 60.0, what: str = "condition") -> object:
    """Poll an async or sync `check` until it returns something truthy; fail with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} not reached within {timeout}s (last: {last!r})")


__all__ = ["caught_up", "eventually", "produce", "read_to_end", "read_until", "rewind"]
