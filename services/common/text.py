"""Vietnamese text and phone numbers: what search, import and SMS all need the same way."""

import re
import unicodedata

from contracts.text import INVISIBLE

_VN_MOBILE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")
_VN_LANDLINE = re.compile(r"^(?:\+?84|0)(2\d{9})$")


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


def normalise_phone(raw: str) -> str:
    """A Vietnamese phone number in any usual spelling → E.164 (+84…); ValueError if it is not one.

    Mobiles are 10 digits starting 03/05/07/08/09; landlines 11 digits starting 02 (area code).
    """
    digits = re.sub(r"[\s.\-()]", "", raw.strip())
    for pattern in (_VN_MOBILE, _VN_LANDLINE):
        if match := pattern.match(digits):
            return f"+84{match.group(1)}"
    raise ValueError(f"{raw!r} is not a Vietnamese phone number (e.g. 0912 345 678 or +84 912 345 678)")
