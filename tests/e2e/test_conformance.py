"""An outside publisher as the contract tells it to be, with the tools one would use: the official
CloudEvents SDK (`cloudevents`, Kafka binding, structured mode) and a librdkafka client
(confluent-kafka) set to `partitioner=murmur2_random` — and why the contract says so.

No eiso code writes the inbound event: if the registry turns it into the canonical event, the contract
is enough to integrate. The registry runs as a process on the real broker.
"""

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka, to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent as SdkEvent
from confluent_kafka import KafkaError, Message, Producer

from contracts import Topic, parse_event
from tests.e2e.stack import Stack, running
from tests.event_schemas import schema_errors
from tests.factories import unique_code
from tests.kafka_tools import read_until

pytestmark = pytest.mark.e2e

#: Agency codes as the province numbers them (QCVN 102:2016), departments to communes.
CODES = [f"000.00.{n:02d}.H59" for n in range(1, 13)] + [f"000.36.{n:02d}.H59" for n in range(1, 9)]


@pytest.fixture(scope="module")
def registry(kafka: str, database_url: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running(kafka, database_url, tmp_path_factory.mktemp("logs"), names=("registry",)) as stack:
        yield stack


def librdkafka(bootstrap: str, **config: str) -> Producer:
    """A confluent-kafka producer as an outside system configures one (acks=all, idempotent)."""
    return Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True, **config})


def deliver(producer: Producer, topic: str, key: bytes, value: bytes, headers: dict[str, bytes]) -> int:
    """Produce one record and wait for its acknowledgement; the partition librdkafka chose."""
    delivered: list[Message] = []

    def on_delivery(error: KafkaError | None, message: Message) -> None:
        assert error is None, f"librdkafka could not deliver: {error}"
        delivered.append(message)

    producer.produce(topic, value=value, key=key, headers=list(headers.items()), on_delivery=on_delivery)
    assert producer.flush(30) == 0 and delivered, "not acknowledged within 30s"
    partition = delivered[0].partition()
    assert partition is not None
    return partition


def sdk_event(code: str, system: str) -> SdkEvent:
    """An internal audit as a publisher builds it from the schema, with the SDK alone."""
    return SdkEvent(
        attributes={
            "id": str(uuid.uuid4()),
            "source": system,
            "type": "internal-audit-completed",
            "subject": code,
            "datacontenttype": "application/json",
            "dataschema": "urn:eiso:schema:internal-audit-completed",
        },
        data={
            "record_id": str(uuid.uuid4()),
            "agency_code": code,
            "element": "internal_audit",
            "year": 2022,
            "occurred_on": "2022-05-10",
            "document_ref": "BC-DGNB-2022",
            "title": "Báo cáo đánh giá nội bộ năm 2022",
            "submitted_by": "Phần mềm ISO điện tử tỉnh",
            "channel": system,
        },
    )


async def test_an_event_published_with_the_cloudevents_sdk_and_librdkafka_comes_back_canonical(
    registry: Stack,
) -> None:
    api, code = registry.client("registry"), unique_code("000.36.")
    body = {"code": code, "name": "UBND xã Hòa Thuận", "level": "commune", "valid_from": "2020-01-01"}
    assert api.post("/agencies", json=body).status_code == 201
    system = f"vn.travinh.eiso-{uuid.uuid4().hex[:6]}"
    registered = api.post("/systems", json={"id": system, "name": "Phần mềm ISO điện tử", "scope": [code]})
    assert registered.status_code == 201, registered.text

    event = sdk_event(code, system)
    message = to_structured(event, JSONFormat(), key_mapper=lambda e: e.get_subject())
    assert schema_errors(message.value) == [], "what the SDK writes is what the schema asks"
    producer = librdkafka(registry.kafka, partitioner="murmur2_random")
    assert isinstance(message.key, str)
    deliver(producer, Topic.INBOUND_RECORDS, message.key.encode(), message.value, message.headers)

    [record] = await read_until(
        registry.kafka,
        Topic.REGISTRY_RECORDS,
        lambda kept: len(kept) == 1,
        keep=lambda r: r.key == code.encode(),
    )
    canonical = json.loads(record.value)
    assert schema_errors(canonical) == []
    assert (canonical["type"], canonical["subject"], canonical["source"]) == (
        "internal-audit-completed",
        code,
        "/eiso/registry",
    )
    assert canonical["causationid"] == event.get_id()
    assert canonical["id"] != event.get_id()
    sent = event.get_data()
    assert isinstance(sent, dict) and canonical["data"]["record_id"] == sent["record_id"]
    assert (canonical["data"]["channel"], canonical["data"]["version"]) == (system, 1)
    assert parse_event(Topic.REGISTRY_RECORDS, record.value).kafka_key() == code

    headers = {k: v for k, v in record.headers}  # the SDK tells the mode from the headers: structured
    read = from_kafka(KafkaMessage(headers=headers, key=record.key, value=record.value), JSONFormat())
    assert (read.get_type(), read.get_subject(), read.get_source()) == (
        "internal-audit-completed",
        code,
        "/eiso/registry",
    )
    assert read.get_extension("causationid") == event.get_id()
    assert read.get_extension("partitionkey") == code, "the SDK reads the record key as the partition key"
    assert headers["content-type"] == b"application/cloudevents+json"


async def test_murmur2_random_puts_each_agency_where_aiokafka_does_and_the_librdkafka_default_does_not(
    kafka: str,
) -> None:
    """The services (aiokafka) partition by murmur2, like the Java client. Two publishers that
    partition one agency differently break its order: the contract asks librdkafka for murmur2."""
    topic = f"e2e.partitioner.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=6, replication_factor=1)])
    finally:
        await admin.close()

    services = AIOKafkaProducer(bootstrap_servers=kafka, acks="all", enable_idempotence=True)
    await services.start()
    try:
        aiokafka = {c: (await (await services.send(topic, b"{}", key=c.encode()))).partition for c in CODES}
    finally:
        await services.stop()
    murmur2 = librdkafka(kafka, partitioner="murmur2_random")
    default = librdkafka(kafka)  # consistent_random: CRC32 of the key
    contract = await asyncio.to_thread(
        lambda: {c: deliver(murmur2, topic, c.encode(), b"{}", {}) for c in CODES}
    )
    unset = await asyncio.to_thread(
        lambda: {c: deliver(default, topic, c.encode(), b"{}", {}) for c in CODES}
    )

    assert contract == aiokafka, "murmur2_random partitions every agency as the services do"
    elsewhere = sorted(c for c in CODES if unset[c] != aiokafka[c])
    assert elsewhere, "librdkafka's default would agree with aiokafka: the contract's warning is moot"
    assert len(set(aiokafka.values())) > 1, "the codes spread over several partitions"
