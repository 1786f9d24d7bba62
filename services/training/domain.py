"""Training rules, free of I/O: when a session may run, who gets a seat, who waits, who completed.

A seat is decided under the session's lock (`store.TrainingSessions.get(..., lock=True)`), so these functions
see every enrolment of the session and never sell one seat twice.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from contracts.training import ENROLMENT_STATUS_VI, EnrolmentStatus, SessionDay
from contracts.vocabulary import LEVEL_TIER_VI, Level
from services.common.workdays import WorkingDays, day_off_phrase
from services.training.windows import Windows

VN = ZoneInfo("Asia/Ho_Chi_Minh")
#: Attendance marks that count as having attended the day.
ATTENDED = frozenset({"present", "late"})


class RefusalError(ValueError):
    """A request the rules refuse; `field` names what to change, `conflict` says 409 rather than 422."""

    def __init__(self, field: str, message: str, conflict: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.conflict = conflict


class NotFoundError(LookupError):
    """Nothing by that identifier (404); `field` names the path parameter, `what` the thing looked for."""

    def __init__(self, field: str, what: str) -> None:
        super().__init__(f"không có {what}")
        self.field = field


STATUS_VI = ENROLMENT_STATUS_VI
#: Where an enrolment may go from each status: a place on the waiting list is confirmed (a seat freed)
#: or given up; a confirmed seat is completed (enough days attended) or given up; a cancelled or
#: completed enrolment stays as it is (a certificate was issued, or the seat went to someone else).
TRANSITIONS: dict[EnrolmentStatus, frozenset[EnrolmentStatus]] = {
    EnrolmentStatus.WAITLISTED: frozenset({EnrolmentStatus.CONFIRMED, EnrolmentStatus.CANCELLED}),
    EnrolmentStatus.CONFIRMED: frozenset({EnrolmentStatus.COMPLETED, EnrolmentStatus.CANCELLED}),
    EnrolmentStatus.CANCELLED: frozenset(),
    EnrolmentStatus.COMPLETED: frozenset(),
}
#: Those who attend a session: with a seat, also once completed (a later day's attendance still counts,
#: and the session stays on their agency's calendar).
ATTENDING = frozenset({EnrolmentStatus.CONFIRMED, EnrolmentStatus.COMPLETED})
#: Those who hold a place: a seat, or a place on the waiting list.
HOLDING_A_PLACE = frozenset({EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED})


def may_become(current: EnrolmentStatus, new: EnrolmentStatus) -> bool:
    """Whether an enrolment in `current` may move to `new`."""
    return new in TRANSITIONS[current]


def check_transition(enrolment_id: str, current: EnrolmentStatus, new: EnrolmentStatus) -> None:
    """Refuse (409) moving an enrolment from `current` to `new` where that is not allowed, saying what
    state it is in."""
    if not may_become(current, new):
        raise RefusalError("enrolment_id", f"đăng ký {enrolment_id} {STATUS_VI[current]}", conflict=True)


@dataclass(frozen=True)
class Day:
    """One day of a session, in wall-clock time giờ Việt Nam."""

    on: date
    starts: time
    ends: time

    def instants(self) -> tuple[datetime, datetime]:
        """The day's start and end in UTC (what travels on the wire)."""
        return tuple(  # type: ignore[return-value]
            datetime.combine(self.on, t, tzinfo=VN).astimezone(UTC) for t in (self.starts, self.ends)
        )

    def contract(self) -> SessionDay:
        starts_at, ends_at = self.instants()
        return SessionDay(
            on=self.on, starts=self.starts, ends=self.ends, starts_at=starts_at, ends_at=ends_at
        )

    def label(self) -> str:
        return f"{self.on:%d/%m/%Y} {self.starts:%H:%M}–{self.ends:%H:%M}"


@dataclass(frozen=True)
class Booking:
    """Another session's use of a venue and a trainer."""

    session_id: str
    venue: str
    trainer: str
    days: tuple[Day, ...]


def check_days(days: Sequence[Day], window_start: date, window_end: date, calendar: WorkingDays) -> None:
    """Each day inside the year's training window and not a public holiday or province day off. A
    Saturday or Sunday is allowed: provinces train commune officers at weekends, when they can leave
    their office; nobody trains on Tết or Quốc khánh."""
    if not days:
        raise RefusalError("days", "lớp học cần ít nhất một ngày")
    for index, day in enumerate(days):
        if day.ends <= day.starts:
            raise RefusalError(
                f"days.{index}.ends", f"ngày {day.on:%d/%m/%Y}: giờ kết thúc phải sau giờ bắt đầu"
            )
        if not window_start <= day.on <= window_end:
            raise RefusalError(
                f"days.{index}.on",
                f"ngày {day.on:%d/%m/%Y} nằm ngoài đợt đào tạo năm {window_start.year} "
                f"({window_start:%d/%m/%Y}–{window_end:%d/%m/%Y})",
            )
        if reason := calendar.holiday(day.on):
            raise RefusalError(
                f"days.{index}.on", f"{day_off_phrase(day.on, reason)}: không mở lớp vào ngày nghỉ"
            )
    if len({d.on for d in days}) != len(days):
        raise RefusalError("days", "mỗi ngày chỉ ghi một lần")


