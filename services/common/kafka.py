"""The Kafka side of every service: the broker factory, topic creation, and the outbox's publisher.

Producer settings are not negotiable (docs/architecture.md, "Delivery guarantees"): acks="all" and
the idempotent producer, so a record the relay saw acknowledged is on every in-sync replica, in
order, once.
"""

import asyncio
import logging
import ssl
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import (
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    TopicAlreadyExistsError,
    UnknownTopicOrPartitionError,
    for_code,
)
from faststream.kafka import KafkaBroker
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from contracts.topics import Retention, all_topic_names, kept_forever, retention_of
from services.common import kafka_records
from services.common.outbox_inbox import OutgoingRecord
from services.common.relay import PublishError
from services.common.settings import ServiceSettings

log = structlog.get_logger("eiso.kafka")
kafka_records.install()  # a record whose header key is not UTF-8 must not stop a consumer's fetch


def security(settings: ServiceSettings) -> BaseSecurity | None:
    """How the service talks to Kafka (PLAINTEXT locally; SASL_SSL with SCRAM in production), built
    once: the broker takes it as it is, aiokafka's own clients as `_client_security` turns it."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    context = ssl.create_default_context(cafile=settings.kafka_ssl_cafile) if "SSL" in protocol else None
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context)
    if not settings.kafka_username or not settings.kafka_password:
        raise ValueError(f"kafka_security_protocol={protocol} needs kafka_username and kafka_password")
    user, password = settings.kafka_username, settings.kafka_password.get_secret_value()
    kind = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512}
    return kind[settings.kafka_sasl_mechanism](
        user, password, ssl_context=context, use_ssl=context is not None
    )


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"eiso-{settings.service_name}",
        acks="all",
        enable_idempotence=True,
        security=security(settings),
        request_timeout_ms=15_000,
        # A pattern subscription sees a topic created since (a system given its own) within this.
        metadata_max_age_ms=10_000,
        # Topics are created explicitly by `ensure_topics`, with their dead-letter twins.
        allow_auto_create_topics=False,
        # FastStream's own "Received/Processed" lines go to DEBUG; the consumer logs one JSON line per event.
        logger=logging.getLogger("eiso.faststream"),
        log_level=logging.DEBUG,
    )


DAY_MS = 86_400_000
#: DescribeConfigs' `config_source` of a value set on the topic itself (not inherited from the broker).
TOPIC_OVERRIDE = 1


def topic_configs(name: str, settings: ServiceSettings) -> dict[str, str]:
    """The configs topic `name` must have: its retention as the catalogue decides it
    (`contracts.topics.RETENTION`, with the reason), the days from the settings, never compacted.
    Any other config an operator set on a topic is left as it is."""
    days = {
        Retention.FOREVER: None,
        Retention.BUFFER: settings.topic_inbound_retention_days,
        Retention.DEAD_LETTERS: settings.topic_dead_letter_retention_days,
    }[retention_of(name).retention]
    return {
        "cleanup.policy": "delete",
        "retention.ms": "-1" if days is None else str(days * DAY_MS),
        "retention.bytes": "-1",
        "min.insync.replicas": str(settings.topic_min_insync_replicas),
    }


@dataclass(frozen=True)
class TopicState:
    """An existing topic as the cluster describes it."""

    name: str
    #: Every config's current value, wherever it comes from (the topic, the broker, Kafka's default).
    configs: Mapping[str, str | None]
    #: The values set on the topic itself: kept when its configs are replaced.
    overrides: Mapping[str, str]
    partitions: int
    replication: int


def reconcile(
    state: TopicState, settings: ServiceSettings
) -> tuple[dict[str, tuple[str | None, str]], list[str]]:
    """What to change on an existing topic (config: (now, then)), and what differs from the settings
    that eiso leaves alone (sentences for the log)."""
    wanted = topic_configs(state.name, settings)
    notes = []
    if state.partitions != settings.topic_partitions:
        notes.append(
            f"{state.partitions} partition{'s' if state.partitions != 1 else ''}, EISO_TOPIC_PARTITIONS="
            f"{settings.topic_partitions}: left as they are (more partitions would send an agency's next "
            "events ahead of its earlier ones)"
        )
    if state.replication != settings.topic_replication_factor:
        notes.append(
            f"replication factor {state.replication}, EISO_TOPIC_REPLICATION_FACTOR="
            f"{settings.topic_replication_factor}: change it with kafka-reassign-partitions.sh"
        )
    if state.replication < settings.topic_min_insync_replicas:
        del wanted["min.insync.replicas"]  # more than the copies it has: no write would be acknowledged
        notes.append(
            f"min.insync.replicas stays {state.configs.get('min.insync.replicas')} until it has "
            f"{settings.topic_min_insync_replicas} replicas"
        )
    now = state.configs.get("min.insync.replicas")
    if (
        "min.insync.replicas" in wanted
        and now
        and now.isdigit()
        and int(now) > settings.topic_min_insync_replicas
    ):
        del wanted["min.insync.replicas"]  # never fewer copies per write than the cluster already asks
        notes.append(
            f"min.insync.replicas stays {now}, above EISO_TOPIC_MIN_INSYNC_REPLICAS="
            f"{settings.topic_min_insync_replicas}: lowering it would keep acknowledged writes on fewer disks"
        )
    changes = {k: (state.configs.get(k), v) for k, v in wanted.items() if state.configs.get(k) != v}
    return changes, notes


async def ensure_topics(settings: ServiceSettings) -> None:
    """Create every catalogue topic and its `.dlq` if missing, with the partitions, replicas and
    configs the catalogue and the settings give; bring an existing topic's configs to them (every
    deployment made before retention was decided has its topics at the broker's 7 days), logging what
    changed and what differs but is left alone. Idempotent; safe from every service at once."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"eiso-{settings.service_name}-admin",
        **_client_security(settings),
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in all_topic_names() if t not in existing]
        raced = await _create(admin, missing, settings) if missing else []
        present = [t for t in all_topic_names() if t in existing or t in raced]
        if present:
            await _align(admin, present, settings)
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_auto_commit=False,
        **_client_security(settings),
    )
    await consumer.start()
    try:
        for topic, offsets in (await deleted_events(consumer, kept_forever())).items():
            log.warning(
                "topic has lost its first events",
                topic=topic,
                offsets=offsets,
                consequence="deleted under an earlier retention: a consumer rebuilt from this topic "
                "(eiso replay, a new consumer group) will not see them",
            )
    finally:
        await consumer.stop()


