"""Vietnamese text and phone numbers: what search, import and SMS all need the same way."""

import re
import unicodedata
from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from contracts.text import INVISIBLE

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


def unaccent(text: str) -> str:
    """Strip Vietnamese diacritics: "Đồng Tháp đã cập nhật" → "Dong Thap da cap nhat".

    NFD plus dropping combining marks leaves đ/Đ alone (they are letters, not marks), so they are
    mapped explicitly.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def search_key(text: str) -> str:
    """The form names are searched in: unaccented, lower case, single spaces, nothing invisible."""
    return " ".join(unaccent(INVISIBLE.sub("", text)).casefold().split())


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
