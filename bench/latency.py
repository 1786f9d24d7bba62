"""End-to-end latency: an inbound event published → the `compliance-score-changed` it causes consumed,
at fixed rates, with the registry and compliance running as processes on this machine."""

import asyncio
import json
import statistics
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench import workload
from bench.infra import BOOTSTRAP, Infra, import_province, service, until_caught_up
from contracts import Topic, to_json
from eiso_cli.kafka import partitions

Figures = dict[str, Any]
SECONDS_PER_RATE = 10


async def latency(infra: Infra, rates: list[int]) -> Figures:
    """p50/p95/p99 in milliseconds at each rate; each event is the first record of a fresh agency, so
    each changes a score."""
    needed = sum(rate * SECONDS_PER_RATE for rate in rates)
    all_codes = workload.codes(needed, prefix="LT")
    registry_db = infra.database("registry")
    registry = service("registry", registry_db)
    system = await import_province(registry.url, all_codes)
    compliance_db = infra.database("compliance")
    compliance = service("compliance", compliance_db)
    figures: Figures = {}
    events = iter(workload.records(all_codes, needed, source=system, canonical=False))
    try:
        # Compliance knows every agency before the clock starts.
        await until_caught_up(
            registry.env["EISO_REGISTRY_CONSUMER_GROUP"], [Topic.INBOUND_RECORDS], 300, registry_db
        )
        # …and what reading them published is out, so the first timed events queue behind nothing.
        await until_caught_up(
            compliance.env["EISO_COMPLIANCE_CONSUMER_GROUP"], [Topic.REGISTRY_AGENCIES], 300, compliance_db
        )
        for rate in rates:
            batch = [next(events) for _ in range(rate * SECONDS_PER_RATE)]
            figures[f"{rate}_per_s"] = await at_rate(batch, rate)
    finally:
        compliance.stop()
        registry.stop()
    figures["target_p99_ms_at_200_per_s"] = 50
    return figures


async def at_rate(batch: list[Any], rate: int) -> Figures:
    sent: dict[str, float] = {}
    received: dict[str, float] = {}
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False)
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", enable_idempotence=True)
    await consumer.start()
    await producer.start()
    try:
        found = await partitions(consumer, Topic.COMPLIANCE_STATUS)
        consumer.assign(found)
        await consumer.seek_to_end(*found)
        for tp in found:
            await consumer.position(tp)
        wanted = {str(e.id) for e in batch}

        async def listen() -> None:
            deadline = time.monotonic() + SECONDS_PER_RATE + 60
            while len(received) < len(wanted) and time.monotonic() < deadline:
                for records in (await consumer.getmany(timeout_ms=100)).values():
                    now = time.monotonic()
                    for record in records:
                        event = json.loads(record.value)
                        cause = event.get("correlationid")
                        if event["type"] == "compliance-score-changed" and cause in wanted:
                            received.setdefault(cause, now)

        listener = asyncio.create_task(listen())
        started = time.monotonic()
        for n, event in enumerate(batch):
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)  # pacing the fixed rate
            sent[str(event.id)] = time.monotonic()
            await producer.send(Topic.INBOUND_RECORDS, to_json(event), key=event.subject.encode())
        await listener
    finally:
        await producer.stop()
        await consumer.stop()
    millis = sorted((received[k] - sent[k]) * 1000 for k in received)
    cuts = statistics.quantiles(millis, n=100) if len(millis) > 1 else millis * 99
    return {
        "events": len(batch),
        "arrived": len(millis),
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
    }
