"""What a person receives: unaccented GSM-7 SMS with their parts counted, and templates that fit
(working days and sending windows: test_workdays.py)."""

from pathlib import Path

import pytest

from services.notifier import sms, templates
from services.notifier.sms import SmsTextError
from services.notifier.templates import TemplateFileError


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


def test_a_message_stored_before_the_deadline_note_existed_still_renders() -> None:
    """A message keeps the context it was made with: one queued by an older notifier has no
    deadline_off slot, and must still go out, saying nothing of days off."""
    older = {k: v for k, v in templates.SAMPLE.items() if k not in templates.OPTIONAL}
    rendered = templates.load().render("deadline-approaching", older)
    assert "ngay nghi" not in rendered.sms and "trước thời hạn" in rendered.text
