"""Events on `eiso.registry.records` (writer: registry) and `eiso.inbound.records` (outside systems).

One event type per QMS element; the same types arrive on the inbound topic from the e-ISO software.
"""

import uuid
from datetime import date
from typing import Literal

from pydantic import Field

from contracts.envelope import CloudEvent, EventData
from contracts.vocabulary import Element


class RecordData(EventData):
    """One version of one QMS record. Versions are append-only; the latest per (agency, element, year)
    is current."""

    record_id: uuid.UUID
    agency_code: str = Field(min_length=1, max_length=64)
    element: Element
    year: int = Field(ge=2000, le=2100)
    occurred_on: date = Field(description="Date the record was held, approved or signed.")
    document_ref: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=500)
    notes: str | None = Field(default=None, max_length=4000)
    submitted_by: str = Field(min_length=1, max_length=200)
    channel: str = Field(min_length=1, max_length=64, description="`api` or the inbound system's id.")
    version: int = Field(ge=1, description="1 for the first version of this (agency, element, year).")


class ObjectiveUpdated(CloudEvent):
    """Quality objectives and their plan for a year were recorded (ISO 9001:2015 §6.2)."""

    type: Literal["objective-updated"] = "objective-updated"
    subject_field = "agency_code"
    data: RecordData
