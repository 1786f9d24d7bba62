"""The baselines: what the raw aiokafka client does on the same broker with the same records."""

import asyncio
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.infra import BOOTSTRAP
from eiso_cli.kafka import partitions


async def drain(topic: str, count: int) -> float:
    """Events per second a consumer reads `count` records from the start of `topic` with getmany."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=BOOTSTRAP, enable_auto_commit=False, max_partition_fetch_bytes=4 << 20
    )
    await consumer.start()
    try:
        found = await partitions(consumer, topic)
        consumer.assign(found)
        await consumer.seek_to_beginning(*found)
        started, seen = time.monotonic(), 0
        while seen < count:
            batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            seen += sum(len(records) for records in batch.values())
        return count / (time.monotonic() - started)
    finally:
        await consumer.stop()


async def passthrough(source: str, target: str, count: int) -> float:
    """Events per second read from `source` and written to `target` (acks=all, idempotent, every
    write acknowledged): the floor under any service that consumes, decides and publishes."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=BOOTSTRAP, enable_auto_commit=False, max_partition_fetch_bytes=4 << 20
    )
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", enable_idempotence=True, linger_ms=5)
    await consumer.start()
    await producer.start()
    try:
        found = await partitions(consumer, source)
        consumer.assign(found)
        await consumer.seek_to_beginning(*found)
        started, seen = time.monotonic(), 0
        while seen < count:
            batch = await consumer.getmany(timeout_ms=1000, max_records=2_000)
            sends = [
                await producer.send(target, r.value, key=r.key) for records in batch.values() for r in records
            ]
            await asyncio.gather(*sends)
            seen += len(sends)
        return count / (time.monotonic() - started)
    finally:
        await producer.stop()
        await consumer.stop()
