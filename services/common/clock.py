"""The injectable clock. Domain code receives times; only the edges ask a `Clock`."""

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
VIETNAM_LABEL = "(giờ Việt Nam)"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: replays a campaign or tests a deadline at any date."""

    def __init__(self, at: datetime) -> None:
        self.set(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)


def local_date(at: datetime) -> date:
    """The calendar date in Vietnam at instant `at`: what deadlines and years are counted in."""
    return at.astimezone(VIETNAM).date()


def make_clock(fixed_at: datetime | None) -> Clock:
    return FixedClock(fixed_at) if fixed_at else SystemClock()
