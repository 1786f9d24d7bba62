"""The Kafka side of every service: the broker factory, topic creation, and the outbox's publisher.

Producer settings are not negotiable (DESIGN.md §4): acks="all" and the idempotent producer, so a
record the relay saw acknowledged is on every in-sync replica, in order, once.
"""

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Sequence

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    TopicAlreadyExistsError,
)
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from contracts.topics import all_topic_names
from services.common.messaging import OutgoingRecord
from services.common.relay import PublishError
from services.common.settings import ServiceSettings

log = structlog.get_logger("eiso.kafka")


def security(settings: ServiceSettings) -> BaseSecurity | None:
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
        # Topics are created explicitly by `ensure_topics`, with their dead-letter twins.
        allow_auto_create_topics=False,
        # FastStream's own "Received/Processed" lines go to DEBUG; the consumer logs one JSON line per event.
        logger=logging.getLogger("eiso.faststream"),
        log_level=logging.DEBUG,
    )


async def ensure_topics(settings: ServiceSettings, partitions: int = 3, replication: int = 1) -> None:
    """Create every catalogue topic and its `.dlq` if missing (idempotent; safe from every service)."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"eiso-{settings.service_name}-admin",
        **_client_security(settings),
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in all_topic_names() if t not in existing]
        if missing:
            new = [NewTopic(t, num_partitions=partitions, replication_factor=replication) for t in missing]
            with contextlib.suppress(TopicAlreadyExistsError):  # another service was first
                await admin.create_topics(new)
            log.info("topics created", topics=missing)
    finally:
        await admin.close()


def _client_security(settings: ServiceSettings) -> dict[str, object]:
    """The same security as keyword arguments for aiokafka's own clients (admin, producer, consumer)."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return {}
    password = settings.kafka_password.get_secret_value() if settings.kafka_password else None
    return {
        "security_protocol": settings.kafka_security_protocol,
        "sasl_mechanism": settings.kafka_sasl_mechanism,
        "sasl_plain_username": settings.kafka_username,
        "sasl_plain_password": password,
        "ssl_context": ssl.create_default_context(cafile=settings.kafka_ssl_cafile),
    }


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
        cluster = await consumer._client.fetch_all_metadata()
        found = [TopicPartition(t, p) for t in topics for p in sorted(cluster.partitions_for_topic(t) or [])]
        ends = await consumer.end_offsets(found)
        return sum(max(0, ends[tp] - (committed[tp].offset if tp in committed else 0)) for tp in found)
    finally:
        await consumer.stop()
        await admin.close()
