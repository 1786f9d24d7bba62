"""Registry rules, free of I/O: what a new agency or a new record version looks like."""

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from contracts.agencies import AgencyData, AgencyRegistered
from contracts.envelope import CloudEvent
from contracts.records import ObjectiveUpdated, RecordData
from contracts.vocabulary import Element, Level, Obligation

#: The event type announcing a new version of each element's record.
RECORD_EVENTS: dict[Element, type[CloudEvent]] = {Element.QUALITY_OBJECTIVES: ObjectiveUpdated}


class DomainError(Exception):
    """A command the registry refuses; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def default_obligation(level: Level) -> Obligation:
    """Departments and districts must comply; communes and other units are encouraged (DESIGN.md §1)."""
    return Obligation.MANDATORY if level in (Level.DEPARTMENT, Level.DISTRICT) else Obligation.ENCOURAGED


def clean_name(name: str) -> str:
    """Vietnamese names are compared and stored in NFC with single spaces."""
    return " ".join(unicodedata.normalize("NFC", name).split())


@dataclass(frozen=True)
class NewAgency:
    code: str
    name: str
    level: Level
    parent_code: str | None
    obligation: Obligation | None
    uses_eiso_software: bool
    valid_from: date


def register(cmd: NewAgency, *, exists: bool, parent_exists: bool) -> AgencyData:
    if exists:
        raise DomainError("code", f"agency {cmd.code} is already registered")
    if cmd.parent_code is not None and not parent_exists:
        raise DomainError("parent_code", f"parent agency {cmd.parent_code} is not registered")
    if cmd.parent_code == cmd.code:
        raise DomainError("parent_code", "an agency cannot be its own parent")
    return AgencyData(
        code=cmd.code,
        name=clean_name(cmd.name),
        level=cmd.level,
        parent_code=cmd.parent_code,
        obligation=cmd.obligation or default_obligation(cmd.level),
        uses_eiso_software=cmd.uses_eiso_software,
        valid_from=cmd.valid_from,
    )


@dataclass(frozen=True)
class RecordEntry:
    year: int
    occurred_on: date
    document_ref: str
    title: str
    notes: str | None
    submitted_by: str


def next_version(
    agency_code: str, element: Element, entry: RecordEntry, latest_version: int, channel: str
) -> RecordData:
    """The next append-only version of (agency, element, year)."""
    if entry.occurred_on.year not in (entry.year, entry.year + 1):
        raise DomainError("occurred_on", f"{entry.occurred_on} is not in {entry.year} or early the next year")
    return RecordData(
        record_id=uuid.uuid4(),
        agency_code=agency_code,
        element=element,
        year=entry.year,
        occurred_on=entry.occurred_on,
        document_ref=entry.document_ref.strip(),
        title=clean_name(entry.title),
        notes=entry.notes,
        submitted_by=entry.submitted_by.strip(),
        channel=channel,
        version=latest_version + 1,
    )


def agency_registered(data: AgencyData, source: str, now: datetime) -> CloudEvent:
    return AgencyRegistered.create(source=source, subject=data.code, data=data, time=now)


def record_event(data: RecordData, source: str, now: datetime) -> CloudEvent:
    return RECORD_EVENTS[data.element].create(source=source, subject=data.agency_code, data=data, time=now)
