"""Systems publishing over Kafka under their own principal: on the secure broker
an operator gives a system a SCRAM user through the identity service; with it a librdkafka client
(confluent-kafka, as an outside publisher would use) can write to the system's own topic and nowhere
else, the registry takes the source from the topic, and a record claiming another system is
dead-lettered with the reason. Withdrawn, the principal can write no more."""

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from confluent_kafka import Consumer, KafkaError, Producer

from contracts import Topic, dlq, to_json
from contracts.topics import system_topic
from tests.e2e.conftest import SecureBroker
from tests.e2e.stack import PROPAGATION_SECONDS, Stack, running, until
from tests.factories import inbound, unique_code

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(
    secure_broker: SecureBroker, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    settings = secure_broker.settings()
    with running(
        secure_broker.bootstrap, database_url, tmp_path_factory.mktemp("logs"), ("registry",), **settings
    ) as stack:
        yield stack


def client_config(broker: SecureBroker, user: str, password: str) -> dict[str, str | int | bool]:
    return {
        "bootstrap.servers": broker.bootstrap,
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": user,
        "sasl.password": password,
        "ssl.ca.location": broker.cafile,
    }


def publish(broker: SecureBroker, user: str, password: str, topic: str, event: Any) -> KafkaError | None:
    """Publish one event as `user` with librdkafka; the broker's error, or None when it was written."""
    config = client_config(broker, user, password) | {"enable.idempotence": True, "message.timeout.ms": 15000}
    producer = Producer(config)
    outcome: list[KafkaError | None] = []
    producer.produce(
        topic, to_json(event), key=event.kafka_key(), on_delivery=lambda error, _: outcome.append(error)
    )
    producer.flush(30)
    assert outcome, f"no delivery report for {topic} within 30 s"
    return outcome[0]


def dead_letters(broker: SecureBroker, wanted: set[str]) -> dict[str, str]:
    """The dead-letter reason of each event id in `wanted`, read from the inbound dead-letter topic
    (as eiso, who may read it) until all are there or 60 s have passed."""
    consumer = Consumer(
        client_config(broker, "eiso", broker.password)
        | {"group.id": f"test-{uuid.uuid4()}", "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([dlq(Topic.INBOUND_RECORDS)])
    found: dict[str, str] = {}

    def read() -> bool:
        for message in consumer.consume(100, timeout=1):
            if message.error() is None and (value := message.value()):
                headers = dict(cast(list[tuple[str, bytes]], message.headers() or []))
                found[json.loads(value)["id"]] = headers.get("eiso-dlq-reason", b"").decode()
        return wanted <= set(found)

    try:
        until(read, "the refused events in the dead-letter topic", timeout=60, every=0)
    finally:
        consumer.close()
    return found


def test_a_system_publishes_as_itself_only_and_stops_when_withdrawn(
    stack: Stack, secure_broker: SecureBroker
) -> None:
    registry, identity = stack.client("registry"), stack.client("identity")
    code, ours, theirs = (
        unique_code("KAF"),
        f"vn.test.{unique_code('a').lower()}",
        f"vn.test.{unique_code('b').lower()}",
    )
    agency = {"code": code, "name": "UBND xã Long Đức", "level": "commune", "valid_from": "2020-01-01"}
    assert registry.post("/agencies", json=agency).status_code == 201
    for system in (ours, theirs):
        body = {"id": system, "name": f"Phần mềm ISO {system}", "scope": [code]}
        assert registry.post("/systems", json=body).status_code == 201

    given = identity.post("/broker-accounts", json={"system_id": ours})
    assert given.status_code == 201, given.text
    access = given.json()
    assert access["topic"] == system_topic(ours) and access["mechanism"] == "SCRAM-SHA-512"
    password = access["password"]
    assert ours in {a["system_id"] for a in identity.get("/broker-accounts").json()}
    assert all(a["password"] is None for a in identity.get("/broker-accounts").json()), "shown once only"

    honest = inbound(code, ours)
    assert publish(secure_broker, ours, password, system_topic(ours), honest) is None

    def stored() -> bool:
        records = registry.get(f"/agencies/{code}/records", params={"year": 2022}).json()
        return any(r["title"] == "Đánh giá nội bộ 2022" and r["channel"] == ours for r in records)

    until(stored, "the record published on the system's own topic, stored by the registry", timeout=60)

    posing = inbound(code, theirs, occurred_on="2022-05-11")  # on our topic, claiming their source
    assert publish(secure_broker, ours, password, system_topic(ours), posing) is None
    reasons = dead_letters(secure_broker, {str(posing.id)})
    assert f"source {theirs} is not {ours}" in reasons[str(posing.id)]

    for elsewhere in (system_topic(theirs), Topic.INBOUND_RECORDS.value):
        refused = publish(secure_broker, ours, password, elsewhere, inbound(code, ours))
        assert refused is not None and refused.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, (
            f"{ours} wrote to {elsewhere}: {refused}"
        )
    wrong = publish(secure_broker, ours, "not-the-password", system_topic(ours), inbound(code, ours))
    assert wrong is not None, "a wrong password writes nothing"

    assert identity.delete(f"/broker-accounts/{ours}").status_code == 204
    assert identity.delete(f"/broker-accounts/{ours}").status_code == 404

    def refused_now() -> bool:
        return publish(secure_broker, ours, password, system_topic(ours), inbound(code, ours)) is not None

    until(refused_now, "the withdrawn system refused", timeout=PROPAGATION_SECONDS, every=0)

    wanted = {"systems.give_broker_access", "systems.withdraw_broker_access"}

    def audited() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = identity.get("/audit", params={"target": f"system:{ours}"}).json()
        return found if wanted <= {e["action"] for e in found} else []

    entries = until(audited, "the grant and the withdrawal in the audit trail", timeout=PROPAGATION_SECONDS)
    assert {(e["actor_kind"], e["role"]) for e in entries} == {("key", "operator")}, entries
    assert password not in "\n".join(p.log_path.read_text() for p in stack.processes.values())


@pytest.fixture(scope="module")
def plain(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with running(kafka, database_url, tmp_path_factory.mktemp("plain"), ()) as stack:
        yield stack


def test_a_broker_without_passwords_cannot_give_systems_a_principal(plain: Stack) -> None:
    """The plain local broker (`make up`) holds no principals: the answer says what is needed."""
    answer = plain.client("identity").post("/broker-accounts", json={"system_id": "vn.test.plain"})
    assert answer.status_code == 409 and "secure mode" in answer.json()["detail"], answer.text
    bad = plain.client("identity").post("/broker-accounts", json={"system_id": "dlq"})
    assert bad.status_code == 422 and "system_id" in bad.text, bad.text
