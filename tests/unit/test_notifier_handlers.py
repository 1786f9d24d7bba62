"""Findings become messages for the right people at the right time: a session's reminder the day
before at 08:00 giờ Việt Nam, dropped and remade when the session moves, a cancellation told."""

from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes
from pathlib import Path

from aiokafka.structs import ConsumerRecord
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import Topic
from contracts.agencies import AgencyData, AgencyRegistered, Contact, Contacts
from contracts.compliance import DeadlineApproaching, DeadlineData
from contracts.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentData,
    EnrolmentStatus,
    SessionData,
    TrainingCancelled,
    TrainingRescheduled,
    TrainingRole,
    TrainingScheduled,
)
from contracts.vocabulary import Element, Level, Obligation
from services.common import workdays
from services.common.clock import FixedClock
from services.common.consumer import EventConsumer
from services.common.mailer import FolderMailer
from services.notifier.handlers import handlers
from services.notifier.store import NotifierUnitOfWork
from services.notifier.tables import notifications
from services.notifier.usecases.messages import Delays
from services.training.domain import Day
from tests.factories import NOW, consumer_record

Sessions = async_sessionmaker[AsyncSession]
BEFORE = datetime(2022, 5, 2, 3, 0, tzinfo=UTC)  # a week before the session


def session(revision: int, on: date, cancelled: bool = False) -> SessionData:
    return SessionData(
        session_id="S1",
        revision=revision,
        course_code="ISO-NT",
        course_title_vi="Nhận thức TCVN ISO 9001:2015",
        days=[Day(on, time(8), time(11, 30)).contract()],
        venue="Hội trường Sở KH&CN",
        trainer="ThS. Lê Văn Tâm",
        capacity=30,
        seats_taken=1,
        cancelled=cancelled,
        note="Giảng viên ốm" if cancelled else None,
    )


async def test_a_session_reminder_is_made_moved_and_dropped_with_the_session(notifier_db: Sessions) -> None:
    agency = AgencyData(
        code="A1",
        name="UBND xã Hòa Thuận",
        level=Level.COMMUNE,
        obligation=Obligation.ENCOURAGED,
        valid_from=date(2020, 1, 1),
        contacts=Contacts(iso_officer=Contact(name="Nguyễn Thị Mai", phone="+84912345678")),
    )
    enrolment = EnrolmentData(
        enrolment_id="E1",
        session_id="S1",
        agency_code="A1",
        person_name="Trần Văn Bình",
        role=TrainingRole.STAFF,
        status=EnrolmentStatus.CONFIRMED,
        first_day=datetime(2022, 5, 10, 1, 0, tzinfo=UTC),
    )
    events = [
        (AgencyRegistered.create(source="/t", subject="A1", time=NOW, data=agency), Topic.REGISTRY_AGENCIES),
        (
            TrainingScheduled.create(source="/t", subject="S1", time=NOW, data=session(1, date(2022, 5, 10))),
            None,
        ),
        (EnrolmentConfirmed.create(source="/t", subject="A1", time=NOW, data=enrolment), None),
    ]
    consumer = EventConsumer(
        "notifier",
        [Topic.REGISTRY_AGENCIES, Topic.TRAINING_SESSIONS],
        handlers(Delays(digest=timedelta(0)), workdays.load()),
        lambda: NotifierUnitOfWork(notifier_db, FixedClock(BEFORE), "/t"),
    )
    await consumer.apply_batch([consumer_record(e, topic=t or Topic.TRAINING_SESSIONS) for e, t in events])

    async def queued() -> list[tuple[str, str, datetime]]:
        async with notifier_db() as db:
            rows = await db.execute(
                select(notifications.c.reason, notifications.c.status, notifications.c.due_at)
                .where(notifications.c.channel == "sms")
                .order_by(notifications.c.id)
            )
            return [tuple(r) for r in rows]

    # The day before, 08:00 giờ Việt Nam = 01:00 UTC on 9/5.
    assert await queued() == [("training-reminder", "pending", datetime(2022, 5, 9, 1, 0, tzinfo=UTC))]

    moved = TrainingRescheduled.create(
        source="/t", subject="S1", time=NOW, data=session(2, date(2022, 5, 17))
    )
    await consumer.apply_batch([consumer_record(moved, topic=Topic.TRAINING_SESSIONS)])
    assert [(r, s) for r, s, _ in await queued()] == [
        ("training-reminder", "cancelled"),
        ("training-rescheduled", "pending"),
        ("training-reminder", "pending"),
    ]
    assert (await queued())[2][2] == datetime(2022, 5, 16, 1, 0, tzinfo=UTC)

    gone = TrainingCancelled.create(
        source="/t", subject="S1", time=NOW, data=session(3, date(2022, 5, 17), True)
    )
    await consumer.apply_batch([consumer_record(gone, topic=Topic.TRAINING_SESSIONS)])
    assert [(r, s) for r, s, _ in await queued()][-2:] == [
        ("training-reminder", "cancelled"),
        ("training-cancelled", "pending"),
    ]


