"""What a person types into the portal's forms, read as people here write it, and a service's
refusal put back beside its field, in Vietnamese."""

from datetime import date

import pytest

from services.portal.clients import ApiError
from services.portal.forms import DayError, FormErrors, parse_day, vietnamese
from services.portal.pages.training_admin import SESSION_FIELDS, session_field


@pytest.mark.parametrize(
    ("typed", "read"),
    [("15/05/2022", date(2022, 5, 15)), (" 1/2/2022 ", date(2022, 2, 1)), ("2022-10-30", date(2022, 10, 30))],
)
def test_a_day_is_read_as_day_month_year(typed: str, read: date) -> None:
    assert parse_day(typed) == read


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "Chưa điền ngày."),
        ("31/02/2022", "Ngày 31/02/2022 không tồn tại."),
        ("05/15/2022", "Ngày 05/15/2022 không tồn tại."),
        ("ngày mai", "Ngày phải viết theo dạng ngày/tháng/năm, ví dụ 30/10/2022."),
    ],
)
def test_a_day_that_is_not_one_says_why(typed: str, said: str) -> None:
    with pytest.raises(DayError, match=said):
        parse_day(typed)


def test_a_refusal_goes_beside_its_field_in_vietnamese_and_the_rest_on_top() -> None:
    refused = ApiError(
        "registry",
        422,
        [
            {
                "loc": ["body", "title"],
                "msg": "String should have at least 1 character",
                "type": "string_too_short",
            },
            {
                "loc": ["body", "occurred_on"],
                "msg": "ngày 15/05/2020 không thuộc năm 2022",
                "type": "value_error",
            },
            {"loc": ["body", "year"], "msg": "Some English only", "type": "value_error"},
            {"loc": ["path", "code"], "msg": "không có cơ quan X", "type": "value_error"},
        ],
    )
    errors = FormErrors.of(refused, {"title", "occurred_on", "year"})
    assert errors.fields == {
        "title": "Chưa điền.",
        "occurred_on": "Ngày 15/05/2020 không thuộc năm 2022.",
        "year": "Giá trị không hợp lệ.",
    }
    assert errors.general == ["Không có cơ quan X."]


def test_a_refusal_without_fields_is_still_said() -> None:
    assert FormErrors.of(ApiError("registry", 409, "changed by another request"), set()).general == [
        "Giá trị không hợp lệ."
    ]
    assert vietnamese("missing", "Field required") == "Chưa điền."


def test_a_session_refused_is_said_beside_the_schedule_forms_fields() -> None:
    detail = [
        {"loc": ["body", "days", 1, "on"], "msg": "ngày 30/04/2022 là ngày nghỉ lễ", "type": "value_error"},
        {
            "loc": ["body", "days", 0, "starts"],
            "msg": "Input should be in a valid time",
            "type": "time_parsing",
        },
        {"loc": ["body", "venue"], "msg": "Value should have at least 1 item", "type": "too_short"},
    ]
    errors = FormErrors.of(ApiError("training", 422, detail), SESSION_FIELDS, session_field)
    assert errors.fields == {
        "days": "Ngày 30/04/2022 là ngày nghỉ lễ.",
        "starts": "Giờ phải viết theo dạng giờ:phút, ví dụ 08:00.",
        "venue": "Chưa điền.",
    }
    taken = [{"loc": ["body", "trainer"], "msg": "giảng viên A đã dạy lớp khác", "type": "value_error"}]
    assert FormErrors.of(ApiError("training", 409, taken), SESSION_FIELDS).fields == {
        "trainer": "Giảng viên A đã dạy lớp khác."
    }, "a 409 naming its field, beside it"