async def deleted_events(consumer: AIOKafkaConsumer, topics: Sequence[str]) -> dict[str, int]:
    """The topics among `topics` whose beginning the broker has deleted, and how many offsets (the sum
    of their partitions' first offsets): what a consumer reading them from scratch never sees."""
    deleted: dict[str, int] = defaultdict(int)
    for tp, first in (await consumer.beginning_offsets(await partitions_of(consumer, topics))).items():
        if first:
            deleted[tp.topic] += first
    return dict(deleted)


async def _create(admin: AIOKafkaAdminClient, names: list[str], settings: ServiceSettings) -> list[str]:
    """Create `names`; return those another service created first (they are aligned like any other)."""
    new = [
        NewTopic(
            name,
            num_partitions=settings.topic_partitions,
            replication_factor=settings.topic_replication_factor,
            topic_configs=topic_configs(name, settings),
        )
        for name in names
    ]
    raced = []
    for error in (await admin.create_topics(new)).to_object()["topic_errors"]:
        if error["error_code"] == TopicAlreadyExistsError.errno:
            raced.append(error["topic"])
        elif error["error_code"]:
            raise for_code(error["error_code"])(
                f"cannot create {error['topic']}: {error.get('error_message')}"
            )
    created = [n for n in names if n not in raced]
    if created:
        log.info(
            "topics created",
            topics=created,
            partitions=settings.topic_partitions,
            replication=settings.topic_replication_factor,
        )
    return raced


async def _align(admin: AIOKafkaAdminClient, names: list[str], settings: ServiceSettings) -> None:
    changed: dict[str, dict[str, tuple[str | None, str]]] = {}
    differing: defaultdict[str, list[str]] = defaultdict(list)
    replaced = []
    for state in await _describe(admin, names):
        changes, notes = reconcile(state, settings)
        for note in notes:
            differing[note].append(state.name)
        if changes:
            changed[state.name] = changes
            # AlterConfigs replaces the topic's whole set of overrides: the others go in unchanged.
            configs = {**state.overrides, **{k: new for k, (_, new) in changes.items()}}
            replaced.append(ConfigResource(ConfigResourceType.TOPIC, state.name, configs))
    if replaced:
        for response in await admin.alter_configs(replaced):
            _raise_errors(response.to_object()["resources"], "cannot change the configs of")
    for name, changes in changed.items():
        log.info(
            "topic configs changed",
            topic=name,
            changes={k: {"from": old, "to": new} for k, (old, new) in changes.items()},
            why=retention_of(name).why,
        )
    for note, topics in differing.items():
        log.warning("topics differ from the settings", difference=note, topics=topics)


