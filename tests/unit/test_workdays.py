"""The one calendar of working days: Vietnam's public holidays for any year, the province's own days
off and weekend days worked, why a day is off, counting working days, sending windows giờ Việt Nam,
and a calendar file that stops a service at start, naming the entry, when it is wrong."""

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml

from services.common import workdays
from services.common.workdays import WorkdaysFileError
from services.training.app import build as build_training
from services.training.settings import TrainingSettings

CALENDAR = workdays.load()


def test_tet_2027_is_off_though_no_table_lists_it() -> None:
    tet = [date(2027, 2, 4) + timedelta(days=n) for n in range(7)]  # 29 Tết to mùng 5
    assert [CALENDAR.is_working_day(d) for d in tet] == [False] * 7
    assert CALENDAR.day_off(date(2027, 2, 6)) == "Tết Nguyên Đán"
    assert CALENDAR.add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)


def test_quoc_khanh_and_weekends_say_why_they_are_off() -> None:
    assert CALENDAR.day_off(date(2022, 9, 2)) == "Quốc khánh"
    assert CALENDAR.day_off(date(2022, 9, 1)) == "Quốc khánh"
    assert CALENDAR.day_off(date(2022, 10, 29)) == "Thứ Bảy"
    assert CALENDAR.day_off(date(2022, 10, 30)) == "Chủ nhật"
    assert CALENDAR.day_off(date(2022, 4, 11)) == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"
    assert CALENDAR.day_off(date(2022, 9, 5)) is None
    assert (
        workdays.day_off_phrase(date(2022, 9, 2), "Quốc khánh") == "ngày 02/09/2022 là ngày nghỉ (Quốc khánh)"
    )


def test_a_saturday_worked_in_exchange_is_a_working_day_and_its_day_off_is_not() -> None:
    assert CALENDAR.is_working_day(date(2025, 4, 26)), "làm bù cho ngày 02/05/2025"
    assert CALENDAR.day_off(date(2025, 5, 2)) == "Ngày nghỉ (thay cho ngày 26/04/2025)"
    assert CALENDAR.holiday(date(2025, 4, 26)) is None
    # Friday 25/04/2025 + 1 working day is that Saturday, not Monday.
    assert CALENDAR.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)


def test_every_day_off_in_exchange_the_package_knows_has_its_saturday_worked_in_the_shipped_file() -> None:
    """The package names the day given off ("thay cho ngày 26/04/2025") but not the day worked: the
    province's file must list each, or that Saturday would count as a day off."""
    import holidays

    listed = yaml.safe_load(workdays.WORKDAYS_FILE.read_text(encoding="utf-8"))["working_days"]
    worked = {entry["date"] for entry in listed}
    for year in range(2022, 2028):
        for name in holidays.country_holidays("VN", years=year, language="vi").values():
            if found := re.search(r"thay cho ngày (\d\d/\d\d/\d{4})", name):
                assert datetime.strptime(found[1], "%d/%m/%Y").date() in worked, name


def test_a_province_day_off_is_off_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "workdays.yaml"
    path.write_text(
        "days_off:\n  - {date: 2027-02-11, reason: Nghỉ Tết theo phương án của tỉnh}\nworking_days: []\n",
        encoding="utf-8",
    )
    calendar = workdays.load(path)
    assert calendar.day_off(date(2027, 2, 11)) == "Nghỉ Tết theo phương án của tỉnh"
    assert calendar.holiday(date(2027, 2, 11)) == "Nghỉ Tết theo phương án của tỉnh"
    assert calendar.add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 12)


