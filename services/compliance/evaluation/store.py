"""The notices the evaluation has sent (`Notices`): its once-only memory, and the reminders the
inspection plan and the annual report count."""

from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.compliance import AgencyCompliant
from services.compliance.evaluation.domain import SentNotice
from services.compliance.evaluation.tables import notices

#: Notices that remind (or warn); `agency-compliant` closes them and is not one.
NOT_A_REMINDER = AgencyCompliant.event_type


class Notices:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sent(self) -> dict[str, set[tuple[str, str]]]:
        """(kind, period) of every notice sent, by agency, in one query."""
        found: dict[str, set[tuple[str, str]]] = {}
        for code, kind, period in await self.session.execute(
            select(notices.c.agency_code, notices.c.kind, notices.c.period)
        ):
            found.setdefault(code, set()).add((kind, period))
        return found

    async def add(self, notice: SentNotice) -> None:
        await self.session.execute(
            notices.insert().values(
                agency_code=notice.agency_code,
                kind=notice.kind,
                period=notice.period,
                event_id=notice.event_id,
                sent_on=notice.sent_on,
            )
        )

    async def reminder_counts(self, years: Iterable[int]) -> dict[str, int]:
        """Reminders and warnings sent to each agency for the given years (a notice's period is `YYYY`
        or `YYYY:<days>`)."""
        of_years = or_(*(notices.c.period.startswith(str(y)) for y in years))
        rows = await self.session.execute(
            select(notices.c.agency_code, func.count())
            .where(of_years, notices.c.kind != NOT_A_REMINDER)
            .group_by(notices.c.agency_code)
        )
        return {code: int(count) for code, count in rows}

    async def reminded_in(self, year: int) -> set[str]:
        """Agencies reminded or warned for `year` (one query for the annual report)."""
        return set((await self.reminder_counts([year])).keys())
