"""Text that may travel in an event or arrive in a request: what a person can see, nothing else.

A NUL cannot be stored by PostgreSQL (a record carrying one stalled a consumer for good), other control
characters forge log lines and break files people download, and zero-width characters and bidi
overrides make two names look the same while comparing different — an agency nobody can find. So every
text field is cleaned where it enters, by the types below:

- invisible formatting characters (zero-width spaces and joiners, word joiner, BOM, soft hyphen, the
  bidi marks, embeddings, overrides and isolates, and the blank "fillers") are removed;
- the text is put in NFC (the form names are stored and compared in);
- control characters (but tab and line breaks) and unpaired surrogates are refused with a message
  naming the character and where it is; a text that had characters but has no visible one left is
  refused too.

`Text` is one line (runs of whitespace, line breaks included, become one space, ends trimmed);
`Paragraph` keeps line breaks and tabs (notes, descriptions). Each carries its rule into the JSON
Schema as a `pattern`, so outside publishers see it; codes and ids have stricter patterns of their own.
"""

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

#: Removed wherever they appear: they render as nothing, or reorder what is shown.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
_SURROGATE = "\ud800-\udfff"
#: C0 and C1 controls but tab, line feed and carriage return (in one line they are spaces), DEL, and
#: unpaired surrogates.
_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SURROGATE}]")
#: An agency code (QCVN 102:2016 style, e.g. 000.00.22.H59; any such string is accepted).
AGENCY_CODE = r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$"
#: What the JSON Schemas say of text (ECMA-262 syntax, as JSON Schema uses).
TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"


def forbidden_in(text: str) -> str | None:
    """Why `text` cannot be taken (the first control character or unpaired surrogate, and where), or
    None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    char = found.group()
    kind = "an unpaired surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
    return f"contains {kind} (U+{ord(char):04X}) at position {found.start() + 1}"


def _visible(text: str) -> bool:
    return any(unicodedata.category(c)[0] in "LNPS" for c in text)


def clean_line(text: str) -> str:
    """One line as stored: invisible characters removed, NFC, single spaces (line breaks and tabs, as
    copied from a document, become spaces); ValueError if it holds a control character or, having had
    characters, shows none."""
    if reason := forbidden_in(text):
        raise ValueError(reason)
    cleaned = " ".join(unicodedata.normalize("NFC", INVISIBLE.sub("", text)).split())
    if text and not _visible(cleaned):
        raise ValueError("has no visible character")
    return cleaned


def clean_paragraph(text: str) -> str:
    """Several lines as stored: like `clean_line`, but line breaks and tabs kept (ends trimmed)."""
    if reason := forbidden_in(text):
        raise ValueError(reason)
    cleaned = unicodedata.normalize("NFC", INVISIBLE.sub("", text)).strip()
    if text and not _visible(cleaned):
        raise ValueError("has no visible character")
    return cleaned


def _as_field(clean: Callable[[str], str]) -> Callable[[str], str]:
    """`clean` as a field validator: its refusal reads as a plain message (no "Value error, ")."""

    def validate(value: str) -> str:
        try:
            return clean(value)
        except ValueError as refused:
            raise PydanticCustomError("text", str(refused)) from None

    return validate


#: Checked after the field's own length limits (so those read "String should have at most N
#: characters"), then cleaned.
Text = Annotated[
    str, AfterValidator(_as_field(clean_line)), Field(json_schema_extra={"pattern": TEXT_PATTERN})
]
Paragraph = Annotated[
    str, AfterValidator(_as_field(clean_paragraph)), Field(json_schema_extra={"pattern": TEXT_PATTERN})
]
AgencyCode = Annotated[str, Field(pattern=AGENCY_CODE)]
