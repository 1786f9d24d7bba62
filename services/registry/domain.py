"""Registry rules, free of I/O: agencies as effective-dated versions, reorganisations, record versions.

An agency's history is a list of `AgencyData` versions, each valid from `valid_from` until `valid_to`
(exclusive; None = still valid). Every operation takes the versions it concerns and returns the versions
to save (keyed by code and valid_from), so the store only has to write what it is given.
"""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from contracts.agencies import AgencyData, Contacts
from contracts.envelope import CloudEvent
from contracts.fields import clean_line
from contracts.records import RecordData
from contracts.topics import system_of
from contracts.vocabulary import Element, Level, Obligation

#: Fields a plain update may change (name, code and parent have their own operations).
UPDATABLE = ("obligation", "uses_eiso_software", "contacts")


class DomainError(Exception):
    """A command the registry refuses; `field` names the input at fault."""

    def __init__(self, field: str, message: str, *, conflict: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.conflict = conflict


class AgencyNotFoundError(Exception):
    """A command or a query names an agency the registry does not have (on the day it asks about)."""

    def __init__(self, code: str, on: date | None = None) -> None:
        if on is None:
            super().__init__(f"agency {code} is not registered")
        else:
            super().__init__(f"agency {code} did not exist on {on.isoformat()}")
        self.code = code


class Link(StrEnum):
    """How one agency descends from another (from_code → to_code)."""

    MERGED_INTO = "merged_into"  # from = a merged agency, to = its successor
    SPLIT_FROM = "split_from"  # from = a new agency, to = the one it was split from
    RENAMED_FROM = "renamed_from"  # from = the new code, to = the old one


def default_obligation(level: Level) -> Obligation:
    """Departments and districts must comply; communes and other units are encouraged.

    See docs/domain.md, "Agencies".
    """
    return Obligation.MANDATORY if level in (Level.DEPARTMENT, Level.DISTRICT) else Obligation.ENCOURAGED


@dataclass(frozen=True)
class NewAgency:
    code: str
    name: str
    level: Level
    parent_code: str | None
    obligation: Obligation | None
    uses_eiso_software: bool
    valid_from: date
    contacts: Contacts = field(default_factory=Contacts)


def register(cmd: NewAgency, *, exists: bool, parent: AgencyData | None) -> AgencyData:
    if exists:
        raise DomainError("code", f"mã định danh {cmd.code} đã có trong danh mục cơ quan", conflict=True)
    if cmd.parent_code == cmd.code:
        raise DomainError("parent_code", "cơ quan không thể trực thuộc chính mình")
    if cmd.parent_code is not None:
        _check_parent(cmd.parent_code, parent, cmd.valid_from)
    return AgencyData(
        code=cmd.code,
        name=_name(cmd.name),
        level=cmd.level,
        parent_code=cmd.parent_code,
        obligation=cmd.obligation or default_obligation(cmd.level),
        uses_eiso_software=cmd.uses_eiso_software,
        valid_from=cmd.valid_from,
        contacts=cmd.contacts,
    )


MAX_NAME = 300


def _name(raw: str) -> str:
    """NFC with single spaces, checked after normalising (NFC can lengthen a string)."""
    name = clean_line(raw)
    if not name or len(name) > MAX_NAME:
        raise DomainError("name", f"tên cơ quan dài từ 1 đến {MAX_NAME} ký tự")
    return name


def _check_parent(code: str, parent: AgencyData | None, on: date) -> None:
    if parent is None:
        raise DomainError(
            "parent_code", f"mã định danh {code} (cơ quan cấp trên) chưa có trong danh mục cơ quan"
        )
    if not active_on(parent, on):
        raise DomainError("parent_code", f"cơ quan cấp trên {code} không hoạt động vào ngày {on:%d/%m/%Y}")


def active_on(version: AgencyData, day: date) -> bool:
    return version.valid_from <= day and (version.valid_to is None or day < version.valid_to)


def version_on(versions: Iterable[AgencyData], day: date) -> AgencyData | None:
    return next((v for v in versions if active_on(v, day)), None)


def _open(current: AgencyData, effective_on: date) -> None:
    """An operation applies to the open (latest) version, from a date inside it."""
    if current.valid_to is not None:
        raise DomainError(
            "code",
            f"cơ quan {current.code} đã ngừng hoạt động từ ngày {current.valid_to:%d/%m/%Y}",
            conflict=True,
        )
    if effective_on < current.valid_from:
        raise DomainError(
            "effective_on",
            f"ngày {effective_on:%d/%m/%Y} trước ngày có hiệu lực của thông tin hiện hành của cơ quan "
            f"{current.code} ({current.valid_from:%d/%m/%Y}): không sửa lại lịch sử; ngày có hiệu lực "
            f"phải từ ngày {current.valid_from:%d/%m/%Y} trở đi",
        )


def change(current: AgencyData, effective_on: date, **changes: Any) -> tuple[list[AgencyData], list[str]]:
    """New details from `effective_on`: the versions to save, and which fields changed."""
    _open(current, effective_on)
    updated = current.model_copy(update=changes)
    changed = [k for k in changes if getattr(updated, k) != getattr(current, k)]
    if not changed:
        return [], []
    if effective_on == current.valid_from:
        return [updated], changed
    closed = current.model_copy(update={"valid_to": effective_on})
    return [closed, updated.model_copy(update={"valid_from": effective_on})], changed


def end(current: AgencyData, effective_on: date) -> AgencyData:
    """The last version of an agency that stops existing on `effective_on`."""
    _open(current, effective_on)
    if effective_on == current.valid_from:
        raise DomainError(
            "effective_on",
            f"thông tin hiện hành của cơ quan {current.code} có hiệu lực từ ngày "
            f"{current.valid_from:%d/%m/%Y}; ngày có hiệu lực phải sau ngày này",
        )
    return current.model_copy(update={"valid_to": effective_on})


def reparent(
    current: AgencyData,
    parent: AgencyData | None,
    parent_code: str | None,
    effective_on: date,
    parent_ancestors: Iterable[str] = (),
) -> tuple[list[AgencyData], list[str]]:
    """A new parent from `effective_on`; `parent_ancestors` are the new parent's own ancestors then."""
    if parent_code == current.code:
        raise DomainError("parent_code", "cơ quan không thể trực thuộc chính mình")
    if parent_code is not None:
        _check_parent(parent_code, parent, effective_on)
        if current.code in parent_ancestors:
            raise DomainError(
                "parent_code",
                f"cơ quan {parent_code} đang trực thuộc cơ quan {current.code} nên không thể làm cơ quan "
                "cấp trên của cơ quan này",
            )
    return change(current, effective_on, parent_code=parent_code)


def check_can_end(code: str, effective_on: date, children: Iterable[str], last_record: date | None) -> None:
    """An agency may end (dissolve, split) only with no agency below it and no record after the day."""
    below = list(children)
    if below:
        listed = ", ".join(below[:10]) + ("…" if len(below) > 10 else "")
        raise DomainError(
            "effective_on",
            f"cơ quan {code} còn {len(below)} cơ quan trực thuộc ({listed}); đề nghị chuyển các cơ quan "
            "này sang cơ quan cấp trên khác trước khi giải thể, sáp nhập hoặc chia tách",
            conflict=True,
        )
    if last_record is not None and last_record >= effective_on:
        raise DomainError(
            "effective_on",
            f"cơ quan {code} có hồ sơ ISO đến ngày {last_record:%d/%m/%Y}; ngày chấm dứt hoạt động phải "
            "sau ngày này",
            conflict=True,
        )


@dataclass(frozen=True)
class Renamed:
    versions: list[AgencyData]
    successor: AgencyData
    previous_code: str | None


def rename(
    current: AgencyData, name: str, new_code: str | None, effective_on: date, *, code_taken: bool
) -> Renamed:
    """A new name from `effective_on`; with `new_code`, a successor agency that takes over."""
    name = _name(name)
    if new_code is None or new_code == current.code:
        versions, changed = change(current, effective_on, name=name)
        if not changed:
            raise DomainError("name", f"cơ quan {current.code} đã có tên là {name}")
        return Renamed(versions, versions[-1], None)
    if code_taken:
        raise DomainError("new_code", f"mã định danh {new_code} đã có trong danh mục cơ quan", conflict=True)
    closed = end(current, effective_on)
    successor = current.model_copy(update={"code": new_code, "name": name, "valid_from": effective_on})
    return Renamed([closed, successor], successor, current.code)


def merge(
    sources: list[AgencyData], successor: AgencyData, effective_on: date
) -> tuple[list[AgencyData], AgencyData]:
    """`sources` end on `effective_on`; `successor` (existing, or new from that day) carries on."""
    codes = [s.code for s in sources]
    if len(set(codes)) != len(codes):
        raise DomainError("sources", "một cơ quan được liệt kê hai lần")
    if successor.code in codes:
        raise DomainError("sources", f"không thể sáp nhập cơ quan {successor.code} vào chính nó")
    if not active_on(successor, effective_on):
        raise DomainError(
            "into", f"cơ quan {successor.code} không hoạt động vào ngày {effective_on:%d/%m/%Y}"
        )
    return [end(s, effective_on) for s in sources], successor


def split(source: AgencyData, into: list[AgencyData], effective_on: date) -> list[AgencyData]:
    """`source` ends on `effective_on`; the new agencies start that day. Returns the closed source."""
    if len(into) < 2:
        raise DomainError("into", "chia tách phải tạo ra ít nhất hai cơ quan mới")
    if any(a.valid_from != effective_on for a in into):
        raise DomainError("into", "các cơ quan mới phải bắt đầu hoạt động từ ngày chia tách có hiệu lực")
    return [end(source, effective_on)]


def differs(current: AgencyData, wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `wanted` whose value is not `current`'s (for idempotent imports)."""
    return {k: v for k, v in wanted.items() if getattr(current, k) != v}


@dataclass(frozen=True)
class RecordEntry:
    year: int
    occurred_on: date
    document_ref: str
    title: str
    notes: str | None
    submitted_by: str


def next_version(
    agency: AgencyData | None,
    code: str,
    element: Element,
    entry: RecordEntry,
    latest_version: int,
    channel: str,
    record_id: uuid.UUID | None = None,
) -> RecordData:
    """The next append-only version of (agency, element, year), for an agency active on the date."""
    if entry.occurred_on.year not in (entry.year, entry.year + 1):
        raise DomainError(
            "occurred_on",
            f"ngày {entry.occurred_on:%d/%m/%Y} không thuộc năm {entry.year} hoặc năm {entry.year + 1}: "
            f"hồ sơ năm {entry.year} phải có ngày ban hành, phê duyệt hoặc thực hiện trong năm "
            f"{entry.year} hoặc năm {entry.year + 1}",
        )
    if agency is None or not active_on(agency, entry.occurred_on):
        day = f"{entry.occurred_on:%d/%m/%Y}"
        raise DomainError(
            "occurred_on",
            f"vào ngày {day}, cơ quan {code} chưa hoạt động hoặc đã ngừng hoạt động (giải thể, sáp nhập)",
        )
    return RecordData(
        record_id=record_id or uuid.uuid4(),
        agency_code=code,
        element=element,
        year=entry.year,
        occurred_on=entry.occurred_on,
        document_ref=entry.document_ref.strip(),
        title=clean_line(entry.title),
        notes=entry.notes,
        submitted_by=entry.submitted_by.strip(),
        channel=channel,
        version=latest_version + 1,
    )


def ancestors_in(
    histories: Mapping[str, Sequence[AgencyData]], code: str, day: date, limit: int = 10
) -> list[str]:
    """`code`'s parent, grandparent… on `day`, from their histories (bounded, so a corrupt cycle cannot
    loop)."""
    found: list[str] = []
    current = version_on(histories.get(code, ()), day)
    while current is not None and current.parent_code and len(found) < limit:
        found.append(current.parent_code)
        current = version_on(histories.get(current.parent_code, ()), day)
    return found


def check_not_stale(record: RecordData, source: str, newest: int | None) -> None:
    """A system that numbers its versions cannot go back: a number below one it already gave for the
    same (agency, element, year) is an older version that arrived late (a retry overtaken by a newer
    one), and the newer must stay current. Equal numbers pass — a system that does not number its
    versions sends 1 every time."""
    if newest is not None and record.version < newest:
        raise DomainError(
            "version",
            f"stale: version {record.version} of {record.element.value} {record.year} from {source} "
            f"arrived after its version {newest}; the newer stays current",
        )


def may_speak_for(scope: Iterable[str], agency: AgencyData, ancestors: Iterable[str] = ()) -> bool:
    """An outside system speaks for the agencies it was registered for and every agency below them."""
    allowed = set(scope)
    return agency.code in allowed or any(code in allowed for code in ancestors)


def same_record(a: RecordData, b: RecordData) -> bool:
    """The same facts, whatever version number or channel each copy carries."""
    keep = {"agency_code", "element", "year", "occurred_on", "document_ref", "title", "notes", "submitted_by"}
    return a.model_dump(include=keep) == b.model_dump(include=keep)


def source_bound_to_topic(topic: str, event: CloudEvent) -> str | None:
    """Why an event may not be taken as it arrived, or None. On a system's own inbound topic (which
    the broker lets only that system's principal write) the topic says who published: an event whose
    `source` names another system is an imitation, whatever else it holds."""
    owner = system_of(topic)
    if owner is None or event.source == owner:
        return None
    return (
        f"source {event.source} is not {owner}, the only system allowed to write to {topic}: a system "
        "publishes under its own source"
    )
