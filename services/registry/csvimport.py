"""Reading the agency CSV a department keeps in a spreadsheet: UTF-8 (with or without BOM), English or
Vietnamese headers, Vietnamese or English values. Pure: bytes in, rows or reasons out."""

import contextlib
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.common.phones import normalise_phone
from services.common.vietnamese import search_key

#: Header (as `search_key` sees it) → field. English names are the fields themselves.
HEADERS: dict[str, str] = {
    "ma": "code",
    "ma co quan": "code",
    "ten": "name",
    "ten co quan": "name",
    "cap": "level",
    "ma cap tren": "parent_code",
    "ma co quan cap tren": "parent_code",
    "co quan cap tren": "parent_code",
    "nghia vu": "obligation",
    "dung phan mem iso dien tu": "uses_eiso_software",
    "phan mem iso dien tu": "uses_eiso_software",
    "hieu luc tu": "valid_from",
    "can bo iso": "officer_name",
    "dien thoai can bo iso": "officer_phone",
    "email can bo iso": "officer_email",
    "thu truong": "head_name",
    "dien thoai thu truong": "head_phone",
    "email thu truong": "head_email",
}
FIELDS = (
    "code", "name", "level", "parent_code", "obligation", "uses_eiso_software", "valid_from",
    "officer_name", "officer_phone", "officer_email", "head_name", "head_phone", "head_email",
)  # fmt: skip
HEADERS.update({f: f for f in FIELDS})

LEVELS = {
    "department": "department", "so": "department", "ban": "department", "nganh": "department",
    "so, ban, nganh": "department", "cap tinh": "department",
    "district": "district", "huyen": "district", "cap huyen": "district",
    "commune": "commune", "xa": "commune", "cap xa": "commune",
    "unit": "unit", "don vi": "unit", "don vi khac": "unit",
}  # fmt: skip
OBLIGATIONS = {
    "mandatory": "mandatory", "bat buoc": "mandatory",
    "encouraged": "encouraged", "khuyen khich": "encouraged",
    "designated": "designated", "chi dinh": "designated", "duoc chi dinh": "designated",
}  # fmt: skip
TRUE = {"co", "x", "yes", "true", "1", "y"}
FALSE = {"khong", "no", "false", "0", "n", ""}


class CsvError(ValueError):
    """The file as a whole cannot be read (encoding, header); the message says what to fix."""


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, Any] | None
    error: str | None = None
    #: The fields the file has columns for: an update touches only these.
    columns: frozenset[str] = frozenset()


def read(content: bytes, max_rows: int = 5000) -> list[Row]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError(f"the file is not UTF-8 (byte {exc.start}); save it as CSV UTF-8") from None
    sample = text[:4096]
    delimiter = ","
    with contextlib.suppress(csv.Error):  # Excel in some locales writes ";"
        delimiter = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t").delimiter
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise CsvError("the file is empty")
    columns = [HEADERS.get(search_key(h)) for h in header]
    unknown = [h for h, c in zip(header, columns, strict=True) if c is None and h.strip()]
    if unknown:
        raise CsvError(f"unknown column(s): {', '.join(unknown)}; expected e.g. {', '.join(FIELDS)}")
    missing = {"code", "name", "level"} - set(columns)
    if missing:
        raise CsvError(f"missing column(s): {', '.join(sorted(missing))}")
    present = frozenset(c for c in columns if c)
    rows: list[Row] = []
    try:
        for number, cells in enumerate(reader, start=2):
            _add(rows, number, cells, columns, present, max_rows)
    except csv.Error as exc:
        raise CsvError(f"line {reader.line_num}: {exc}") from None
    return rows


def _add(
    rows: list[Row],
    number: int,
    cells: list[str],
    columns: list[str | None],
    present: frozenset[str],
    max_rows: int,
) -> None:
    """Append the row read from `cells` (blank lines are skipped)."""
    if not any(cell.strip() for cell in cells):
        return
    if len(rows) >= max_rows:
        raise CsvError(f"more than {max_rows} rows; split the file")
    raw = {c: cell.strip() for c, cell in zip(columns, cells, strict=False) if c}
    try:
        rows.append(Row(number, _values(raw), columns=present))
    except ValueError as exc:
        rows.append(Row(number, None, str(exc), present))


def _values(raw: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": raw.get("code", ""),
        "name": raw.get("name", ""),
        "level": _choice("level", raw.get("level", ""), LEVELS),
        "parent_code": raw.get("parent_code") or None,
        "obligation": _choice("obligation", raw["obligation"], OBLIGATIONS)
        if raw.get("obligation")
        else None,
        "uses_eiso_software": _flag(raw.get("uses_eiso_software", "")),
    }
    if raw.get("valid_from"):
        values["valid_from"] = _date(raw["valid_from"])
    contacts = {
        role: {k: raw[f"{prefix}_{k}"] for k in ("name", "phone", "email") if raw.get(f"{prefix}_{k}")}
        for role, prefix in (("iso_officer", "officer"), ("head", "head"))
    }
    for role, prefix in (("iso_officer", "officer"), ("head", "head")):
        if phone := contacts[role].get("phone"):
            contacts[role]["phone"] = _phone(f"{prefix}_phone", phone)
    values["contacts"] = {role: c for role, c in contacts.items() if c}
    return values


def _phone(column: str, value: str) -> str:
    """The number in E.164, or the row's error naming the column the department filled in."""
    try:
        return normalise_phone(value)
    except ValueError as exc:
        raise ValueError(f"{column}: {exc}") from None


def _choice(field: str, value: str, choices: dict[str, str]) -> str:
    found = choices.get(search_key(value))
    if found is None:
        allowed = ", ".join(sorted(set(choices.values())))
        raise ValueError(f"{field}: {value!r} is not one of {allowed} (or their Vietnamese names)")
    return found


def _flag(value: str) -> bool:
    key = search_key(value)
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise ValueError(f"uses_eiso_software: {value!r} is not có/không (yes/no)")


def _date(value: str) -> date:
    parsers: tuple[Callable[[str], date], ...] = (
        date.fromisoformat,
        lambda v: datetime.strptime(v, "%d/%m/%Y").date(),
    )
    for parse in parsers:
        try:
            return parse(value)
        except ValueError:
            continue
    raise ValueError(f"valid_from: {value!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")
