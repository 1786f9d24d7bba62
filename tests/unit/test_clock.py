"""The injectable clock and Vietnam's calendar day."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.common.clock import FixedClock, SystemClock, local_date, make_clock


def test_the_vietnamese_day_starts_at_17_00_utc() -> None:
    assert local_date(datetime(2022, 10, 30, 16, 59, tzinfo=UTC)) == date(2022, 10, 30)
    assert local_date(datetime(2022, 10, 30, 17, 0, tzinfo=UTC)) == date(2022, 10, 31)


def test_a_fixed_clock_stands_still_in_utc_until_moved() -> None:
    clock = FixedClock(datetime(2022, 10, 30, 23, 0, tzinfo=timezone(timedelta(hours=7))))
    assert clock.now() == datetime(2022, 10, 30, 16, 0, tzinfo=UTC)
    assert clock.now() == clock.now()
    clock.set(datetime(2022, 10, 31, tzinfo=UTC))
    assert clock.now().day == 31
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2022, 10, 31))


def test_settings_choose_the_clock() -> None:
    fixed = datetime(2022, 6, 1, tzinfo=UTC)
    assert make_clock(fixed).now() == fixed
    assert isinstance(make_clock(None), SystemClock)
    assert make_clock(None).now().tzinfo is UTC


def test_a_running_clock_starts_where_told_and_moves_on() -> None:
    start = datetime(2022, 9, 30, 2, 0, tzinfo=UTC)
    clock = make_clock(None, start)
    first = clock.now()
    assert start <= first < start + timedelta(seconds=5)
    assert clock.now() >= first
