"""Prometheus metrics shared by every service: names `eiso_<thing>_<unit>[_total]`, no ids as labels,
labelled series pre-initialised so dashboards show zeros rather than gaps."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

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


def preinitialise(consumer: str, topics: list[str]) -> None:
    for outcome in ("applied", "duplicate", "dead_lettered"):
        EVENTS_CONSUMED.labels(consumer=consumer, outcome=outcome)
    CONSUME_FAILURES.labels(consumer=consumer)
    # CONSUMER_LAG is not pre-set: a 0 before the first measurement would claim "caught up".
    BATCH_SECONDS.labels(consumer=consumer)
    for topic in topics:
        OUTBOX_PUBLISHED.labels(topic=topic)
