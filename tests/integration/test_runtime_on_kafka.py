"""The common runtime against the real broker and a real PostgreSQL, in this process."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import Topic, to_json
from services.common import dlq
from services.common.clock import FixedClock
from services.common.consumer import EventConsumer, subscribe
from services.common.kafka import RelayProducer, ensure_topics, make_broker
from services.common.relay import OutboxRelay
from services.common.uow import UnitOfWork
from services.compliance.scoring import store
from services.compliance.settings import ComplianceSettings
from services.compliance.unit_of_work import ComplianceUnitOfWork
from tests.conftest import migrated
from tests.factories import COMPLIANCE_HANDLERS as HANDLERS
from tests.factories import NOW, ONE_RULE, agency_registered, objective_updated, unique_code
from tests.kafka_tools import eventually, produce, read_until

pytestmark = pytest.mark.integration
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def settings(kafka: str) -> ComplianceSettings:
    return ComplianceSettings(
        kafka_bootstrap_servers=kafka, consumer_group=f"it-{uuid.uuid4().hex[:8]}", database_url="unused"
    )


@pytest.fixture
async def pg(postgres: Callable[[str], str]) -> AsyncIterator[Sessions]:
    sessions = await migrated(postgres("compliance"), "compliance")
    yield sessions
    await sessions.kw["bind"].dispose()


@pytest.fixture
async def broker(settings: ComplianceSettings) -> AsyncIterator[KafkaBroker]:
    await ensure_topics(settings)
    broker = make_broker(settings)
    yield broker
    await broker.stop()


@pytest.fixture
async def producer(settings: ComplianceSettings) -> AsyncIterator[RelayProducer]:
    """The relay's own producer, as a service runs it."""
    producer = RelayProducer(settings)
    await producer.start()
    yield producer
    await producer.stop()


def uow_factory(sessions: Sessions) -> Callable[[], UnitOfWork]:
    return lambda: ComplianceUnitOfWork(sessions, FixedClock(NOW), "/eiso/compliance")


async def test_relay_publishes_to_kafka_in_order_per_agency(
    pg: Sessions, broker: KafkaBroker, producer: RelayProducer, kafka: str
) -> None:
    await broker.start()
    codes = [unique_code() for _ in range(3)]
    expected: dict[str, list[str]] = {c: [] for c in codes}
    for i in range(30):
        code = codes[i % 3]
        async with uow_factory(pg)() as uow:
            event = objective_updated(code, version=i + 1)
            uow.emit(Topic.REGISTRY_RECORDS, event)
            await uow.commit()
        expected[code].append(str(event.id))

    relay = OutboxRelay(pg, producer.publish, FixedClock(NOW), batch_max=7)
    published = 0
    while (n := await relay.publish_pending()) > 0:
        published += n
    assert published == 30

    records = await read_until(
        kafka, Topic.REGISTRY_RECORDS, lambda kept: len(kept) >= 30, keep=lambda r: r.key.decode() in codes
    )
    seen: dict[str, list[str]] = {c: [] for c in codes}
    for record in records:
        seen[record.key.decode()].append(json.loads(record.value)["id"])
        assert dict(record.headers)["content-type"] == b"application/cloudevents+json"
    assert seen == expected, "each agency's events arrive in the order they were committed"


async def test_consumer_dead_letters_poison_and_applies_each_event_once(
    pg: Sessions, broker: KafkaBroker, producer: RelayProducer, settings: ComplianceSettings, kafka: str
) -> None:
    consumer = EventConsumer(
        "compliance", [Topic.REGISTRY_AGENCIES, Topic.REGISTRY_RECORDS], HANDLERS, uow_factory(pg)
    )
    subscribe(broker, consumer, settings.group_id, batch_max=100, wait_ms=settings.consumer_wait_ms)
    relay = OutboxRelay(pg, producer.publish, FixedClock(NOW))
    await broker.start()
    relay_task = asyncio.create_task(relay.run())
    try:
        code = unique_code()
        update = objective_updated(code)
        await produce(kafka, Topic.REGISTRY_AGENCIES, [(code, agency_registered(code))])
        await produce(
            kafka,
            Topic.REGISTRY_RECORDS,
            [
                (code, b"{this is not json"),
                (code, update),
                (code, update),  # the same event id delivered twice
                (code, objective_updated(code, year=2023)),  # a marker behind them, same partition
            ],
        )

        async def applied() -> int | None:
            async with pg() as session:
                marker = await store.score(session, code, 2023)
                row = await store.score(session, code, 2022)
            return row.events_applied if marker and row else None

        assert await eventually(applied, what="marker applied") == 1

        [letter] = await read_until(
            kafka,
            "eiso.registry.records.dlq",
            lambda kept: len(kept) >= 1,
            keep=lambda r: r.key == code.encode(),
        )
        headers = {k: v.decode() for k, v in letter.headers}
        assert letter.value == b"{this is not json"
        assert headers[dlq.REASON].startswith("value is not JSON")
        assert headers[dlq.ORIGINAL_TOPIC] == "eiso.registry.records"
        assert int(headers[dlq.ORIGINAL_OFFSET]) >= 0

        status = await read_until(
            kafka, Topic.COMPLIANCE_STATUS, lambda kept: len(kept) >= 2, keep=lambda r: r.key == code.encode()
        )
        scores = [json.loads(r.value)["data"] for r in status]
        assert {(s["year"], s["score"]) for s in scores} == {(2022, ONE_RULE), (2023, ONE_RULE)}
    finally:
        relay_task.cancel()


