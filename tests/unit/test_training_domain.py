"""Training rules as pure functions: the window, clashes, seats, quotas, the waiting list, completion,
and the calendar a person imports."""

from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar

from contracts.training import EnrolmentStatus, SessionData
from contracts.vocabulary import Level
from services.common import workdays
from services.training import domain, ics
from services.training.domain import Booking, Day, Quota, RefusalError, Seat, SeatRules

CONFIRMED, WAITLISTED = EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED
MORNING = (time(8, 0), time(11, 30))
COMMUNE_OF_36 = domain.groups_of("C1", Level.COMMUNE, "000.00.36.H59")
DEPARTMENT = domain.groups_of("D1", Level.DEPARTMENT, None)
CALENDAR = workdays.load()


def day(on: str, starts: time = MORNING[0], ends: time = MORNING[1]) -> Day:
    return Day(date.fromisoformat(on), starts, ends)


def seat(n: int, status: EnrolmentStatus, groups: frozenset[str] = DEPARTMENT, agency: str = "") -> Seat:
    return Seat(f"E{n}", agency or f"A{n}", groups, status, n)


def test_a_session_outside_the_training_window_is_refused_with_the_window_named() -> None:
    with pytest.raises(RefusalError) as refused:
        domain.check_days([day("2022-03-30")], date(2022, 4, 1), date(2022, 10, 31), CALENDAR)
    assert refused.value.field == "days.0.on"
    assert str(refused.value) == "ngày 30/03/2022 nằm ngoài đợt đào tạo năm 2022 (01/04/2022–31/10/2022)"


@pytest.mark.parametrize(
    ("on", "why"),
    [
        ("2022-09-02", "Quốc khánh"),
        ("2022-04-30", "Ngày Chiến thắng"),
        ("2022-05-03", "Ngày Quốc tế Lao động (nghỉ bù)"),
    ],
)
def test_a_session_on_a_holiday_is_refused_naming_the_day_and_the_holiday(on: str, why: str) -> None:
    days = [day("2022-08-31"), day(on)]
    with pytest.raises(RefusalError) as refused:
        domain.check_days(days, date(2022, 4, 1), date(2022, 10, 31), CALENDAR)
    assert refused.value.field == "days.1.on"
    shown = date.fromisoformat(on).strftime("%d/%m/%Y")
    assert str(refused.value) == f"ngày {shown} là ngày nghỉ ({why}): không mở lớp vào ngày nghỉ"


def test_a_session_on_a_plain_saturday_is_allowed() -> None:
    domain.check_days([day("2022-09-03"), day("2022-09-04")], date(2022, 4, 1), date(2022, 10, 31), CALENDAR)


def test_a_venue_or_trainer_in_two_places_at_once_is_a_conflict() -> None:
    other = Booking("S1", "Hội trường Sở KH&CN", "ThS. Lê Văn Tâm", (day("2022-05-10"),))
    with pytest.raises(RefusalError) as venue:
        domain.check_clash(
            "hội trường sở KH&CN", "Bà Hoa", [day("2022-05-10", time(11, 0), time(12, 0))], [other]
        )
    assert (venue.value.field, venue.value.conflict) == ("venue", True)
    assert "10/05/2022 08:00–11:30 (giờ Việt Nam)" in str(venue.value)
    with pytest.raises(RefusalError) as trainer:
        domain.check_clash("Phòng họp UBND huyện", "ThS. Lê Văn Tâm", [day("2022-05-10")], [other])
    assert trainer.value.field == "trainer"
    domain.check_clash(
        "Hội trường Sở KH&CN", "Bà Hoa", [day("2022-05-10", time(13, 30), time(17, 0))], [other]
    )


def test_seats_go_in_order_then_the_waiting_list_grows() -> None:
    rules = SeatRules(capacity=2)
    assert domain.place("A1", DEPARTMENT, [], rules).status == CONFIRMED
    full = [seat(1, CONFIRMED), seat(2, CONFIRMED), seat(3, WAITLISTED)]
    placed = domain.place("A9", DEPARTMENT, full, rules)
    assert (placed.status, placed.waitlist_position, placed.reason) == (WAITLISTED, 2, "lớp đã đủ chỗ")


def test_a_quota_caps_seats_for_its_district_only() -> None:
    rules = SeatRules(capacity=10, quotas=(Quota(seats=1, district="000.00.36.H59"),))
    taken = [seat(1, CONFIRMED, COMMUNE_OF_36)]
    assert domain.place("C2", COMMUNE_OF_36, taken, rules).status == WAITLISTED
    assert domain.place("D2", DEPARTMENT, taken, rules).status == CONFIRMED


