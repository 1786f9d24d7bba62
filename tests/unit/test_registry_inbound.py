"""The inbound gateway reads a batch ahead (preloaded: `ReadAhead`) or event by event (`Lookup`): both must
store the same record versions, publish the same events and dead-letter the same events for the same
reasons."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from contracts import Topic, dlq
from contracts.agencies import AgencyData
from contracts.records import InternalAuditCompleted, PolicyUpdated, RecordData
from contracts.topics import system_topic
from contracts.vocabulary import Element, Level
from services.common.clock import FixedClock
from services.common.consumer import EventConsumer
from services.common.dlq import REASON
from services.common.outbox_inbox import outbox
from services.registry.domain import source_bound_to_topic
from services.registry.handlers import handlers
from services.registry.store.agencies import AgencyStore
from services.registry.store.dead_letters import DeadLetterStatus
from services.registry.store.systems import SystemStore
from services.registry.store.tables import records
from services.registry.unit_of_work import RegistryUnitOfWork
from services.registry.usecases import dead_letters
from tests.conftest import migrated
from tests.factories import NOW, agency_data, consumer_record, inbound

SYSTEM = "vn.eiso.test"


def agency(code: str, parent: str | None, valid_to: date | None = None) -> AgencyData:
    return agency_data(code, Level.COMMUNE if parent else Level.DISTRICT, parent, valid_to=valid_to)


def policy(
    code: str, version: int, record_id: uuid.UUID | None = None, title: str = "Chính sách"
) -> PolicyUpdated:
    data = RecordData(
        record_id=record_id or uuid.uuid4(),
        agency_code=code,
        element=Element.QUALITY_POLICY,
        year=2022,
        occurred_on=date(2022, 2, version),
        document_ref=f"QĐ {version}",
        title=title,
        submitted_by="Phần mềm ISO điện tử",
        channel=SYSTEM,
        version=version,
    )
    return PolicyUpdated.create(source=SYSTEM, subject=code, data=data, time=NOW)  # type: ignore[return-value]


def batches() -> list[list[Any]]:
    """Two districts and their communes (the system speaks for D1's), and events of every outcome."""
    first, reused = inbound("C1", SYSTEM), uuid.uuid4()
    again = InternalAuditCompleted.create(source=SYSTEM, subject="C1", data=first.data, time=NOW)
    accepted = [
        first,
        inbound("C1", SYSTEM),  # a second audit: version 2
        policy("C2", 2, reused),  # numbered by the system
        policy("C2", 3),
        again,  # the same record under a new event id: nothing new
        inbound("D1", SYSTEM, occurred_on="2022-03-01"),
    ]
    refused = [
        inbound("C3", SYSTEM),  # below D2: outside the system's scope
        policy("C2", 1),  # older than its version 3: stale
        inbound("NOPE", SYSTEM),
        inbound("C4", SYSTEM),  # dissolved at the end of 2021
        policy("C2", 4, reused, title="Khác"),  # a record id used for other content
        inbound("C1", SYSTEM, occurred_on="2022-06-01"),  # fine, among refusals
    ]
    return [accepted, *([event] for event in refused)]  # each refusal must be seen by the fast pass


def gateway(sessions: Any, **options: Any) -> EventConsumer:
    """The registry's inbound consumer on `sessions`, with the registry's clock fixed at NOW."""
    return EventConsumer(
        "registry",
        [Topic.INBOUND_RECORDS],
        handlers(timedelta(minutes=5)),
        partial(RegistryUnitOfWork, sessions, FixedClock(NOW), "/eiso/registry"),
        **options,
    )


async def applied(
    sessions: Any, preload: bool, events: list[list[Any]]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    async with sessions() as db:
        now = datetime(2022, 1, 1, tzinfo=UTC)
        for code, parent, ends in [
            ("D1", None, None),
            ("D2", None, None),
            ("C1", "D1", None),
            ("C2", "D1", None),
            ("C3", "D2", None),
            ("C4", "D1", date(2022, 1, 1)),
        ]:
            await AgencyStore(db).save([agency(code, parent, ends)], now)
        await SystemStore(db).add(SYSTEM, "Phần mềm ISO điện tử", ["D1"], now)
        await db.commit()
    consumer = gateway(sessions, preload=preload)
    for batch in events:
        await consumer.apply_batch(
            [consumer_record(e, topic=Topic.INBOUND_RECORDS, key=e.subject) for e in batch]
        )
    async with sessions() as db:
        rows = await db.execute(
            select(records).order_by(records.c.agency_code, records.c.element, records.c.version)
        )
        stored = [
            (r.agency_code, r.element, r.version, r.channel, r.source_version, r.data["title"]) for r in rows
        ]
        published = []
        for row in await db.execute(select(outbox).order_by(outbox.c.id)):
            event = json.loads(row.value)
            data = {k: v for k, v in event["data"].items() if k != "record_id"}
            published.append((row.topic, row.key, event["type"], data, row.headers.get(REASON)))
    return stored, published


async def test_reading_a_batch_ahead_stores_publishes_and_refuses_exactly_as_reading_event_by_event(
    tmp_path: Path,
) -> None:
    found, events = [], batches()
    for preload in (False, True):
        sessions = await migrated(f"sqlite+aiosqlite:///{tmp_path / uuid.uuid4().hex}.db", "registry")
        found.append(await applied(sessions, preload, events))
        await sessions.kw["bind"].dispose()
    assert found[0] == found[1]
    stored, published = found[1]
    assert [(code, element, version, source) for code, element, version, _, source, _ in stored] == [
        ("C1", "internal_audit", 1, 1),
        ("C1", "internal_audit", 2, 1),
        ("C1", "internal_audit", 3, 1),
        ("C2", "quality_policy", 1, 2),
        ("C2", "quality_policy", 2, 3),
        ("D1", "internal_audit", 1, 1),
    ]
    reasons = [reason for topic, *_, reason in published if topic.endswith(".dlq")]
    assert len(reasons) == 5
    for expected in (
        "may not publish for C3",
        "stale: version 1",
        "unknown agency NOPE",
        "C4 was not active",
    ):
        assert any(expected in reason for reason in reasons), (expected, reasons)
    assert any("already used for other content" in reason for reason in reasons)


async def test_in_a_preloaded_batch_a_read_the_read_ahead_does_not_answer_sees_the_batch_s_records(
    tmp_path: Path,
) -> None:
    """The current records of an agency, and its last record's date (what an agency may not end
    before), count a record the batch holds back for its commit — and the commit stores it once."""
    sessions = await migrated(f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}", "registry")
    async with sessions() as db:
        now = datetime(2022, 1, 1, tzinfo=UTC)
        for code, parent in [("D1", None), ("C1", "D1")]:
            await AgencyStore(db).save([agency(code, parent)], now)
        await SystemStore(db).add(SYSTEM, "Phần mềm ISO điện tử", ["D1"], now)
        await db.commit()
    event = inbound("C1", SYSTEM)
    async with RegistryUnitOfWork(sessions, FixedClock(NOW), "/eiso/registry") as uow:
        await uow.preload([event])
        await handlers(timedelta(minutes=5))[event.type](uow, event)
        current = await uow.records.via.current("C1", Element.INTERNAL_AUDIT, 2022)
        assert current is not None and current.record_id == event.data.record_id
        assert [r.record_id for r in await uow.records.via.current_of("C1", 2022)] == [event.data.record_id]
        assert await uow.records.via.last_date("C1") == event.data.occurred_on
        await uow.commit()
    async with sessions() as db:
        assert [r.record_id for r in await db.execute(select(records))] == [str(event.data.record_id)]
    await sessions.kw["bind"].dispose()


async def test_on_a_system_s_own_topic_the_topic_says_who_published(tmp_path: Path) -> None:
    """An event on `eiso.inbound.records.<system>` claiming another system is dead-lettered with the
    reason, by position: the id it took is still free for the system it imitated."""
    other = "vn.other.system"
    sessions = await migrated(f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}", "registry")
    async with sessions() as db:
        now = datetime(2022, 1, 1, tzinfo=UTC)
        for code, parent in [("D1", None), ("C1", "D1")]:
            await AgencyStore(db).save([agency(code, parent)], now)
        for system in (SYSTEM, other):
            await SystemStore(db).add(system, "Phần mềm ISO điện tử", ["D1"], now)
        await db.commit()
    consumer = gateway(sessions, refuse_reused_ids=True, admit=source_bound_to_topic)
    honest, posing = inbound("C1", SYSTEM), inbound("C1", other, occurred_on="2022-05-11")
    ours = system_topic(SYSTEM)
    first = await consumer.apply_batch([consumer_record(e, topic=ours) for e in (honest, posing)])
    assert (first.applied, first.dead_lettered) == (1, 1)
    later = await consumer.apply_batch([consumer_record(posing, topic=system_topic(other))])
    assert later.applied == 1, "the imitated system's own event, with the id the imitation used"
    async with sessions() as db:
        channels = sorted(r.channel for r in await db.execute(select(records)))
        dead = [row for row in await db.execute(select(outbox)) if row.topic.endswith(".dlq")]
    assert channels == sorted([SYSTEM, other])
    assert [row.topic for row in dead] == [dlq(Topic.INBOUND_RECORDS)], "one dead-letter topic for all"
    assert (
        f"source {other} is not {SYSTEM}, the only system allowed to write to {ours}"
        in dead[0].headers[REASON]
    )
    await sessions.kw["bind"].dispose()


async def test_a_dead_letter_is_kept_by_system_and_redriven_once_its_cause_is_fixed(tmp_path: Path) -> None:
    sessions = await migrated(f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}", "registry")
    async with sessions() as db:
        await SystemStore(db).add(SYSTEM, "Phần mềm ISO điện tử", ["D1"], datetime(2022, 1, 1, tzinfo=UTC))
        await db.commit()
    consumer = gateway(sessions, refuse_reused_ids=True, keep_dead_letter=dead_letters.keep_dead_letter)
    event = inbound("C1", SYSTEM)
    result = await consumer.apply_batch([consumer_record(event, topic=Topic.INBOUND_RECORDS)])
    assert result.dead_lettered == 1

    def unit() -> RegistryUnitOfWork:
        return RegistryUnitOfWork(sessions, FixedClock(NOW), "/eiso/registry")

    async with unit() as uow:
        (letter,) = await dead_letters.dead_letters(uow, SYSTEM, None, 10)
    assert (letter.event_id, letter.status) == (str(event.id), DeadLetterStatus.OPEN)
    assert "unknown agency C1" in letter.reason

    async with unit() as uow:
        first = await dead_letters.redrive(uow, letter.id, timedelta(minutes=5), "Bà Vận Hành")
        await uow.commit()
    assert not first.accepted and first.letter.status == DeadLetterStatus.OPEN
    async with sessions() as db:
        now = datetime(2022, 1, 1, tzinfo=UTC)
        for code, parent in [("D1", None), ("C1", "D1")]:
            await AgencyStore(db).save([agency(code, parent)], now)
        await db.commit()
    async with unit() as uow:
        second = await dead_letters.redrive(uow, letter.id, timedelta(minutes=5), "Bà Vận Hành")
        await uow.commit()
    assert second.accepted and second.letter.status == DeadLetterStatus.REDRIVEN
    assert second.letter.handled_by == "Bà Vận Hành"
    async with sessions() as db:
        assert [r.channel for r in await db.execute(select(records))] == [SYSTEM]
    async with unit() as uow:
        with pytest.raises(dead_letters.AlreadyRedrivenError):
            await dead_letters.redrive(uow, letter.id, timedelta(minutes=5), "Bà Vận Hành")
    await sessions.kw["bind"].dispose()
