"""What the templates are filled with, free of I/O: each finding's slots, dates and times as people
read them (dd/mm/yyyy, giờ Việt Nam), a deadline that falls on a day off said so, and when a session's
reminder goes."""

from datetime import date, datetime, timedelta
from typing import Any

from contracts.compliance import DeadlineData, LaggingData, OverdueData
from contracts.inspections import MODE_VI, InspectionData
from contracts.training import InvitationData, SessionData
from contracts.vocabulary import ELEMENT_VI
from services.common.clock import VIETNAM
from services.common.workdays import WorkingDays

WEEKDAY_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
#: A reminder's course when the session is not known yet.
SOME_COURSE = "bồi dưỡng ISO"


def when(at: datetime) -> str:
    """08:00 thứ Ba 10/05/2022 — giờ Việt Nam (templates say so)."""
    local = at.astimezone(VIETNAM)
    return f"{local:%H:%M} {WEEKDAY_VI[local.weekday()]} {local:%d/%m/%Y}"


def day_before_at_eight(starts_at: datetime) -> datetime:
    """08:00 giờ Việt Nam the day before: when a session's reminder goes."""
    local = starts_at.astimezone(VIETNAM) - timedelta(days=1)
    return local.replace(hour=8, minute=0, second=0, microsecond=0)


def deadline_slots(deadline: date, calendar: WorkingDays) -> dict[str, str | None]:
    """The deadline as messages show it and, when it is not a working day, why not and the last
    working day before it, so the text can say so (the campaign's date itself does not move)."""
    off = calendar.day_off(deadline)
    return {
        "deadline": f"{deadline:%d/%m/%Y}",
        "deadline_off": off,
        "last_working_day": f"{calendar.add_working_days(deadline, -1):%d/%m/%Y}" if off else None,
    }


def deadline_approaching(data: DeadlineData, calendar: WorkingDays) -> dict[str, Any]:
    return {
        "year": data.year,
        **deadline_slots(data.deadline, calendar),
        "days_left": data.days_left,
        "missing": [ELEMENT_VI[e] for e in data.missing],
    }


def overdue(data: LaggingData | OverdueData, calendar: WorkingDays) -> dict[str, Any]:
    missing = [ELEMENT_VI[e] for e in getattr(data, "missing", [])]
    return {"year": data.year, **deadline_slots(data.deadline, calendar), "missing": missing}


def inspection(data: InspectionData) -> dict[str, Any]:
    """An inspection is announced for 08:00 giờ Việt Nam on its day."""
    at = datetime.combine(data.scheduled_on, datetime.min.time(), tzinfo=VIETNAM).replace(hour=8)
    return {"year": data.year, "when": when(at), "mode": MODE_VI[data.mode], "inspector": data.inspector}


def invitation(data: InvitationData) -> dict[str, Any]:
    return {
        "year": data.year,
        "course": data.course_title_vi or SOME_COURSE,
        "when": when(data.first_day) if data.first_day else "sắp tới",
        "reason": data.reason_vi,
    }


def session_change(data: SessionData) -> dict[str, Any]:
    """A session moved or cancelled, as those enrolled are told (and reminded of the new days)."""
    return {
        "course": data.course_title_vi,
        "when": when(data.days[0].starts_at),
        "venue": data.venue,
        "reason": data.note or "",
    }


def reminder(first_day: datetime, course: str | None, venue: str | None) -> dict[str, Any]:
    """A session's reminder; a session not read yet is "bồi dưỡng ISO" with no venue."""
    return {
        "course": SOME_COURSE if course is None else course,
        "when": when(first_day),
        "venue": "" if venue is None else venue,
    }