def test_an_agency_over_its_limit_is_refused() -> None:
    rules = SeatRules(capacity=10, per_agency_limit=2)
    mine = [seat(1, CONFIRMED, agency="A"), seat(2, WAITLISTED, agency="A")]
    with pytest.raises(RefusalError) as refused:
        domain.place("A", DEPARTMENT, mine, rules)
    assert refused.value.conflict and "đủ 2 người" in str(refused.value)


def test_a_freed_seat_goes_to_the_first_who_waits_and_fits_the_quota() -> None:
    rules = SeatRules(capacity=2, quotas=(Quota(seats=1, level=Level.COMMUNE),))
    seats = [
        seat(1, CONFIRMED, COMMUNE_OF_36),
        seat(2, EnrolmentStatus.CANCELLED),
        seat(3, WAITLISTED, COMMUNE_OF_36),  # first in line, but the commune quota is used
        seat(4, WAITLISTED),
        seat(5, WAITLISTED),
    ]
    assert domain.promotions(seats, rules) == ["E4"]


def test_an_enrolment_moves_forward_only_and_a_cancelled_or_completed_one_stays_as_it_is() -> None:
    cancelled, completed = EnrolmentStatus.CANCELLED, EnrolmentStatus.COMPLETED
    allowed = {(a, b) for a in EnrolmentStatus for b in EnrolmentStatus if domain.may_become(a, b)}
    assert allowed == {
        (WAITLISTED, CONFIRMED),  # a seat freed
        (WAITLISTED, cancelled),
        (CONFIRMED, completed),  # enough days attended
        (CONFIRMED, cancelled),
    }
    with pytest.raises(RefusalError) as refused:
        domain.check_transition("E1", completed, cancelled)
    assert (refused.value.field, str(refused.value), refused.value.conflict) == (
        "enrolment_id",
        "đăng ký E1 đã hoàn thành khóa học",
        True,
    )


def test_completion_needs_the_required_days_attended_late_counts_absent_does_not() -> None:
    days = [day("2022-05-10"), day("2022-05-11"), day("2022-05-12")]
    marks = {date(2022, 5, 10): "present", date(2022, 5, 11): "absent", date(2022, 5, 12): "late"}
    assert domain.completion(days, marks, None) is None
    assert domain.completion(days, marks, 2) == date(2022, 5, 12)
    assert domain.completion(days, marks | {date(2022, 5, 11): "excused"}, 3) is None


def session(revision: int = 1) -> SessionData:
    return SessionData(
        session_id="S1",
        revision=revision,
        course_code="ISO-NT",
        course_title_vi="Nhận thức TCVN ISO 9001:2015",
        days=[day("2022-05-10").contract(), day("2022-05-11", time(13, 30), time(17, 0)).contract()],
        venue="Hội trường Sở KH&CN",
        trainer="ThS. Lê Văn Tâm",
        capacity=30,
        seats_taken=3,
    )


def test_the_calendar_parses_back_with_vietnamese_local_times_and_a_vtimezone() -> None:
    parsed = Calendar.from_ical(ics.calendar_of("Lịch", [session()], datetime(2022, 5, 1, tzinfo=UTC)))
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    events = parsed.walk("VEVENT")
    starts = [e.decoded("dtstart") for e in events]
    assert [s.strftime("%d/%m %H:%M %z") for s in starts] == ["10/05 08:00 +0700", "11/05 13:30 +0700"]
    assert starts[0].astimezone(UTC) == datetime(2022, 5, 10, 1, 0, tzinfo=UTC)
    assert str(events[0]["location"]) == "Hội trường Sở KH&CN"
    assert "08:00–11:30 (giờ Việt Nam)" in str(events[0]["description"])


def test_the_utc_calendar_has_the_same_instants() -> None:
    parsed = Calendar.from_ical(
        ics.calendar_of("Lịch", [session()], datetime(2022, 5, 1, tzinfo=UTC), utc=True)
    )
    assert not parsed.walk("VTIMEZONE")
    start = parsed.walk("VEVENT")[1].decoded("dtstart")
    assert (start.utcoffset(), start.astimezone(UTC)) == (
        UTC.utcoffset(None),
        datetime(2022, 5, 11, 6, 30, tzinfo=UTC),
    )
    assert "13:30–17:00 (giờ Việt Nam)" in str(parsed.walk("VEVENT")[1]["description"])
