"""What a person receives: unaccented GSM-7 SMS with their parts counted, templates that fit, and
working days and sending windows giờ Việt Nam."""

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from services.notifier import sms, templates, workdays
from services.notifier.sms import SmsTextError
from services.notifier.templates import TemplateFileError

CALENDAR = workdays.load()


def test_sms_text_is_unaccented_including_d_with_stroke() -> None:
    assert sms.to_sms("Đồng Tháp đã cập nhật") == "Dong Thap da cap nhat"
    assert sms.to_sms("Sở KH&CN – “nhắc”…") == 'So KH&CN - "nhac"...'


def test_characters_outside_gsm7_are_refused_by_name() -> None:
    with pytest.raises(SmsTextError, match="'😀'"):
        sms.to_sms("Chúc mừng 😀")


@pytest.mark.parametrize(
    ("text", "encoding", "count"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("[" * 80, "GSM-7", 1),  # extension characters cost two
        ("[" * 81, "GSM-7", 2),
        ("đ" * 70, "UCS-2", 1),
        ("đ" * 71, "UCS-2", 2),
        ("đ" * 134, "UCS-2", 2),
        ("đ" * 135, "UCS-2", 3),
    ],
)
def test_segments_are_counted_as_carriers_bill_them(text: str, encoding: str, count: int) -> None:
    counted = sms.segments(text)
    assert (counted.encoding, counted.count) == (encoding, count)


@pytest.mark.parametrize("name", ["SOKHCN", "So KHCN TV"])
def test_a_plain_brandname_of_at_most_eleven_characters_is_accepted(name: str) -> None:
    assert sms.check_brandname(name) == name


@pytest.mark.parametrize("name", ["SOKHCNTRAVINH", "Sở KHCN", "SO#KHCN", ""])
def test_a_brandname_carriers_refuse_is_refused(name: str) -> None:
    with pytest.raises(SmsTextError):
        sms.check_brandname(name)


def test_every_shipped_template_renders_within_its_sms_parts() -> None:
    loaded = templates.load()
    for reason in loaded.reasons:
        rendered = loaded.render(reason, templates.SAMPLE)
        assert rendered.sms_segments.encoding == "GSM-7" and rendered.sms_segments.count <= 3
        assert rendered.sms.isascii() and rendered.subject and "<p>" in rendered.html


def test_the_email_is_vietnamese_and_the_html_escapes_what_it_shows() -> None:
    loaded = templates.load()
    rendered = loaded.render("deadline-approaching", templates.SAMPLE | {"agency": "Sở <Thử> & Nghiệm"})
    assert "(giờ Việt Nam)" in rendered.text and "- Đánh giá nội bộ" in rendered.text
    assert "Sở &lt;Thử&gt; &amp; Nghiệm" in rendered.html and "<Thử>" not in rendered.html


def test_a_template_too_long_for_its_parts_is_refused_when_loaded(tmp_path: Path) -> None:
    path = tmp_path / "templates.yaml"
    path.write_text(
        'long:\n  subject: "x"\n  text: "x"\n  sms: "{{ agency }} ' + "rat dai " * 60 + '"\n',
        encoding="utf-8",
    )
    with pytest.raises(TemplateFileError, match=r"long\.sms: 4 SMS parts"):
        templates.load(path)


def test_a_template_with_an_unknown_slot_is_refused_when_loaded(tmp_path: Path) -> None:
    path = tmp_path / "templates.yaml"
    path.write_text('x:\n  subject: "{{ nobody }}"\n  text: "x"\n  sms: "x"\n', encoding="utf-8")
    with pytest.raises(TemplateFileError, match="nobody"):
        templates.load(path)


def test_weekends_and_holidays_are_not_working_days() -> None:
    assert not CALENDAR.is_working_day(date(2022, 9, 2))  # Quốc khánh
    assert not CALENDAR.is_working_day(date(2022, 2, 1))  # Tết
    assert not CALENDAR.is_working_day(date(2022, 4, 11))  # Giỗ Tổ, moved from Sunday
    assert CALENDAR.is_working_day(date(2022, 9, 5))
    # Thursday 1/9/2022 + 1 working day: 1/9 and 2/9 are holidays, 3–4/9 a weekend → Monday 5/9.
    assert CALENDAR.add_working_days(date(2022, 8, 31), 1) == date(2022, 9, 5)
    assert CALENDAR.add_working_days(date(2022, 1, 28), 2) == date(2022, 2, 8)  # over Tết


def test_a_year_without_a_table_still_skips_its_fixed_holidays() -> None:
    assert not CALENDAR.is_working_day(date(2031, 9, 2)) and CALENDAR.is_working_day(date(2031, 9, 3))


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2022-05-10T03:00:00+00:00", "2022-05-10T03:00:00+00:00"),  # 10:00 Tuesday: now
        ("2022-05-10T15:30:00+00:00", "2022-05-11T00:00:00+00:00"),  # 22:30 → 07:00 next day
        ("2022-05-10T23:30:00+00:00", "2022-05-11T00:00:00+00:00"),  # 06:30 → 07:00
        ("2022-09-01T02:00:00+00:00", "2022-09-05T00:00:00+00:00"),  # holidays and weekend → Monday
    ],
)
def test_messages_wait_for_the_sending_window(at: str, expected: str) -> None:
    when = CALENDAR.next_window(datetime.fromisoformat(at), time(7), time(22))
    assert when == datetime.fromisoformat(expected) and when.tzinfo == UTC
