"""What a person types into a form, read as people here write it (dates dd/mm/yyyy), and what a
service refused, said in Vietnamese next to the field. The rules themselves stay in the services:
the portal reads and translates their answers."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from services.portal.clients import ApiError

_DAY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*$")

#: The Vietnamese of the refusals FastAPI and pydantic make in English (by their `type`); a service's
#: own refusals (their messages already in Vietnamese) are shown as they come.
PHRASES = {
    "missing": "Chưa điền.",
    "string_too_short": "Chưa điền.",
    "too_short": "Chưa điền.",  # a cleaned text field (contracts.fields.Text) left empty
    "string_too_long": "Vượt quá độ dài cho phép.",
    "int_parsing": "Phải là một số.",
    "date_from_datetime_parsing": "Ngày không hợp lệ.",
    "date_parsing": "Ngày không hợp lệ.",
    "time_parsing": "Giờ phải viết theo dạng giờ:phút, ví dụ 08:00.",
    "control_character": "Có ký tự không hợp lệ.",
}
#: For a refusal of no known type whose message is in English: what to say instead.
FALLBACK = "Giá trị không hợp lệ."
#: What pydantic puts before the message of a service's own validator (its words are after it).
VALUE_ERROR = "Value error, "


class DayError(ValueError):
    pass


def parse_day(text: str) -> date:
    """dd/mm/yyyy (or the ISO form a date picker sends) as a date; DayError saying why not."""
    if not text.strip():
        raise DayError("Chưa điền ngày.")
    if found := _DAY.match(text):
        day, month, year = (int(part) for part in found.groups())
    else:
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise DayError("Ngày phải viết theo dạng ngày/tháng/năm, ví dụ 30/10/2022.") from None
    try:
        return date(year, month, day)
    except ValueError:
        raise DayError(f"Ngày {day:02d}/{month:02d}/{year} không tồn tại.") from None


def vietnamese(kind: str, message: str) -> str:
    """A refusal's words for the person: ours for a known type, the service's own when they are
    Vietnamese (a service that knows the reason says it), else a plain "not valid"; as a sentence."""
    if kind in PHRASES:
        return PHRASES[kind]
    if not _looks_vietnamese(message):
        return FALLBACK
    sentence = message.strip().removeprefix(VALUE_ERROR)
    return sentence[:1].upper() + sentence[1:] + ("" if sentence.endswith((".", "!", "?")) else ".")


def _looks_vietnamese(text: str) -> bool:
    return any(ord(character) > 0x7F for character in text)


def _first(name: str) -> str:
    """A refused field's first part (`title` of `title`, `contacts` of `contacts.email`)."""
    return name.split(".", maxsplit=1)[0]


@dataclass
class FormErrors:
    """The form's errors by field (shown next to each field), and those that belong to no field."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    @classmethod
    def beside_fields(
        cls,
        refused: ApiError,
        known: set[str],
        field_of: Callable[[str], str] = _first,
        statuses: tuple[int, ...] = (409, 422),
    ) -> "FormErrors":
        """`of`, for a refusal a form answers (by default a conflict with what the service holds, or the
        input); any other answer goes on to the portal's error page."""
        if refused.status not in statuses:
            raise refused
        return cls.of(refused, known, field_of)

    @classmethod
    def of(
        cls,
        refused: ApiError,
        known: set[str],
        field_of: Callable[[str], str] = _first,
    ) -> "FormErrors":
        """A service's refusal, each field's part beside that form field (`known`; `field_of` names
        the form field of a refused one, by default its first part), the rest on top."""
        errors = cls()
        for name, kind, message in refused.field_errors():
            field_name = field_of(name)
            if field_name in known:
                errors.add(field_name, vietnamese(kind, message))
            else:
                errors.general.append(vietnamese(kind, message))
        if not errors:
            detail = refused.detail if isinstance(refused.detail, str) else ""
            errors.general.append(vietnamese("", detail) if detail else "Chưa lưu được, đề nghị thử lại.")
        return errors
