"""SMS text as Vietnamese carriers take it, free of I/O.

Vietnamese with diacritics silently turns an SMS into UCS-2 (70 characters a part instead of 160), so
every SMS is unaccented first — including đ/Đ, which NFD does not decompose — and then checked to be
GSM-7. Segments are counted as carriers bill them: 160 single / 153 per part in GSM-7, 70 / 67 in UCS-2.
"""

import math
import re
from dataclasses import dataclass

from services.common.vietnamese import unaccent

#: GSM 03.38 basic set, and the extension set (each extension character costs two septets).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
#: Typography that unaccenting leaves but GSM-7 lacks, and its plain form.
PLAIN = str.maketrans({"–": "-", "—": "-", "…": "...", "“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " "})
#: Brandnames (sender ids) carriers accept: ≤ 11 characters, none of these.
BRANDNAME_FORBIDDEN = frozenset("%#&[]{}\\<@")


class SmsTextError(ValueError):
    """A text or brandname carriers would refuse or bill as Unicode; the message says which character."""


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    count: int


def to_sms(text: str, strict: bool = True) -> str:
    """Unaccented, plain-punctuation, single-spaced text. Strict (templates, when loaded): anything
    still not GSM-7 is an error naming it. Lenient (free text an operator typed, when sending): such
    characters are left out rather than turning the SMS into Unicode."""
    plain = " ".join(unaccent(text).translate(PLAIN).split())
    bad = sorted({c for c in plain if c not in GSM7_BASIC and c not in GSM7_EXTENSION})
    if bad and strict:
        raise SmsTextError(f"not GSM-7 after unaccenting: {''.join(bad)!r}")
    if not bad:
        return plain
    kept = " ".join("".join(c for c in plain if c not in bad).split())
    return re.sub(r" ([.,;:!?])", r"\1", kept)  # no space left before punctuation


def segments(text: str) -> Segments:
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        units = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        return Segments("GSM-7", units, 1 if units <= 160 else math.ceil(units / 153))
    units = len(text.encode("utf-16-le")) // 2
    return Segments("UCS-2", units, 1 if units <= 70 else math.ceil(units / 67))


def check_brandname(name: str) -> str:
    if not 1 <= len(name) <= 11:
        raise SmsTextError(f"brandname {name!r} must have 1 to 11 characters")
    if to_sms(name) != name or BRANDNAME_FORBIDDEN & set(name):
        raise SmsTextError(f"brandname {name!r} must be unaccented, without % # & [ ] {{ }} \\ < @")
    return name
