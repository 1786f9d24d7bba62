"""End-to-end latency: an inbound event published → the `compliance-score-changed` it causes consumed,
at fixed rates, with the registry and compliance running as processes on the machine the benchmark runs on."""

import asyncio
import json
import statistics
import time
from collections import defaultdict
from datetime import datetime
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


#: Where an event is on its way, in order: each stamp is a wall-clock instant (event `time` fields are
#: set by the handler, record timestamps by the relay's producer when it sends).
STAMPS = ("registry_handled", "registry_sent", "compliance_handled", "compliance_sent", "consumed")


async def at_rate(batch: list[Any], rate: int) -> Figures:
    """Publish `batch` at `rate` and follow each event to its score change; the percentiles of the whole
    way and the median of each hop (which says where the time goes)."""
    sent: dict[str, float] = {}
    stamps: dict[str, dict[str, float]] = defaultdict(dict)
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False)
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", enable_idempotence=True)
    await consumer.start()
    await producer.start()
    try:
        found = [
            *await partitions(consumer, Topic.COMPLIANCE_STATUS),
            *await partitions(consumer, Topic.REGISTRY_RECORDS),
        ]
        consumer.assign(found)
        await consumer.seek_to_end(*found)
        for tp in found:
            await consumer.position(tp)
        wanted = {str(e.id) for e in batch}

        async def listen() -> None:
            deadline = time.monotonic() + SECONDS_PER_RATE + 60
            while sum("consumed" in s for s in stamps.values()) < len(wanted) and time.monotonic() < deadline:
                for records in (await consumer.getmany(timeout_ms=100)).values():
                    now = time.time()
                    for record in records:
                        event = json.loads(record.value)
                        cause = event.get("correlationid")
                        if cause not in wanted:
                            continue
                        at = stamps[cause]
                        if record.topic == Topic.REGISTRY_RECORDS:
                            at.setdefault("registry_handled", instant(event["time"]))
                            at.setdefault("registry_sent", record.timestamp / 1000)
                        elif event["type"] == "compliance-score-changed":
                            at.setdefault("compliance_handled", instant(event["time"]))
                            at.setdefault("compliance_sent", record.timestamp / 1000)
                            at.setdefault("consumed", now)

        listener = asyncio.create_task(listen())
        started = time.monotonic()
        for n, event in enumerate(batch):
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)  # pacing the fixed rate
            sent[str(event.id)] = time.time()
            await producer.send(Topic.INBOUND_RECORDS, to_json(event), key=event.subject.encode())
        await listener
    finally:
        await producer.stop()
        await consumer.stop()
    arrived = {k: v for k, v in stamps.items() if len(v) == len(STAMPS)}
    millis = sorted((arrived[k]["consumed"] - sent[k]) * 1000 for k in arrived)
    cuts: list[float | None] = [None] * 99  # nothing arrived in time: said as such, not as a crash
    if millis:
        cuts = [
            round(c, 1) for c in (statistics.quantiles(millis, n=100) if len(millis) > 1 else millis * 99)
        ]
    hops = {}
    for before, after in zip(("published", *STAMPS), STAMPS, strict=False):
        spans = [
            (at[after] - (sent[k] if before == "published" else at[before])) * 1000
            for k, at in arrived.items()
        ]
        hops[f"{before}→{after}"] = round(statistics.median(spans), 1) if spans else None
    return {
        "events": len(batch),
        "arrived": len(millis),
        "p50_ms": cuts[49],
        "p95_ms": cuts[94],
        "p99_ms": cuts[98],
        "hops_p50_ms": hops,
    }


def instant(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()