@dataclass(frozen=True)
class Timetable:
    """When sessions may run: each campaign year's training window and the province's days off."""

    windows: Windows
    calendar: WorkingDays

    def check(self, days: Sequence[Day]) -> None:
        """`check_days` against the window of the year of the first day."""
        if days:
            window = self.windows.of(min(d.on for d in days).year)
            check_days(days, window.start, window.end, self.calendar)


def check_enough_days(required_days: int | None, days: Sequence[Day]) -> None:
    """A session must have enough days for its course to be completed (None: every day counts)."""
    if required_days and required_days > len(days):
        raise RefusalError("days", f"khóa học cần {required_days} ngày, lớp chỉ có {len(days)} ngày")


def overlaps(a: Day, b: Day) -> bool:
    return a.on == b.on and a.starts < b.ends and b.starts < a.ends


def check_clash(venue: str, trainer: str, days: Sequence[Day], others: Iterable[Booking]) -> None:
    """A venue or a trainer is never in two sessions at once."""
    for other in others:
        for day in days:
            for theirs in other.days:
                if not overlaps(day, theirs):
                    continue
                if other.venue.casefold() == venue.casefold():
                    raise RefusalError(
                        "venue", f"địa điểm {venue} đã có lớp khác {theirs.label()} (giờ Việt Nam)", True
                    )
                if other.trainer.casefold() == trainer.casefold():
                    raise RefusalError(
                        "trainer",
                        f"giảng viên {trainer} đã dạy lớp khác {theirs.label()} (giờ Việt Nam)",
                        True,
                    )


@dataclass(frozen=True)
class Quota:
    """At most `seats` confirmed places for agencies of one district or one level."""

    seats: int
    district: str | None = None
    level: Level | None = None

    def covers(self, groups: frozenset[str]) -> bool:
        return (self.district is not None and f"district:{self.district}" in groups) or (
            self.level is not None and f"level:{self.level.value}" in groups
        )


def groups_of(code: str, level: Level, parent_code: str | None) -> frozenset[str]:
    """The quota groups an agency falls in: its level, and its district (itself, or a commune's)."""
    groups = {f"level:{level.value}"}
    if level == Level.DISTRICT:
        groups.add(f"district:{code}")
    elif level == Level.COMMUNE and parent_code:
        groups.add(f"district:{parent_code}")
    return frozenset(groups)


@dataclass(frozen=True)
class Seat:
    """An enrolment as seat allocation needs it."""

    enrolment_id: str
    agency_code: str
    groups: frozenset[str]
    status: EnrolmentStatus
    seq: int = 0


@dataclass(frozen=True)
class SeatRules:
    capacity: int
    quotas: tuple[Quota, ...] = ()
    per_agency_limit: int | None = None


@dataclass
class Placement:
    status: EnrolmentStatus
    waitlist_position: int | None = None
    reason: str = field(default="")


def _fits(seat_groups: frozenset[str], confirmed: Sequence[Seat], rules: SeatRules) -> str | None:
    """Why a confirmed place cannot be given now (None: it can)."""
    if len(confirmed) >= rules.capacity:
        return "lớp đã đủ chỗ"
    for quota in rules.quotas:
        if quota.covers(seat_groups) and sum(quota.covers(s.groups) for s in confirmed) >= quota.seats:
            return "đã hết chỉ tiêu của " + (
                f"huyện {quota.district}"
                if quota.district or quota.level is None
                else LEVEL_TIER_VI[quota.level]
            )
    return None


def place(
    agency_code: str, seat_groups: frozenset[str], seats: Sequence[Seat], rules: SeatRules
) -> Placement:
    """A new enrolment: a confirmed seat if capacity and quotas allow, else the end of the waiting list.
    Refused when the agency already has its limit of people in the session."""
    active = [s for s in seats if s.status in HOLDING_A_PLACE]
    if rules.per_agency_limit is not None:
        mine = sum(s.agency_code == agency_code for s in active)
        if mine >= rules.per_agency_limit:
            raise RefusalError(
                "agency_code", f"cơ quan đã đăng ký đủ {rules.per_agency_limit} người cho lớp này", True
            )
    confirmed = [s for s in active if s.status == EnrolmentStatus.CONFIRMED]
    why = _fits(seat_groups, confirmed, rules)
    if why is None:
        return Placement(EnrolmentStatus.CONFIRMED)
    waiting = sum(s.status == EnrolmentStatus.WAITLISTED for s in active)
    return Placement(EnrolmentStatus.WAITLISTED, waiting + 1, why)


def promotions(seats: Sequence[Seat], rules: SeatRules) -> list[str]:
    """Who on the waiting list gets a seat now, in waiting order (the first who fits each free seat;
    someone held back by a full quota keeps their place)."""
    confirmed = [s for s in seats if s.status == EnrolmentStatus.CONFIRMED]
    promoted = []
    for waiting in sorted((s for s in seats if s.status == EnrolmentStatus.WAITLISTED), key=lambda s: s.seq):
        if _fits(waiting.groups, confirmed, rules) is None:
            promoted.append(waiting.enrolment_id)
            confirmed.append(waiting)
    return promoted


def completion(days: Sequence[Day], marks: dict[date, str], required_days: int | None) -> date | None:
    """The day the course was completed (the last attended day once enough were attended), or None."""
    needed = required_days or len(days)
    attended = sorted(d.on for d in days if marks.get(d.on) in ATTENDED)
    return attended[needed - 1] if len(attended) >= needed else None
