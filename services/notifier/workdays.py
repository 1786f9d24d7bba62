"""Working days and sending windows, free of I/O: weekends and Vietnamese public holidays (a table per
year in holidays.yaml) are skipped; SMS go out only between 07:00 and 22:00 giờ Việt Nam."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOLIDAYS_FILE = Path(__file__).parent / "holidays.yaml"
#: Fixed-date holidays, for a year the table does not list yet.
FIXED = ((1, 1), (4, 30), (5, 1), (9, 2))


class HolidayFileError(ValueError):
    """The holiday table cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date]
    years: frozenset[int]

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        if day.year in self.years:
            return day not in self.holidays
        return (day.month, day.day) not in FIXED

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after `day`."""
        while count > 0:
            day += timedelta(days=1)
            count -= self.is_working_day(day)
        return day

    def next_window(
        self, at: datetime, opens: time, closes: time, working_days_only: bool = True
    ) -> datetime:
        """The first instant ≥ `at` (UTC) inside the sending window giờ Việt Nam: between `opens` and
        `closes`, on a working day if asked."""
        local = at.astimezone(VN)
        day = local.date()
        for _ in range(400):
            allowed = not working_days_only or self.is_working_day(day)
            if allowed:
                start = datetime.combine(day, opens, tzinfo=VN)
                end = datetime.combine(day, closes, tzinfo=VN)
                if local < start:
                    return start.astimezone(UTC)
                if local < end:
                    return local.astimezone(UTC)
            day += timedelta(days=1)
            local = datetime.combine(day, time(0), tzinfo=VN)
        raise AssertionError("no sending window within 400 days")


def load(path: Path = HOLIDAYS_FILE) -> Calendar:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        years = {int(y): list(days or []) for y, days in raw.items()}
    except (OSError, yaml.YAMLError, ValueError, AttributeError) as exc:
        raise HolidayFileError(f"{path}: {exc}") from None
    holidays: set[date] = set()
    for year, days in years.items():
        for entry in days:
            if not isinstance(entry, date) or entry.year != year:
                raise HolidayFileError(f"{path}: {year}: {entry!r} is not a date of {year}")
            holidays.add(entry)
    return Calendar(frozenset(holidays), frozenset(years))
