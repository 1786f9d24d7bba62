"""Training keeps its copy of agencies in step with the registry, whatever order the events come in."""

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import Topic
from contracts.agencies import AgencyMerged, AgencyMergedData
from services.common.clock import FixedClock
from services.common.consumer import EventConsumer
from services.training.handlers import HANDLERS
from services.training.store import TrainingUnitOfWork
from services.training.tables import replica
from tests.factories import NOW, agency_registered, consumer_record, unique_code


async def test_a_merge_that_overtakes_a_sources_registration_still_ends_it(
    training_db: async_sessionmaker[AsyncSession],
) -> None:
    source, successor = unique_code("S"), unique_code("M")
    merged = AgencyMerged.create(
        source="/tests",
        subject=successor,
        time=NOW,
        data=AgencyMergedData(
            code=successor,
            sources=[source],
            effective_on=date(2022, 7, 1),
            successor=agency_registered(successor).data,
        ),
    )
    consumer = EventConsumer(
        "training",
        [Topic.REGISTRY_AGENCIES],
        HANDLERS,
        lambda: TrainingUnitOfWork(training_db, FixedClock(NOW), "/t"),
    )
    await consumer.apply_batch([consumer_record(merged, topic=Topic.REGISTRY_AGENCIES)])
    await consumer.apply_batch([consumer_record(agency_registered(source), topic=Topic.REGISTRY_AGENCIES)])
    async with training_db() as session:
        ended = await replica.get(session, source)
    assert ended is not None and ended.valid_to == date(2022, 7, 1)