async def _describe(admin: AIOKafkaAdminClient, names: list[str]) -> list[TopicState]:
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    described = [
        r
        for response in await admin.describe_configs(resources)
        for r in response.to_object()["resources"]
        # Created by another service this very moment (with these settings), and not known to every
        # broker yet: nothing to align.
        if r["error_code"] != UnknownTopicOrPartitionError.errno
    ]
    _raise_errors(described, "cannot read the configs of")
    layout = {t["topic"]: t["partitions"] for t in await admin.describe_topics(names)}
    states = []
    for resource in described:
        entries = resource["config_entries"]
        name = resource["resource_name"]
        if not layout.get(name):
            continue  # being created by another service this very moment, with these settings
        states.append(
            TopicState(
                name=name,
                configs={e["config_names"]: e["config_value"] for e in entries},
                overrides={
                    e["config_names"]: e["config_value"]
                    for e in entries
                    if e["config_source"] == TOPIC_OVERRIDE and e["config_value"] is not None
                },
                partitions=len(layout[name]),
                replication=min(len(p["replicas"]) for p in layout[name]),
            )
        )
    return states


def _raise_errors(resources: list[dict[str, Any]], doing: str) -> None:
    for resource in resources:
        if resource["error_code"]:
            message = resource.get("error_message")
            raise for_code(resource["error_code"])(f"{doing} {resource['resource_name']}: {message}")


def _client_security(settings: ServiceSettings) -> dict[str, object]:
    """The same security as keyword arguments for aiokafka's own clients (admin, producer, consumer):
    FastStream's own translation of `security`, so that there is one way to build it."""
    return parse_security(security(settings))


#: The broker has lost this producer's state (killed and restarted, say): an idempotent producer then
#: refuses every record from there on, and only a new one (a new producer id) can go on.
BROKEN_PRODUCER = (OutOfOrderSequenceNumber, InvalidProducerEpoch, ProducerFenced, InvalidProducerIdMapping)


class RelayProducer:
    """The outbox relay's idempotent producer (acks="all"). It sends every record without waiting,
    then waits for all acknowledgements: order is kept per partition, and a batch costs one round trip.
    When it breaks (BROKEN_PRODUCER) it is replaced, and the relay sends the unacknowledged rest again;
    what had in fact arrived is dropped by the consumers' inboxes."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None

    def _new(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self._settings.kafka_bootstrap_servers,
            client_id=f"eiso-{self._settings.service_name}-relay",
            acks="all",
            enable_idempotence=True,
            request_timeout_ms=15_000,
            **_client_security(self._settings),
        )

    async def start(self) -> None:
        self._producer = self._new()
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        assert self._producer is not None, "start() first"
        futures = []
        refused: Exception | None = None
        try:
            for r in records:
                headers = [(k, v.encode()) for k, v in r.headers.items()]
                futures.append(
                    await self._producer.send(r.topic, r.value, key=r.key.encode(), headers=headers)
                )
        except Exception as exc:  # the producer refused a record: those before it are still settled
            refused = exc
        results = await asyncio.gather(*futures, return_exceptions=True)
        acknowledged = _acknowledged(results)
        if acknowledged < len(records):
            cause = results[acknowledged] if acknowledged < len(results) else refused
            if isinstance(cause, BROKEN_PRODUCER):
                log.warning("producer state lost by the broker; starting a new producer", error=repr(cause))
                await self.stop()
                await self.start()
            raise PublishError(acknowledged, cause if isinstance(cause, BaseException) else RuntimeError())


def _acknowledged(results: Sequence[object]) -> int:
    """Length of the prefix of `results` that succeeded."""
    return next((i for i, r in enumerate(results) if isinstance(r, BaseException)), len(results))


async def group_lag(settings: ServiceSettings, topics: Sequence[str]) -> int:
    """Events on `topics` that the service's consumer group has not committed yet (what an operator
    watches to see whether it keeps up)."""
    security_kwargs = _client_security(settings)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, **security_kwargs)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False, **security_kwargs
    )
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(settings.group_id)
        # With a pattern subscription, topics found later (a system's own) are known by their offsets.
        found = await partitions_of(consumer, sorted({*topics, *(tp.topic for tp in committed)}))
        ends = await consumer.end_offsets(found)
        return sum(max(0, ends[tp] - (committed[tp].offset if tp in committed else 0)) for tp in found)
    finally:
        await consumer.stop()
        await admin.close()


async def partitions_of(consumer: AIOKafkaConsumer, topics: Sequence[str]) -> list[TopicPartition]:
    """Every partition of `topics` (aiokafka has no public call that fetches them first)."""
    cluster = await consumer._client.fetch_all_metadata()
    return [TopicPartition(t, p) for t in topics for p in sorted(cluster.partitions_for_topic(t) or [])]
