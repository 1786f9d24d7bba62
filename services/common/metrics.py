"""Prometheus metrics shared by every service: names `eiso_<thing>_<unit>[_total]`, no ids as labels,
labelled series pre-initialised so dashboards show zeros rather than gaps."""

from collections.abc import Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from starlette.routing import BaseRoute, Route

REGISTRY = CollectorRegistry(auto_describe=True)
# The process's own series, as on prometheus_client's default registry: process_* (CPU, resident
# memory, open file descriptors, start time), python_info and python_gc_*.
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

EVENTS_CONSUMED = Counter(
    "eiso_events_consumed_total",
    "Events read by a consumer, by outcome (applied, duplicate, dead_lettered).",
    ["consumer", "outcome"],
    registry=REGISTRY,
)
CONSUME_FAILURES = Counter(
    "eiso_consume_transient_failures_total",
    "Batches that failed transiently (database or broker) and were retried without moving the offset.",
    ["consumer"],
    registry=REGISTRY,
)
BATCH_SECONDS = Histogram(
    "eiso_consume_batch_seconds",
    "Time to apply one consumed batch in one transaction.",
    ["consumer"],
    registry=REGISTRY,
)
OUTBOX_PUBLISHED = Counter(
    "eiso_outbox_published_total", "Outbox rows published to Kafka.", ["topic"], registry=REGISTRY
)
OUTBOX_PENDING = Gauge(
    "eiso_outbox_pending_messages",
    "Outbox rows not yet published, at the relay's last look.",
    registry=REGISTRY,
)
OUTBOX_FAILURES = Counter(
    "eiso_outbox_publish_failures_total", "Relay rounds that failed and will be retried.", registry=REGISTRY
)
READY = Gauge(
    "eiso_ready_ratio", "1 when the service is ready (database, broker, consumers).", registry=REGISTRY
)
CONSUMER_LAG = Gauge(
    "eiso_consumer_lag_messages",
    "Events on the consumed topics not yet committed by the service's consumer group.",
    ["consumer"],
    registry=REGISTRY,
)
HTTP_REQUESTS = Counter(
    "eiso_http_requests_total",
    "HTTP requests by route template and status class.",
    ["route", "status"],
    registry=REGISTRY,
)
HTTP_SECONDS = Histogram(
    "eiso_http_request_duration_seconds",
    "Time to answer an HTTP request (until its headers), by route template and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
#: The methods a label may name; anything else a client sends is counted as "other" (a label value
#: per invented method would let any caller grow the series without bound).
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    return method if method in HTTP_METHODS else "other"


def preinitialise_routes(routes: Iterable[BaseRoute]) -> None:
    """A latency series per route and method from the start, so dashboards show zeros, not gaps."""
    for route in routes:
        if isinstance(route, Route):
            for method in (route.methods or set()) - {"HEAD"}:  # HEAD: Starlette's twin of each GET
                HTTP_SECONDS.labels(route=route.path_format, method=method_label(method))


def preinitialise(consumer: str, topics: list[str]) -> None:
    for outcome in ("applied", "duplicate", "dead_lettered"):
        EVENTS_CONSUMED.labels(consumer=consumer, outcome=outcome)
    CONSUME_FAILURES.labels(consumer=consumer)
    # CONSUMER_LAG is not pre-set: a 0 before the first measurement would claim "caught up".
    BATCH_SECONDS.labels(consumer=consumer)
    for topic in topics:
        OUTBOX_PUBLISHED.labels(topic=topic)
