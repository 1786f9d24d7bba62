"""Throughput of the services against the raw client: compliance scoring a replay of record events,
the registry validating, storing and republishing inbound events."""

import time
from typing import Any

from bench import raw, workload
from bench.infra import Infra, import_province, peak_rss_mb, produce, service, until_caught_up
from bench.profile import hot_spots, sampled
from contracts import Topic
from eiso_cli.processes import ServiceProcess

Figures = dict[str, Any]


async def compliance_ingest(infra: Infra, agencies: int, events: int) -> Figures:
    """A fresh compliance replays `events` record events of `agencies` agencies from the topics."""
    figures, process = await compliance_replay(infra, agencies, events, "compliance-ingest")
    process.stop()
    return figures


async def compliance_replay(
    infra: Infra, agencies: int, events: int, label: str
) -> tuple[Figures, ServiceProcess]:
    """`compliance_ingest`'s figures, and the compliance that replayed, still running."""
    all_codes = workload.codes(agencies, prefix=label[:2].upper())
    await produce(Topic.REGISTRY_AGENCIES, workload.agencies(all_codes))
    await produce(Topic.REGISTRY_RECORDS, workload.records(all_codes, events))
    baseline = await raw.drain(Topic.REGISTRY_RECORDS, events)
    database = infra.database("compliance")
    process = service("compliance", database)
    group = process.env["EISO_COMPLIANCE_CONSUMER_GROUP"]
    assert process.process is not None
    with sampled(process.process.pid, label) as samples:
        seconds = await until_caught_up(
            group, [Topic.REGISTRY_AGENCIES, Topic.REGISTRY_RECORDS], timeout=4 * 3600
        )
    rss = peak_rss_mb(process.process.pid)
    rate = events / seconds
    return {
        "events": events,
        "agencies": agencies,
        "raw_drain_per_s": round(baseline),
        "compliance_per_s": round(rate),
        "ratio": round(rate / baseline, 3),
        "target_ratio": 0.5,
        "seconds": round(seconds, 1),
        "peak_rss_mb": rss,
        "hot_spots": hot_spots(samples),
    }, process


async def registry_inbound(infra: Infra, agencies: int, events: int) -> Figures:
    """The registry takes `events` inbound events (already on the topic when it starts reading)."""
    database = infra.database("registry")
    process = service("registry", database)
    all_codes = workload.codes(agencies, prefix="RI")
    system = await import_province(process.url, all_codes)
    process.stop()
    await produce(Topic.INBOUND_RECORDS, workload.records(all_codes, events, source=system, canonical=False))
    baseline = await raw.passthrough(Topic.INBOUND_RECORDS, "bench.passthrough", events)
    started = time.monotonic()
    process.start()
    assert process.process is not None
    group = process.env["EISO_REGISTRY_CONSUMER_GROUP"]
    with sampled(process.process.pid, "registry-inbound") as samples:
        await until_caught_up(group, [Topic.INBOUND_RECORDS], timeout=3600, database=database)
    seconds = time.monotonic() - started
    rss = peak_rss_mb(process.process.pid)
    process.stop()
    rate = events / seconds
    return {
        "events": events,
        "raw_passthrough_per_s": round(baseline),
        "registry_per_s": round(rate),
        "ratio": round(rate / baseline, 3),
        "target_ratio": 0.3,
        "seconds": round(seconds, 1),
        "peak_rss_mb": rss,
        "hot_spots": hot_spots(samples),
    }