async def test_a_transient_failure_rewinds_the_batch_and_skips_nothing(
    pg: Sessions, broker: KafkaBroker, settings: ComplianceSettings, kafka: str
) -> None:
    outages = 2
    working = uow_factory(pg)

    def flaky() -> UnitOfWork:
        nonlocal outages
        if outages:
            outages -= 1
            raise ConnectionRefusedError("database unavailable")
        return working()

    consumer = EventConsumer("compliance", [Topic.REGISTRY_RECORDS], HANDLERS, flaky)
    subscribe(broker, consumer, settings.group_id, batch_max=100, wait_ms=settings.consumer_wait_ms)
    code = unique_code()
    await produce(
        kafka, Topic.REGISTRY_RECORDS, [(code, objective_updated(code, version=v)) for v in (1, 2, 3)]
    )
    await broker.start()

    async def applied() -> int:
        async with pg() as session:
            row = await store.score(session, code, 2022)
        return int(row.events_applied) if row else 0

    await eventually(lambda: outages == 0, what="both outages hit the consumer")
    assert await eventually(applied, what="events applied after the outage") == 3
    assert consumer.healthy, "a successful batch clears the failure state"


async def test_records_faststream_would_choke_on_are_handled_not_skipped(
    pg: Sessions, broker: KafkaBroker, producer: RelayProducer, settings: ComplianceSettings, kafka: str
) -> None:
    """A binary header and a JSON content type over a non-JSON body: FastStream's own parsing would drop
    such a batch unseen; here the first is applied and the second dead-lettered."""
    consumer = EventConsumer("compliance", [Topic.REGISTRY_RECORDS], HANDLERS, uow_factory(pg))
    subscribe(broker, consumer, settings.group_id, batch_max=100, wait_ms=settings.consumer_wait_ms)
    relay = OutboxRelay(pg, producer.publish, FixedClock(NOW))
    code = unique_code()
    outsider = AIOKafkaProducer(bootstrap_servers=kafka, acks="all")
    await outsider.start()
    try:
        await outsider.send_and_wait(
            Topic.REGISTRY_RECORDS,
            to_json(objective_updated(code)),
            key=code.encode(),
            headers=[("trace", b"\xff\xfe\x00"), ("empty", None)],
        )
        await outsider.send_and_wait(
            Topic.REGISTRY_RECORDS,
            b"{oops",
            key=code.encode(),
            headers=[("content-type", b"application/json")],
        )
    finally:
        await outsider.stop()
    await broker.start()
    relay_task = asyncio.create_task(relay.run())
    try:

        async def applied() -> int:
            async with pg() as session:
                row = await store.score(session, code, 2022)
            return int(row.events_applied) if row else 0

        assert await eventually(applied, what="the event with a binary header applied") == 1
        [letter] = await read_until(
            kafka,
            "eiso.registry.records.dlq",
            lambda kept: len(kept) == 1,
            keep=lambda r: r.key == code.encode(),
        )
        assert letter.value == b"{oops"
    finally:
        relay_task.cancel()


async def test_outbox_writes_for_one_key_commit_in_id_order_on_postgresql(pg: Sessions) -> None:
    """Two transactions writing for the same agency: the second waits for the first, so outbox ids follow
    commit order and the relay can never publish them the wrong way round."""
    commits: list[str] = []
    first = uow_factory(pg)()
    await first.__aenter__()
    try:
        first.emit(Topic.REGISTRY_RECORDS, objective_updated("SAMEKEY"))
        await first.flush_outbox()

        async def second() -> None:
            async with uow_factory(pg)() as uow:
                uow.emit(Topic.REGISTRY_RECORDS, objective_updated("SAMEKEY"))
                await uow.commit()
            commits.append("second")

        task = asyncio.create_task(second())

        async def second_is_waiting_for_the_lock() -> bool:
            async with pg() as session:
                waiting = await session.scalar(
                    text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                )
            return bool(waiting)

        await eventually(second_is_waiting_for_the_lock, timeout=10, what="the second writer blocked")
        assert commits == []
        await first.commit()
        commits.append("first")
    finally:
        await first.__aexit__(None, None, None)
    await asyncio.wait_for(task, 10)
    assert commits == ["first", "second"]
