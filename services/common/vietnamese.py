"""Vietnamese text as search and SMS need it: without diacritics (đ included), and the form names are
searched in."""

import unicodedata

from contracts.fields import INVISIBLE


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
