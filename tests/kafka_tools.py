"""Reading and writing the real broker from tests, always with a deadline (never a bare sleep)."""

import asyncio
import time
from collections.abc import Callable, Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from contracts import CloudEvent, to_json
from eiso_cli.kafka import caught_up, partitions
from services.common.consumer import Record


async def produce(bootstrap: str, topic: str, messages: Iterable[tuple[str, bytes | CloudEvent]]) -> None:
    """Publish (key, value) pairs in order, acks=all, as an outside system or a producer would."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        futures = [
            await producer.send(topic, to_json(v) if isinstance(v, CloudEvent) else v, key=k.encode())
            for k, v in messages
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def read_until(
    bootstrap: str,
    topic: str,
    done: Callable[[list[Record]], bool],
    keep: Callable[[Record], bool] = lambda r: True,
    timeout: float = 60.0,
) -> list[Record]:
    """Read `topic` from the beginning (no group) until `done(kept records)`; fail at the deadline."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    kept: list[Record] = []
    try:
        found = await partitions(consumer, str(topic))
        assert found, f"topic {topic} does not exist"
        consumer.assign(found)
        await consumer.seek_to_beginning(*found)
        deadline = time.monotonic() + timeout
        while not done(kept):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{topic}: condition not met within {timeout}s; kept {len(kept)} records"
                )
            batch = await consumer.getmany(timeout_ms=500)
            kept.extend(r for records in batch.values() for r in records if keep(r))
        return kept
    finally:
        await consumer.stop()


async def read_to_end(
    bootstrap: str, topic: str, keep: Callable[[Record], bool] = lambda r: True, timeout: float = 60.0
) -> list[Record]:
    """Every record of `topic` up to its end as of now (no group), those `keep` accepts."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    kept: list[Record] = []
    try:
        found = await partitions(consumer, str(topic))
        assert found, f"topic {topic} does not exist"
        consumer.assign(found)
        await consumer.seek_to_beginning(*found)
        ends = await consumer.end_offsets(found)
        deadline = time.monotonic() + timeout
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            assert time.monotonic() < deadline, f"{topic}: not read to its end within {timeout}s"
            batch = await consumer.getmany(timeout_ms=500)
            kept.extend(r for records in batch.values() for r in records if keep(r))
        return kept
    finally:
        await consumer.stop()


async def rewind(bootstrap: str, group: str, topics: list[str], by: int) -> int:
    """Move a stopped consumer group's committed offsets back by `by` on every partition of `topics`
    (as an operator resetting offsets would); how many records it will read again."""
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