def test_counting_working_days_skips_weekends_and_holidays_both_ways() -> None:
    # Wednesday 31/8/2022 + 1: 1/9 and 2/9 are Quốc khánh, 3–4/9 a weekend → Monday 5/9.
    assert CALENDAR.add_working_days(date(2022, 8, 31), 1) == date(2022, 9, 5)
    assert CALENDAR.add_working_days(date(2022, 1, 28), 2) == date(2022, 2, 8)  # over Tết
    assert CALENDAR.add_working_days(date(2022, 10, 30), -1) == date(2022, 10, 28)  # the Friday before
    assert CALENDAR.working_days_between(date(2022, 8, 31), date(2022, 9, 5)) == [
        date(2022, 8, 31),
        date(2022, 9, 5),
    ]


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2022-05-10T03:00:00+00:00", "2022-05-10T03:00:00+00:00"),  # 10:00 Tuesday: now
        ("2022-05-10T15:30:00+00:00", "2022-05-11T00:00:00+00:00"),  # 22:30 → 07:00 next day
        ("2022-05-10T23:30:00+00:00", "2022-05-11T00:00:00+00:00"),  # 06:30 → 07:00
        ("2022-09-01T02:00:00+00:00", "2022-09-05T00:00:00+00:00"),  # holidays and weekend → Monday
        ("2027-02-03T16:00:00+00:00", "2027-02-11T00:00:00+00:00"),  # 23:00 before Tết 2027 → after it
    ],
)
def test_messages_wait_for_the_sending_window(at: str, expected: str) -> None:
    when = CALENDAR.next_window(datetime.fromisoformat(at), time(7), time(22))
    assert when == datetime.fromisoformat(expected) and when.tzinfo == UTC


OFF, WORKED = "days_off:\n  - ", "working_days:\n  - "


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (OFF + "{date: 30/04/2025, reason: x}", r"days_off\[0\] \(30/04/2025\): date: Input should be"),
        (OFF + "{date: 2025-02-30, reason: x}", r"days_off\[0\] \(2025-02-30\): date: Input should be"),
        (OFF + "{date: [2025, reason: x}", "not valid YAML"),
        (OFF + "{date: 2025-06-02}", r"days_off\[0\] \(2025-06-02\): reason: Field required"),
        (OFF + "{date: 2025-06-02, reason: ''}", r"days_off\[0\] .*reason: String should have"),
        (OFF + f"{{date: 2025-06-02, reason: {'x' * 61}}}", r"days_off\[0\] .*at most 60"),
        (OFF + "{date: 2025-06-02, reason: a, note: b}", r"days_off\[0\] .*note: Extra inputs"),
        (OFF + "{date: 2025-06-07, reason: x}", r"days_off\[0\] \(07/06/2025\): a Saturday is off"),
        (
            OFF + "{date: 2025-06-02, reason: a}\n  - {date: 2025-06-02, reason: b}",
            r"days_off\[1\]: 02/06/2025 is listed twice",
        ),
        (WORKED + "{date: 2025-04-28, reason: x}", r"working_days\[0\] \(28/04/2025\): a Monday"),
        (
            WORKED + "{date: 2022-04-30, reason: x}",
            r"working_days\[0\] \(30/04/2022\): a public holiday \(Ngày Chiến thắng\)",
        ),
        (
            OFF + "{date: 2025-06-02, reason: a}\n" + WORKED + "{date: 2025-06-02, reason: b}",
            r"working_days\[0\] \(02/06/2025\): the same day is also listed under days_off",
        ),
        ("holidays:\n  - 2025-06-02", "unknown section holidays"),
        ("days_off: 2025-06-02", "days_off: expected a list"),
        ("- 2025-06-02", "expected the sections days_off and working_days"),
    ],
)
def test_a_wrong_entry_is_refused_naming_the_file_and_the_entry(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "workdays.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(WorkdaysFileError, match=re.escape(str(path)) + ".*" + says):
        workdays.load(path)


def test_every_service_reads_one_unprefixed_setting_and_will_not_start_with_a_wrong_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "workdays.yaml"
    path.write_text("working_days:\n  - {date: 2025-04-28, reason: Làm bù}\n", encoding="utf-8")
    monkeypatch.setenv("EISO_WORKDAYS_FILE", str(path))
    settings = TrainingSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'training.db'}")
    assert settings.workdays_file == path
    with pytest.raises(WorkdaysFileError, match=r"working_days\[0\] \(28/04/2025\)"):
        build_training(settings)