async def test_the_folder_mailer_writes_each_message_once(tmp_path: Path) -> None:
    mailer = FolderMailer("folder", "", 0, "eiso@localhost", folder=tmp_path)
    for _ in range(2):
        result = await mailer.send("rid-1", "mai@xa.vn", "Còn 7 ngày", "Nội dung", "<p>Nội dung</p>")
        assert result.outcome == "accepted"
    assert written(tmp_path) == [("rid-1.eml", "<rid-1@eiso>", "mai@xa.vn")]


def written(folder: Path) -> list[tuple[str, str, str]]:
    found = []
    for path in folder.iterdir():
        mail = message_from_bytes(path.read_bytes())
        found.append((path.name, str(mail["Message-ID"]), str(mail["To"])))
    return found


def registered(code: str, name: str, officer: str, phone: str) -> "ConsumerRecord[bytes, bytes]":
    agency = AgencyData(
        code=code,
        name=name,
        level=Level.COMMUNE,
        obligation=Obligation.ENCOURAGED,
        valid_from=date(2020, 1, 1),
        contacts=Contacts(iso_officer=Contact(name=officer, phone=phone)),
    )
    event = AgencyRegistered.create(source="/t", subject=code, time=NOW, data=agency)
    return consumer_record(event, topic=Topic.REGISTRY_AGENCIES)


def enrolment_of(
    code: str, person: str, first_day: datetime, status: EnrolmentStatus
) -> "ConsumerRecord[bytes, bytes]":
    data = EnrolmentData(
        enrolment_id=f"E-{code}",
        session_id=f"S-{code}",
        agency_code=code,
        person_name=person,
        role=TrainingRole.ISO_OFFICER,
        status=status,
        first_day=first_day,
    )
    kind = EnrolmentCancelled if status == EnrolmentStatus.CANCELLED else EnrolmentConfirmed
    return consumer_record(
        kind.create(source="/t", subject=code, time=NOW, data=data), topic=Topic.TRAINING_SESSIONS
    )


async def statuses_after(
    notifier_db: Sessions, code: str, *records: "ConsumerRecord[bytes, bytes]"
) -> list[str]:
    """The agency's queued messages' statuses once the notifier has read `records` (at BEFORE)."""
    consumer = EventConsumer(
        "notifier",
        [Topic.REGISTRY_AGENCIES, Topic.TRAINING_SESSIONS],
        handlers(Delays(digest=timedelta(0)), workdays.load()),
        lambda: NotifierUnitOfWork(notifier_db, FixedClock(BEFORE), "/t"),
    )
    await consumer.apply_batch(list(records))
    async with notifier_db() as db:
        query = select(notifications.c.status).where(notifications.c.agency_code == code)
        return list(await db.scalars(query))


async def test_a_cancelled_enrolment_drops_the_agencys_reminder(notifier_db: Sessions) -> None:
    first_day = datetime(2022, 5, 10, 1, 0, tzinfo=UTC)
    statuses = await statuses_after(
        notifier_db,
        "A2",
        registered("A2", "UBND xã Long Hòa", "Lê Văn Tư", "+84912000777"),
        enrolment_of("A2", "Lê Văn Tư", first_day, EnrolmentStatus.CONFIRMED),
        enrolment_of("A2", "Lê Văn Tư", first_day, EnrolmentStatus.CANCELLED),
    )
    assert statuses == ["cancelled"]


async def test_no_reminder_for_a_session_that_has_already_begun(notifier_db: Sessions) -> None:
    begun = BEFORE - timedelta(hours=1)  # an old enrolment, read after the session began
    statuses = await statuses_after(
        notifier_db,
        "A3",
        registered("A3", "UBND xã Long Khánh", "Võ Thị Ba", "+84912000888"),
        enrolment_of("A3", "Võ Thị Ba", begun, EnrolmentStatus.CONFIRMED),
    )
    assert statuses == [], "a reminder after the start would mislead"


async def test_a_finding_read_before_its_agency_waits_for_the_agency_and_is_not_lost(
    notifier_db: Sessions,
) -> None:
    """A notifier rebuilt from the topics reads agencies and findings side by side."""
    data = DeadlineData(
        agency_code="A4", year=2022, deadline=date(2022, 5, 9), days_left=7, missing=[Element.INTERNAL_AUDIT]
    )
    finding = DeadlineApproaching.create(source="/t", subject="A4", time=NOW, data=data)
    early = consumer_record(finding, topic=Topic.COMPLIANCE_STATUS)
    assert await statuses_after(notifier_db, "A4", early) == []
    agency = registered("A4", "UBND xã Đôn Xuân", "Thạch Thị Sa", "+84912000999")
    assert await statuses_after(notifier_db, "A4", agency) == ["pending"]
    assert await statuses_after(notifier_db, "A4", early, agency) == ["pending"], (
        "made once, whatever comes again"
    )
    async with notifier_db() as db:
        sms = (await db.execute(select(notifications).where(notifications.c.agency_code == "A4"))).one()
    assert (sms.address, sms.context["agency"], sms.context["days_left"]) == (
        "+84912000999",
        "UBND xã Đôn Xuân",
        7,
    )
