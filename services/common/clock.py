"""The injectable clock. Domain code receives times; only the edges ask a `Clock`."""

import time
from datetime import UTC, date, datetime, timedelta
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


class RunningClock:
    """A clock that starts at a chosen instant and then runs at the normal pace: a demo or a test
    can live on 30/09/2022 09:00 while retries, backoff and timeouts still elapse."""

    def __init__(self, starts_at: datetime) -> None:
        if starts_at.tzinfo is None:
            raise ValueError("RunningClock needs a timezone-aware datetime")
        self._start = starts_at.astimezone(UTC)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)


def local_date(at: datetime) -> date:
    """The calendar date in Vietnam at instant `at`: what deadlines and years are counted in."""
    return at.astimezone(VIETNAM).date()


def make_clock(fixed_at: datetime | None, starts_at: datetime | None = None) -> Clock:
    if fixed_at:
        return FixedClock(fixed_at)
    return RunningClock(starts_at) if starts_at else SystemClock()
