"""The escalation ladder counts working days (weekends and Quốc khánh skipped): the ISO officer, then
the head, then the supervising agency; a new record stops it."""

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.agencies import AgencyData, Contact, Contacts
from contracts.deliveries import RecipientRole
from contracts.vocabulary import Level
from services.common import workdays
from services.common.clock import FixedClock
from services.common.replica import AgencyCopy
from services.notifier import policy
from services.notifier.app import NotifierService
from services.notifier.settings import NotifierSettings
from services.notifier.store import Escalations
from services.notifier.tables import notifications, replica
from tests.factories import agency_data

Sessions = async_sessionmaker[AsyncSession]
CALENDAR = workdays.load()


def agency(code: str, level: Level, parent: str | None, head: str) -> AgencyData:
    contacts = Contacts(
        iso_officer=Contact(name="Thư ký", email=f"iso@{code.lower()}.vn"),
        head=Contact(name=f"Chủ tịch {code}", email=f"head@{code.lower()}.vn"),
    )
    return agency_data(code, level, parent, contacts=contacts)


async def heads_told(sessions: Sessions) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(notifications.c.agency_code, notifications.c.period).where(
                notifications.c.reason == "escalation"
            )
        )
        return sorted((r.agency_code, r.period) for r in rows)


async def test_the_ladder_climbs_on_working_days_and_stops(notifier_db: Sessions, tmp_path: Path) -> None:
    async with notifier_db() as session, session.begin():
        await replica.save(session, agency("HUYEN", Level.DISTRICT, None, "Chủ tịch huyện"))
        await replica.save(session, agency("XA", Level.COMMUNE, "HUYEN", "Chủ tịch xã"))
        await replica.save(session, agency("OTHER", Level.COMMUNE, "HUYEN", "Chủ tịch xã khác"))
        ladders = Escalations(session)
        await ladders.start("XA", 2022, date(2022, 8, 26))  # a Friday
        await ladders.start("OTHER", 2022, date(2022, 8, 26))
        await ladders.stop("OTHER", date(2022, 8, 29), "internal-audit-completed")
    service = NotifierService(
        NotifierSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}")
    )
    clock = FixedClock(datetime(2022, 9, 5, 3, tzinfo=UTC))
    service.clock = clock
    try:
        # Five working days after Friday 26/8: 29, 30, 31/8, (1–2/9 Quốc khánh, weekend), 5/9, 6/9.
        assert await service.escalate() == 0
        clock.set(datetime(2022, 9, 6, 3, tzinfo=UTC))
        assert await service.escalate() == 1
        assert await service.escalate() == 0, "each step once"
        assert await heads_told(notifier_db) == [("XA", "XA:2022:step1")]
        # Five more: 7, 8, 9, 12, 13/9 → the district (the commune's supervisor).
        clock.set(datetime(2022, 9, 12, 3, tzinfo=UTC))
        assert await service.escalate() == 0
        clock.set(datetime(2022, 9, 13, 3, tzinfo=UTC))
        assert await service.escalate() == 1
        assert await heads_told(notifier_db) == [("HUYEN", "XA:2022:step2"), ("XA", "XA:2022:step1")]
    finally:
        await service.engine.dispose()


def test_the_supervisor_is_the_district_for_a_commune_and_the_department_for_the_others() -> None:
    department = "000.00.14.H59"
    commune = replica_copy("XA", Level.COMMUNE, "HUYEN")
    assert policy.supervisor_of(commune, department) == "HUYEN"
    assert policy.supervisor_of(replica_copy("HUYEN", Level.DISTRICT, None), department) == department
    assert policy.supervisor_of(replica_copy("XA2", Level.COMMUNE, None), department) == department
    assert policy.supervisor_of(None, department) == department, "an agency not read yet"


def test_each_step_of_the_ladder_is_due_after_its_working_days_and_there_is_no_third() -> None:
    ladder, started = policy.Ladder(5, 5), date(2022, 8, 26)  # a Friday; Quốc khánh 1–2/9
    assert ladder.next_step(0, started, date(2022, 9, 5), CALENDAR) is None
    assert ladder.next_step(0, started, date(2022, 9, 6), CALENDAR) == policy.Step(1, RecipientRole.HEAD, 5)
    assert ladder.next_step(1, started, date(2022, 9, 12), CALENDAR) is None
    assert ladder.next_step(1, started, date(2022, 9, 13), CALENDAR) == policy.Step(
        2, RecipientRole.SUPERVISOR, 10
    )
    assert ladder.next_step(2, started, date(2030, 1, 1), CALENDAR) is None


def replica_copy(code: str, level: Level, parent: str | None) -> AgencyCopy:
    return AgencyCopy(code=code, name=code, level=level, parent_code=parent, valid_to=None)
