"""The outbox relay publishes committed events in insertion order, once acknowledged marks them sent,
and never holds a transaction while the broker is called."""

import asyncio
from collections.abc import Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import Topic
from services.common.clock import FixedClock
from services.common.outbox_inbox import OutgoingRecord, outbox
from services.common.relay import OutboxRelay, PublishError
from services.common.uow import UnitOfWork
from tests.factories import NOW, objective_updated

Sessions = async_sessionmaker[AsyncSession]


class Recorder:
    """A publisher that remembers what it was given and can be told to fail or to hold."""

    def __init__(self) -> None:
        self.published: list[OutgoingRecord] = []
        self.fail_next = False
        self.hold: asyncio.Event | None = None

    async def __call__(self, records: Sequence[OutgoingRecord]) -> None:
        if self.hold is not None:
            await self.hold.wait()
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("broker unavailable")
        self.published.extend(records)


async def commit_events(sessions: Sessions, keys: Sequence[str]) -> list[str]:
    ids = []
    for key in keys:
        async with UnitOfWork(sessions, FixedClock(NOW), "/tests") as uow:
            event = objective_updated(key)
            uow.emit(Topic.REGISTRY_RECORDS, event)
            await uow.commit()
            ids.append(str(event.id))
    return ids


async def unsent(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).where(outbox.c.sent_at.is_(None))) or 0)


async def test_rows_go_out_in_insertion_order_and_are_marked_sent(compliance_db: Sessions) -> None:
    ids = await commit_events(compliance_db, ["A", "B", "A", "C", "B", "A"])
    recorder = Recorder()
    relay = OutboxRelay(compliance_db, recorder, FixedClock(NOW), batch_max=4)
    assert await relay.publish_pending() == 4
    assert await relay.publish_pending() == 2
    assert await relay.publish_pending() == 0
    assert [r.event_id for r in recorder.published] == ids
    assert [r.key for r in recorder.published] == ["A", "B", "A", "C", "B", "A"]
    assert {r.headers["content-type"] for r in recorder.published} == {"application/cloudevents+json"}
    assert await unsent(compliance_db) == 0


async def test_a_failed_publish_marks_nothing_and_the_retry_sends_the_same_rows(
    compliance_db: Sessions,
) -> None:
    ids = await commit_events(compliance_db, ["A", "B"])
    recorder = Recorder()
    recorder.fail_next = True
    relay = OutboxRelay(compliance_db, recorder, FixedClock(NOW))
    with pytest.raises(ConnectionError):
        await relay.publish_pending()
    assert await unsent(compliance_db) == 2
    assert await relay.publish_pending() == 2
    assert [r.event_id for r in recorder.published] == ids


async def test_an_uncommitted_unit_of_work_publishes_nothing(compliance_db: Sessions) -> None:
    async with UnitOfWork(compliance_db, FixedClock(NOW), "/tests") as uow:
        uow.emit(Topic.REGISTRY_RECORDS, objective_updated("A"))
        await uow.flush_outbox()
        # leaves without commit: rolled back
    recorder = Recorder()
    assert await OutboxRelay(compliance_db, recorder, FixedClock(NOW)).publish_pending() == 0
    assert recorder.published == []


async def test_writers_still_commit_while_the_broker_hangs(compliance_db: Sessions) -> None:
    await commit_events(compliance_db, ["A"])
    recorder = Recorder()
    recorder.hold = asyncio.Event()
    relay = OutboxRelay(compliance_db, recorder, FixedClock(NOW))
    publishing = asyncio.create_task(relay.publish_pending())
    await asyncio.wait_for(commit_events(compliance_db, ["B"]), timeout=10)
    recorder.hold.set()
    assert await publishing == 1
    assert await relay.publish_pending() == 1
    assert [r.key for r in recorder.published] == ["A", "B"]


async def test_run_wakes_on_commit_and_survives_failures(compliance_db: Sessions) -> None:
    recorder = Recorder()
    recorder.fail_next = True
    relay = OutboxRelay(compliance_db, recorder, FixedClock(NOW), poll_seconds=30)
    task = asyncio.create_task(relay.run())
    try:
        ids = await commit_events(compliance_db, ["A"])
        relay.wake()
        async with asyncio.timeout(15):
            while [r.event_id for r in recorder.published] != ids:
                await asyncio.sleep(0.05)
                relay.wake()
        assert relay.healthy
    finally:
        task.cancel()


async def test_only_the_acknowledged_prefix_is_marked_sent(compliance_db: Sessions) -> None:
    ids = await commit_events(compliance_db, ["A", "B", "C"])
    sent: list[str] = []

    async def first_only(records: Sequence[OutgoingRecord]) -> None:
        sent.extend(r.event_id for r in records[:1])
        if len(records) > 1:
            raise PublishError(1, TimeoutError("partition leader unavailable"))

    relay = OutboxRelay(compliance_db, first_only, FixedClock(NOW))
    with pytest.raises(PublishError):
        await relay.publish_pending()
    assert await unsent(compliance_db) == 2
    recorder = Recorder()
    relay = OutboxRelay(compliance_db, recorder, FixedClock(NOW))
    assert await relay.publish_pending() == 2
    assert sent + [r.event_id for r in recorder.published] == ids


async def test_a_reader_does_not_wait_for_a_writer_on_sqlite(compliance_db: Sessions) -> None:
    async with UnitOfWork(compliance_db, FixedClock(NOW), "/tests") as writer:
        writer.emit(Topic.REGISTRY_RECORDS, objective_updated("A"))
        await writer.flush_outbox()  # holds SQLite's write lock until commit
        async with UnitOfWork(compliance_db, FixedClock(NOW), "/tests", read_only=True) as reader:
            count = await asyncio.wait_for(reader.session.scalar(select(func.count()).select_from(outbox)), 5)
        assert count == 0, "the reader sees the last committed state"
        await writer.commit()
