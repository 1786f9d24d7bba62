"""The baselines: what the raw aiokafka client does on the same broker with the same records."""

import asyncio
import time

from aiokafka import AIOKafkaProducer

from bench.infra import BOOTSTRAP
from tests.kafka_tools import from_start

FETCH = {"max_partition_fetch_bytes": 4 << 20}


async def drain(topic: str, count: int) -> float:
    """Events per second a consumer reads `count` records from the start of `topic` with getmany."""
    async with from_start(BOOTSTRAP, topic, **FETCH) as (consumer, _):
        started, seen = time.monotonic(), 0
        while seen < count:
            batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            seen += sum(len(records) for records in batch.values())
        return count / (time.monotonic() - started)


async def passthrough(source: str, target: str, count: int) -> float:
    """Events per second read from `source` and written to `target` (acks=all, idempotent, every
    write acknowledged): the floor under any service that consumes, decides and publishes."""
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        async with from_start(BOOTSTRAP, source, **FETCH) as (consumer, _):
            started, seen = time.monotonic(), 0
            while seen < count:
                batch = await consumer.getmany(timeout_ms=1000, max_records=2_000)
                sends = [
                    await producer.send(target, r.value, key=r.key)
                    for records in batch.values()
                    for r in records
                ]
                await asyncio.gather(*sends)
                seen += len(sends)
            return count / (time.monotonic() - started)
    finally:
        await producer.stop()
