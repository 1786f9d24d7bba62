"""Vietnamese phone numbers, parsed and validated with `phonenumbers` (region VN): what the registry
accepts and the notifier sends SMS to."""

import re
from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

#: What a person may type around the digits: spaces, dots, dashes, brackets and a leading +.
#: Anything else (letters, "ext", "máy lẻ") is refused rather than silently dropped by the parser.
PHONE_PATTERN = r"^\+?[0-9 .()\-]+$"
_PHONE_CHARACTERS = re.compile(PHONE_PATTERN)
PHONE_EXAMPLES = "di động 0912 345 678 hoặc +84 912 345 678, cố định (0294) 3862 123"


class PhoneKind(StrEnum):
    """Only a mobile can receive an SMS; a landline is a valid contact all the same."""

    MOBILE = "mobile"
    LANDLINE = "landline"


_KINDS = {PhoneNumberType.MOBILE: PhoneKind.MOBILE, PhoneNumberType.FIXED_LINE: PhoneKind.LANDLINE}


def parse_phone(raw: str) -> tuple[str, PhoneKind]:
    """A Vietnamese phone number in any usual spelling → its E.164 form (+84…) and its kind;
    ValueError, in Vietnamese with the accepted forms, if it is not an allocated Vietnamese mobile or
    landline number.

    `phonenumbers` knows which prefixes are allocated (074…, 080…, 052…, 055… and the old 01xx… are
    not), and reads the forms people write: 0912.345.678, 0084 912 345 678, +84 (0) 912 345 678.
    """
    refused = ValueError(f"số điện thoại {raw!r} không phải số Việt Nam hợp lệ (ví dụ: {PHONE_EXAMPLES})")
    if not _PHONE_CHARACTERS.match(raw.strip()):
        raise refused
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        raise refused from None
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != "VN":
        raise refused
    kind = _KINDS.get(phonenumbers.number_type(number))
    if kind is None:  # 1800/1900 service numbers and the like reach no one in particular
        raise ValueError(
            f"số điện thoại {raw!r} không phải số di động hay số cố định của một người "
            f"(ví dụ: {PHONE_EXAMPLES})"
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164), kind


def normalise_phone(raw: str) -> str:
    """A Vietnamese phone number in any usual spelling → E.164 (+84…); ValueError if it is not one."""
    return parse_phone(raw)[0]


def phone_kind(e164: str) -> PhoneKind | None:
    """Mobile or landline; None for a number that is not a valid Vietnamese one (one recorded before
    numbers were validated), which therefore receives no SMS."""
    try:
        return parse_phone(e164)[1]
    except ValueError:
        return None
