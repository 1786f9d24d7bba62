"""Compliance keeps its own copy of agencies in step with the registry's reorganisations."""

import uuid
from datetime import date
from functools import partial
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import CloudEvent, Topic
from contracts.agencies import (
    AgencyMerged,
    AgencyMergedData,
    AgencyRenamed,
    AgencyRenamedData,
    AgencyUpdated,
    AgencyUpdatedData,
)
from contracts.inspections import InspectionData, InspectionMode, InspectionScheduled, InspectionStatus
from contracts.records import RECORD_EVENT_OF, RecordData
from contracts.vocabulary import Element
from services.common.clock import FixedClock
from services.common.consumer import EventConsumer
from services.common.outbox_inbox import outbox
from services.compliance.agencies import active_on
from services.compliance.evaluation.domain import SentNotice
from services.compliance.evaluation.store import Notices
from services.compliance.inspections.store import Inspections
from services.compliance.scoring import store
from services.compliance.scoring.tables import scores as score_table
from services.compliance.tables import agencies
from services.compliance.unit_of_work import ComplianceUnitOfWork
from tests.conftest import migrated
from tests.factories import COMPLIANCE_HANDLERS as HANDLERS
from tests.factories import NOW, agency_registered, consumer_record, objective_updated, unique_code

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
        lambda: ComplianceUnitOfWork(compliance_db, FixedClock(NOW), "/t"),
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
        rows = {r.code: r for r in await session.execute(select(agencies))}
    assert rows[a].valid_to == rows[b].valid_to == date(2025, 7, 1)
    assert rows[ab].valid_from == date(2025, 7, 1) and rows[ab].valid_to is None
    assert "contacts" not in agencies.c


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
        lambda: ComplianceUnitOfWork(compliance_db, FixedClock(NOW), "/t"),
    )
    await consumer.apply_batch([consumer_record(merged, topic=Topic.REGISTRY_AGENCIES)])
    await consumer.apply_batch([consumer_record(agency_registered(a), topic=Topic.REGISTRY_AGENCIES)])
    async with compliance_db() as session:
        ended = await session.scalar(select(agencies.c.valid_to).where(agencies.c.code == a))
    assert ended == date(2025, 7, 1)


async def test_inspections_read_back_from_the_topic_keep_the_highest_revision(
    compliance_db: Sessions,
) -> None:
    """A rebuild from compliance's own topic restores the plan, whatever order the events come in."""
    code = unique_code("INSP")
    first = InspectionData(
        inspection_id=str(uuid.uuid4()),
        revision=1,
        agency_code=code,
        year=2022,
        scheduled_on=date(2022, 6, 1),
        inspector="Bà Lan",
        mode=InspectionMode.ONSITE,
        status=InspectionStatus.SCHEDULED,
        risk=42.0,
        reasons=["Chưa có lần kiểm tra nào được ghi nhận"],
    )
    moved = first.model_copy(update={"revision": 2, "scheduled_on": date(2022, 6, 8)})
    events = [
        InspectionScheduled.create(source="/t", subject=code, time=NOW, data=data) for data in (moved, first)
    ]
    consumer = EventConsumer(
        "compliance",
        [Topic.COMPLIANCE_INSPECTIONS],
        HANDLERS,
        lambda: ComplianceUnitOfWork(compliance_db, FixedClock(NOW), "/t"),
    )
    await consumer.apply_batch([consumer_record(e, topic=Topic.COMPLIANCE_INSPECTIONS) for e in events])
    async with compliance_db() as session:
        assert await Inspections(session).in_year(2022, code) == [moved]


async def test_all_facts_at_once_equal_each_agencys_facts(compliance_db: Sessions) -> None:
    """Reports read every agency's facts in three queries; they must be what one agency's query says,
    predecessors' records included."""
    a, b, ab = unique_code("A"), unique_code("B"), unique_code("AB")
    successor = agency_registered(ab).data.model_copy(update={"valid_from": date(2022, 7, 1)})
    merged = AgencyMerged.create(
        source="/tests",
        subject=ab,
        time=NOW,
        data=AgencyMergedData(code=ab, sources=[a, b], effective_on=date(2022, 7, 1), successor=successor),
    )
    consumer = EventConsumer(
        "compliance",
        [Topic.REGISTRY_AGENCIES, Topic.REGISTRY_RECORDS],
        HANDLERS,
        lambda: ComplianceUnitOfWork(compliance_db, FixedClock(NOW), "/t"),
    )
    events = [
        (agency_registered(a), Topic.REGISTRY_AGENCIES),
        (agency_registered(b), Topic.REGISTRY_AGENCIES),
        (objective_updated(a), Topic.REGISTRY_RECORDS),
        (objective_updated(b, occurred_on=date(2022, 3, 1)), Topic.REGISTRY_RECORDS),
        (merged, Topic.REGISTRY_AGENCIES),
    ]
    await consumer.apply_batch([consumer_record(e, topic=t) for e, t in events])
    async with compliance_db() as session:
        together = {
            agency.code: f async for agency, f in store.active_facts(session, date(2022, 8, 1), 2022, chunk=1)
        }
        alone = await store.facts(session, ab)
        merged_in = await store.latest_merges(session)
    assert sorted(together[ab].evidence, key=str) == sorted(alone.evidence, key=str)
    assert len(together[ab].evidence) == 2 and a not in together and b not in together
    assert merged_in[ab] == date(2022, 7, 1)


