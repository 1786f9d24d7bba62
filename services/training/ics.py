"""Calendars (RFC 5545) of training sessions: what an agency's staff import into Outlook or Google.

One VEVENT per session day. By default times carry TZID=Asia/Ho_Chi_Minh with its VTIMEZONE (what
people read); `utc` gives the same instants in UTC for clients that mishandle time zones. Either way
the description states the wall-clock time "(giờ Việt Nam)", as the messages do.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event

from contracts.training import SessionData
from services.training.domain import VN

PRODID = "-//eiso//Lịch đào tạo ISO điện tử//VI"


def calendar_of(name: str, sessions: Iterable[SessionData], stamp: datetime, utc: bool = False) -> bytes:
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for session in sessions:
        for number, day in enumerate(session.days, start=1):
            event = Event()
            event.add("uid", f"{session.session_id}-{number}@eiso")
            event.add("sequence", session.revision - 1)
            event.add("dtstamp", stamp.astimezone(UTC))
            starts, ends = day.starts_at, day.ends_at
            event.add("dtstart", starts.astimezone(UTC if utc else VN))
            event.add("dtend", ends.astimezone(UTC if utc else VN))
            event.add("summary", f"{session.course_title_vi} (ngày {number}/{len(session.days)})")
            event.add("location", session.venue)
            event.add(
                "description",
                f"{day.on:%d/%m/%Y}, {day.starts:%H:%M}–{day.ends:%H:%M} (giờ Việt Nam). "
                f"Giảng viên: {session.trainer}.",
            )
            event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
            calendar.add_component(event)
    if not utc:
        calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
