"""The escalation ladder counts working days (weekends and Quốc khánh skipped): the ISO officer, then
the head, then the supervising agency; a new record stops it."""

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.agencies import AgencyData, Contact, Contacts
from contracts.vocabulary import Level
from services.common.clock import FixedClock
from services.notifier.app import NotifierService
from services.notifier.settings import NotifierSettings
from services.notifier.store import Escalations
from services.notifier.tables import notifications, replica
from tests.factories import agency_data

Sessions = async_sessionmaker[AsyncSession]


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