async def test_a_rename_is_lineage_but_not_a_merger_and_compliant_notices_are_not_reminders(
    compliance_db: Sessions,
) -> None:
    old, new = unique_code("OLD"), unique_code("NEW")
    renamed = AgencyRenamed.create(
        source="/tests",
        subject=new,
        time=NOW,
        data=AgencyRenamedData(
            **agency_registered(new).data.model_dump() | {"valid_from": date(2022, 3, 1)},
            previous_code=old,
            previous_name="Sở Cũ",
        ),
    )
    consumer = EventConsumer(
        "compliance",
        [Topic.REGISTRY_AGENCIES],
        HANDLERS,
        lambda: ComplianceUnitOfWork(compliance_db, FixedClock(NOW), "/t"),
    )
    await consumer.apply_batch(
        [consumer_record(e, topic=Topic.REGISTRY_AGENCIES) for e in (agency_registered(old), renamed)]
    )
    async with compliance_db() as session, session.begin():
        for kind, period in (
            ("deadline-approaching", "2022:30"),
            ("agency-lagging", "2022"),
            ("agency-compliant", "2022"),
            ("agency-lagging", "2020"),
        ):
            await Notices(session).add(SentNotice(new, kind, period, str(uuid.uuid4()), date(2022, 11, 1)))
    async with compliance_db() as session:
        assert new not in await store.latest_merges(session)
        assert await store.lineage_of(session, new) == [new, old]
        assert (await Notices(session).reminder_counts([2021, 2022]))[new] == 2
        assert new in await Notices(session).reminded_in(2022)


async def test_an_update_starting_a_new_version_does_not_move_the_agencys_start(
    compliance_db: Sessions,
) -> None:
    """A change of contacts today is a version from today; the agency still existed before, and past
    reports must still count it."""
    code = unique_code("V")
    registered = agency_registered(code)
    updated = AgencyUpdated.create(
        source="/tests",
        subject=code,
        time=NOW,
        data=AgencyUpdatedData(
            **registered.data.model_dump() | {"valid_from": date(2022, 11, 1)}, changed=["contacts"]
        ),
    )
    consumer = EventConsumer(
        "compliance",
        [Topic.REGISTRY_AGENCIES],
        HANDLERS,
        lambda: ComplianceUnitOfWork(compliance_db, FixedClock(NOW), "/t"),
    )
    await consumer.apply_batch(
        [consumer_record(e, topic=Topic.REGISTRY_AGENCIES) for e in (registered, updated)]
    )
    async with compliance_db() as session:
        active = {a.code for a in await active_on(session, date(2022, 10, 30))}
    assert code in active


def record(code: str, element: Element, n: int) -> CloudEvent:
    data = RecordData(
        record_id=uuid.uuid4(),
        agency_code=code,
        element=element,
        year=2022,
        occurred_on=date(2022, 1 + n % 12, 1 + n % 28),
        document_ref=f"QĐ {n}",
        title="Hồ sơ",
        submitted_by="Thư ký ISO",
        channel="api",
        version=1 + n // len(Element),
    )
    return RECORD_EVENT_OF[element].create(source="/tests", subject=code, data=data, time=NOW)


async def test_reading_ahead_for_a_batch_gives_exactly_what_reading_as_it_goes_gives(tmp_path: Path) -> None:
    """The fast path (the Scorebook preloaded) must not change a score, a count or a published event."""
    codes = [unique_code("RA") for _ in range(3)]
    merged_into = codes[2]
    agencies = [consumer_record(agency_registered(c), topic=Topic.REGISTRY_AGENCIES) for c in codes]
    lineage = AgencyMerged.create(
        source="/tests",
        subject=merged_into,
        time=NOW,
        data=AgencyMergedData(
            code=merged_into,
            sources=[codes[1]],
            effective_on=date(2022, 7, 1),
            successor=agency_registered(merged_into).data,
        ),
    )
    events = [record(codes[n % 3], list(Element)[n % len(Element)], n) for n in range(40)]
    batch = [consumer_record(e) for e in events] + [consumer_record(events[5])]  # and a duplicate

    found = []
    for preload in (False, True):
        sessions = await migrated(f"sqlite+aiosqlite:///{tmp_path / uuid.uuid4().hex}.db", "compliance")
        consumer = EventConsumer(
            "compliance",
            [Topic.REGISTRY_AGENCIES, Topic.REGISTRY_RECORDS],
            HANDLERS,
            partial(ComplianceUnitOfWork, sessions, FixedClock(NOW), "/eiso/compliance"),
            preload=preload,
        )
        await consumer.apply_batch([*agencies, consumer_record(lineage, topic=Topic.REGISTRY_AGENCIES)])
        result = await consumer.apply_batch(batch)
        async with sessions() as db:
            rows = await db.execute(
                select(score_table).order_by(score_table.c.agency_code, score_table.c.year)
            )
            scores = [(r.agency_code, r.year, r.score, r.status, r.breakdown, r.events_applied) for r in rows]
            published = [
                (r.event_id, r.value) for r in await db.execute(select(outbox).order_by(outbox.c.id))
            ]
        found.append((result, scores, published))
        await sessions.kw["bind"].dispose()
    assert found[0] == found[1]
    assert found[1][0].applied == 40 and found[1][0].duplicates == 1
