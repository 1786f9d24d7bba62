"""The operator's planning forms read as people here type them: inspectors one a line or separated by
commas, an optional target and day (dd/mm/yyyy); what cannot be read is said at its field, and what
is left empty is left to compliance's defaults."""

from services.portal.forms import FormErrors, vietnamese
from services.portal.pages.inspection_plan import inspectors_of, plan_body


def test_inspectors_are_one_a_line_or_separated_by_commas() -> None:
    typed = "Nguyễn Văn An\r\n Trần Thị Bình, Lê Văn Cường;\n\n"
    assert inspectors_of(typed) == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]


def test_an_empty_target_and_day_are_left_to_compliance() -> None:
    errors = FormErrors()
    values = {"inspectors": "Nguyễn Văn An", "mode": "onsite", "target": "", "as_of": ""}
    assert plan_body(2019, values, errors) == {
        "year": 2019,
        "inspectors": ["Nguyễn Văn An"],
        "mode": "onsite",
    }
    assert not errors


def test_the_day_is_read_as_day_month_year_and_the_target_as_a_number() -> None:
    errors = FormErrors()
    values = {"inspectors": "A, B", "mode": "documentary", "target": " 3 ", "as_of": "20/05/2019"}
    body = plan_body(2019, values, errors)
    assert body == {
        "year": 2019,
        "inspectors": ["A", "B"],
        "mode": "documentary",
        "target": 3,
        "as_of": "2019-05-20",
    }
    assert not errors


def test_what_cannot_be_read_is_said_at_its_field() -> None:
    errors = FormErrors()
    plan_body(2019, {"inspectors": " , ", "mode": "onsite", "target": "ba", "as_of": "30/02/2019"}, errors)
    assert errors.fields == {
        "inspectors": "Chưa điền tên cán bộ kiểm tra.",
        "target": "Số cơ quan phải là một số, ví dụ 20.",
        "as_of": "Ngày 30/02/2019 không tồn tại.",
    }


def test_a_validators_own_words_come_without_pydantics_prefix() -> None:
    said = vietnamese("value_error", "Value error, cán bộ kiểm tra 'An' có tên hai lần")
    assert said == "Cán bộ kiểm tra 'An' có tên hai lần."
