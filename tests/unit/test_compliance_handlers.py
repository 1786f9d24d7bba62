"""Compliance keeps its own copy of agencies in step with the registry's reorganisations."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import Topic
from contracts.agencies import AgencyMerged, AgencyMergedData
from services.common.clock import FixedClock
from services.common.consumer import EventConsumer
from services.common.uow import UnitOfWork
from services.compliance import store
from tests.factories import COMPLIANCE_HANDLERS as HANDLERS
from tests.factories import NOW, agency_registered, consumer_record, unique_code

Sessions = async_sessionmaker[AsyncSession]


async def test_a_merge_ends_the_sources_and_keeps_the_successor_without_contacts(
    compliance_db: Sessions,
) -> None:
    a, b, ab = unique_code("A"), unique_code("B"), unique_code("AB")
    successor = agency_registered(ab).data.model_copy(update={"valid_from": date(2025, 7, 1)})
    merged = AgencyMerged.create(
        source="/tests",
        subject=ab,
        time=NOW,
        data=AgencyMergedData(code=ab, sources=[a, b], effective_on=date(2025, 7, 1), successor=successor),
    )
    consumer = EventConsumer(
        "compliance",
        [Topic.REGISTRY_AGENCIES],
        HANDLERS,
        lambda: UnitOfWork(compliance_db, FixedClock(NOW), "/t"),
    )
    result = await consumer.apply_batch(
        [
            consumer_record(agency_registered(a), topic=Topic.REGISTRY_AGENCIES),
            consumer_record(agency_registered(b), topic=Topic.REGISTRY_AGENCIES),
            consumer_record(merged, topic=Topic.REGISTRY_AGENCIES),
        ]
    )
    assert result.applied == 3
    async with compliance_db() as session:
        rows = {r.code: r for r in await session.execute(select(store.agencies))}
    assert rows[a].valid_to == rows[b].valid_to == date(2025, 7, 1)
    assert rows[ab].valid_from == date(2025, 7, 1) and rows[ab].valid_to is None
    assert "contacts" not in store.agencies.c


async def test_a_merge_that_arrives_before_the_sources_registrations_still_ends_them(
    compliance_db: Sessions,
) -> None:
    a, ab = unique_code("A"), unique_code("AB")
    successor = agency_registered(ab).data.model_copy(update={"valid_from": date(2025, 7, 1)})
    merged = AgencyMerged.create(
        source="/tests",
        subject=ab,
        time=NOW,
        data=AgencyMergedData(code=ab, sources=[a], effective_on=date(2025, 7, 1), successor=successor),
    )
    consumer = EventConsumer(
        "compliance",
        [Topic.REGISTRY_AGENCIES],
        HANDLERS,
        lambda: UnitOfWork(compliance_db, FixedClock(NOW), "/t"),
    )
    await consumer.apply_batch([consumer_record(merged, topic=Topic.REGISTRY_AGENCIES)])
    await consumer.apply_batch([consumer_record(agency_registered(a), topic=Topic.REGISTRY_AGENCIES)])
    async with compliance_db() as session:
        ended = await session.scalar(select(store.agencies.c.valid_to).where(store.agencies.c.code == a))
    assert ended == date(2025, 7, 1)
