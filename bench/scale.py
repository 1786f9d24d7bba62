"""A province far larger than the real one (165 agencies): how long a fresh compliance takes to replay
all its record events, how fast the progress report answers over it, and how much memory each service
needs to hold it."""

import statistics
import time
from typing import Any

import httpx

from bench import ingest, workload
from bench.infra import OPERATOR_KEY, Infra, import_province, peak_rss_mb, service, until_caught_up
from contracts import Topic
from eiso_cli.processes import ServiceProcess

Figures = dict[str, Any]
#: Times the report is asked for (the first also warms the database's caches).
REPORTS = 5


async def scale(infra: Infra, agencies: int, events: int) -> Figures:
    """`agencies` agencies and `events` record events: compliance's replay and report, then each other
    service's peak memory once it has read what it needs of them."""
    replay, compliance = await ingest.compliance_replay(infra, agencies, events, "scale")
    try:
        report_ms = await timed_report(compliance)
        rss = {"compliance": peak_rss_mb(pid_of(compliance))}
    finally:
        compliance.stop()
    for name in ("training", "notifier"):
        rss[name] = await agencies_read(infra, name)
    registry_seconds, rss["registry"] = await registry_import(infra, agencies)
    return {
        "agencies": agencies,
        "events": events,
        "replay_seconds": replay["seconds"],
        "replay_per_s": replay["compliance_per_s"],
        "raw_drain_per_s": replay["raw_drain_per_s"],
        "report_p50_ms": round(statistics.median(report_ms), 1),
        "report_max_ms": round(max(report_ms), 1),
        "registry_import_seconds": registry_seconds,
        "peak_rss_mb": rss,
        "target_peak_rss_mb": 150,
        "hot_spots": replay["hot_spots"],
    }


def pid_of(process: ServiceProcess) -> int:
    assert process.process is not None
    return process.process.pid


async def timed_report(compliance: ServiceProcess) -> list[float]:
    """Milliseconds for each of `REPORTS` progress reports over every agency (as operators ask it)."""
    headers = {"Authorization": f"Bearer {OPERATOR_KEY}"}
    millis = []
    async with httpx.AsyncClient(base_url=compliance.url, headers=headers, timeout=600) as api:
        for _ in range(REPORTS):
            started = time.monotonic()
            answer = await api.get("/reports/progress", params={"year": 2022, "as_of": "2022-12-31"})
            millis.append((time.monotonic() - started) * 1000)
            answer.raise_for_status()
    return millis


async def agencies_read(infra: Infra, name: str) -> float:
    """Peak memory of a fresh `name` once it has read every agency (it keeps reading the score
    changes the replay published, which hold nothing it keeps in memory)."""
    process = service(name, infra.database(name))
    try:
        group = process.env[f"EISO_{name.upper()}_CONSUMER_GROUP"]
        await until_caught_up(group, [Topic.REGISTRY_AGENCIES], timeout=3600)
        return peak_rss_mb(pid_of(process))
    finally:
        process.stop()


async def registry_import(infra: Infra, agencies: int) -> tuple[float, float]:
    """Seconds for the registry to import the province as one CSV file, and its peak memory."""
    registry = service("registry", infra.database("registry"), max_body_bytes=str(200 * agencies + 10_000))
    try:
        started = time.monotonic()
        await import_province(registry.url, workload.codes(agencies, prefix="SR"))
        return round(time.monotonic() - started, 1), peak_rss_mb(pid_of(registry))
    finally:
        registry.stop()
