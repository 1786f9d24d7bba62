"""The one calendar of working days every service uses, free of I/O once loaded.

Vietnam's public holidays come from the `holidays` package (Vietnamese names, substituted days off
included, any year), so no table runs out at the end of a year. What the package cannot know is the
province's own arrangement, kept as data in workdays.yaml (EISO_WORKDAYS_FILE): extra days off (the
government's yearly Tết arrangement, a provincial day) and Saturdays or Sundays worked in exchange for
a day off (ngày làm bù), each with its reason in Vietnamese. The notifier's sending windows and
escalations, compliance's inspection planning and deadline notes, and training's session days all ask
this one calendar, so they cannot disagree.
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import holidays
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.common.clock import VIETNAM

WORKDAYS_FILE = Path(__file__).parent / "workdays.yaml"
#: Why a plain weekend day is not a working day.
WEEKEND_VI = {5: "Thứ Bảy", 6: "Chủ nhật"}
WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: A reason is shown in messages (an SMS too): the templates are linted with one this long.
REASON_MAX = 60
SECTIONS = ("days_off", "working_days")


class WorkdaysFileError(ValueError):
    """The calendar file cannot be used; the message names the file and the entry."""


class Override(BaseModel):
    """One day the province's arrangement changes, and why (Vietnamese)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: date
    reason: str = Field(min_length=1, max_length=REASON_MAX)


def day_off_phrase(day: date, reason: str) -> str:
    """How a refusal says it: "ngày 02/09/2022 là ngày nghỉ (Quốc khánh)"."""
    return f"ngày {day:%d/%m/%Y} là ngày nghỉ ({reason})"


class WorkingDays:
    """Working days: Monday to Friday, less public holidays and the province's days off, plus the
    weekend days it works in exchange."""

    def __init__(self, days_off: Mapping[date, str], working_days: Mapping[date, str]) -> None:
        self.days_off = dict(days_off)
        self.worked = dict(working_days)
        # No years given: the package fills in each year the first time a day of it is asked.
        self._public = holidays.country_holidays("VN", language="vi")

    def public_holiday(self, day: date) -> str | None:
        """The public holiday on `day` by law (its Vietnamese name), as the package knows it."""
        name = self._public.get(day)
        return str(name) if name else None

    def holiday(self, day: date) -> str | None:
        """Why `day` is off for everyone whatever the weekday: a province day off or a public holiday.
        A weekend day is not a holiday (training may run on a Saturday; never on Tết)."""
        if day in self.worked:
            return None
        return self.days_off.get(day) or self.public_holiday(day)

    def day_off(self, day: date) -> str | None:
        """Why `day` is not a working day — the holiday's name, or "Thứ Bảy" / "Chủ nhật" — or None
        when it is one."""
        if day in self.worked:
            return None
        return self.holiday(day) or WEEKEND_VI.get(day.weekday())

    def is_working_day(self, day: date) -> bool:
        return self.day_off(day) is None

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after `day` (before it when `count` is negative)."""
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining > 0:
            day += step
            remaining -= self.is_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> list[date]:
        """Every working day from `start` to `end`, both included."""
        days, day = [], start
        while day <= end:
            if self.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def next_window(
        self, at: datetime, opens: time, closes: time, working_days_only: bool = True
    ) -> datetime:
        """The first instant ≥ `at` (UTC) inside the sending window giờ Việt Nam: between `opens` and
        `closes`, on a working day if asked."""
        local = at.astimezone(VIETNAM)
        day = local.date()
        for _ in range(400):
            if not working_days_only or self.is_working_day(day):
                start = datetime.combine(day, opens, tzinfo=VIETNAM)
                end = datetime.combine(day, closes, tzinfo=VIETNAM)
                if local < start:
                    return start.astimezone(UTC)
                if local < end:
                    return local.astimezone(UTC)
            day += timedelta(days=1)
            local = datetime.combine(day, time(0), tzinfo=VIETNAM)
        raise AssertionError("no sending window within 400 days")


def _entries(path: Path, raw: dict[str, Any], section: str) -> dict[date, str]:
    """One section's entries by date, each checked on its own so the error names it."""
    entries = raw.get(section) or []  # an empty section reads as ""
    if not isinstance(entries, list):
        raise WorkdaysFileError(f"{path}: {section}: expected a list of {{date, reason}} entries")
    found: dict[date, str] = {}
    for index, entry in enumerate(entries):
        where = f"{path}: {section}[{index}]"
        try:
            override = Override.model_validate(entry)
        except ValidationError as exc:
            label = entry.get("date", entry) if isinstance(entry, dict) else entry
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}" for e in exc.errors()
            )
            raise WorkdaysFileError(f"{where} ({label}): {problems}") from None
        if override.date in found:
            raise WorkdaysFileError(f"{where}: {override.date:%d/%m/%Y} is listed twice")
        found[override.date] = override.reason
    return found


def _check(path: Path, calendar: WorkingDays) -> None:
    """An entry that would change nothing, or contradict the law, is a mistake: say which."""
    for index, (day, _reason) in enumerate(calendar.worked.items()):
        where = f"{path}: working_days[{index}] ({day:%d/%m/%Y})"
        if day in calendar.days_off:
            raise WorkdaysFileError(f"{where}: the same day is also listed under days_off")
        if day.weekday() < 5:
            raise WorkdaysFileError(
                f"{where}: a {WEEKDAY_EN[day.weekday()]} is a working day already; list only the "
                "Saturdays and Sundays worked in exchange for a day off"
            )
        if name := calendar.public_holiday(day):
            raise WorkdaysFileError(f"{where}: a public holiday ({name}) cannot be made a working day")
    for index, day in enumerate(calendar.days_off):
        if day.weekday() >= 5:
            raise WorkdaysFileError(
                f"{path}: days_off[{index}] ({day:%d/%m/%Y}): a {WEEKDAY_EN[day.weekday()]} is off "
                "already; list only the weekdays given off"
            )


def load(path: Path = WORKDAYS_FILE) -> WorkingDays:
    """The calendar from the province's file; WorkdaysFileError naming the file and the entry when it
    cannot be used, so a service refuses to start rather than count days wrongly."""
    try:
        # Every scalar as text: dates are read by the entry's model, so 2025-02-30 names its entry.
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
    except OSError as exc:
        raise WorkdaysFileError(f"{path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise WorkdaysFileError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise WorkdaysFileError(f"{path}: expected the sections {' and '.join(SECTIONS)}")
    unknown = sorted(str(k) for k in raw if k not in SECTIONS)
    if unknown:
        raise WorkdaysFileError(
            f"{path}: unknown section {', '.join(unknown)} (expected {' and '.join(SECTIONS)})"
        )
    calendar = WorkingDays(_entries(path, raw, "days_off"), _entries(path, raw, "working_days"))
    _check(path, calendar)
    return calendar
