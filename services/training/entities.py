"""What the training service keeps, as its repositories give and take it: courses, sessions, enrolments
and certificates. These are its own records, not the wire contracts (`contracts.training`): a session
here holds its quotas and enrolment dates, which its topic does not carry, and no count of seats (that
is read from its enrolments)."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from contracts.training import EnrolmentStatus, TrainingRole
from services.training.domain import Booking, Day, Quota, SeatRules, check_transition


@dataclass(frozen=True)
class Course:
    code: str
    title_vi: str
    #: Days to attend to complete; None means every day of the session.
    required_days: int | None
    created_at: datetime


def to_the_minute(moment: time) -> time:
    return moment.replace(second=0, microsecond=0)


def kept_days(days: Iterable[Day]) -> tuple[Day, ...]:
    """Days in calendar order and to the minute: as a session keeps them (and so tells them)."""
    return tuple(
        Day(d.on, to_the_minute(d.starts), to_the_minute(d.ends)) for d in sorted(days, key=lambda d: d.on)
    )


@dataclass(frozen=True)
class Session:
    """A planned session of a course. `days` are in calendar order (see `kept_days`)."""

    id: str
    revision: int
    course_code: str
    days: tuple[Day, ...]
    venue: str
    trainer: str
    capacity: int
    quotas: tuple[Quota, ...]
    per_agency_limit: int | None
    enrol_opens_on: date
    enrol_closes_on: date
    cancelled: bool
    note: str | None
    updated_at: datetime

    @property
    def first_day(self) -> date:
        return self.days[0].on

    @property
    def last_day(self) -> date:
        return self.days[-1].on

    def starts_at(self) -> datetime:
        """When its first day starts, UTC."""
        return self.days[0].instants()[0]

    def seat_rules(self) -> SeatRules:
        return SeatRules(capacity=self.capacity, quotas=self.quotas, per_agency_limit=self.per_agency_limit)

    def booking(self) -> Booking:
        """Its use of a venue and a trainer, as a clash check sees it."""
        return Booking(self.id, self.venue, self.trainer, self.days)


@dataclass(frozen=True)
class Enrolment:
    """One person's place in a session: a seat, a place on the waiting list, or what became of it."""

    id: str
    session_id: str
    agency_code: str
    person_name: str
    role: TrainingRole
    status: EnrolmentStatus
    #: Order of arrival within the session: the waiting list's order.
    seq: int
    created_at: datetime
    updated_at: datetime

    def becoming(self, status: EnrolmentStatus, now: datetime) -> "Enrolment":
        """This enrolment moved to `status` at `now`; refused (409) where its status may not go there."""
        check_transition(self.id, self.status, status)
        return replace(self, status=status, updated_at=now)


@dataclass(frozen=True)
class Certificate:
    """What a completion certifies, kept as it was on the day (a later renaming changes nothing)."""

    code: str
    enrolment_id: str
    person_name: str
    agency_code: str
    agency_name: str
    course_title_vi: str
    completed_on: date
    issued_at: datetime
