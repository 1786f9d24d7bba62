"""Events on `eiso.registry.records` (writer: registry) and `eiso.inbound.records` (outside systems).

One event type per QMS element; the same types arrive on the inbound topic from the e-ISO software.
"""

import uuid
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from contracts.envelope import CloudEvent, EventData
from contracts.fields import AgencyCode, Paragraph, Text
from contracts.vocabulary import Element


class RecordData(EventData):
    """One version of one QMS record. Versions are append-only; the latest per (agency, element, year)
    is current."""

    record_id: uuid.UUID = Field(description="Unique per version; a resent record keeps its id.")
    agency_code: AgencyCode
    element: Element
    year: int = Field(ge=2000, le=2100)
    occurred_on: date = Field(description="Date the record was held, approved or signed.")
    document_ref: Text = Field(min_length=1, max_length=200)
    title: Text = Field(min_length=1, max_length=500)
    notes: Paragraph | None = Field(default=None, max_length=4000)
    submitted_by: Text = Field(min_length=1, max_length=200)
    channel: Text = Field(min_length=1, max_length=64, description="`api` or the inbound system's id.")
    version: int = Field(
        default=1,
        ge=1,
        description="On the registry's topic, the registry's number (1 = first of its agency, element, "
        "year). On the inbound topic, the publisher's own number, or left out (= 1): a version lower "
        "than one the same publisher already gave for the agency, element and year arrived late and "
        "is dead-lettered — the newer stays current.",
    )


class RecordEvent(CloudEvent):
    """Base of the record events: `data` is a `RecordData` whose element matches the type."""

    subject_field = "agency_code"
    data: RecordData

    @model_validator(mode="after")
    def _element_matches_type(self) -> "RecordEvent":
        expected = RECORD_EVENT_OF[self.data.element].event_type
        if self.type != expected:
            raise ValueError(
                f"data.element {self.data.element.value} is carried by {expected}, not {self.type}"
            )
        return self


class PolicyUpdated(RecordEvent):
    """The quality policy was issued or reviewed (ISO 9001:2015 §5.2)."""

    type: Literal["policy-updated"] = "policy-updated"


class ContextUpdated(RecordEvent):
    """The context of the organisation — issues, interested parties, risks, climate change — was
    recorded (§4.1, §4.2, §6.1)."""

    type: Literal["context-updated"] = "context-updated"


class ObjectiveUpdated(RecordEvent):
    """Quality objectives and their plan for a year were recorded (§6.2)."""

    type: Literal["objective-updated"] = "objective-updated"


class InternalAuditCompleted(RecordEvent):
    """An internal audit was held and its results recorded (§9.2)."""

    type: Literal["internal-audit-completed"] = "internal-audit-completed"


class ManagementReviewHeld(RecordEvent):
    """A management review was held (§9.3)."""

    type: Literal["management-review-held"] = "management-review-held"


class ImprovementRecorded(RecordEvent):
    """Improvement or corrective actions were recorded (§10)."""

    type: Literal["improvement-recorded"] = "improvement-recorded"


class ScopeChanged(RecordEvent):
    """The scope of the QMS was set or changed (§4.3); the announcement must then be renewed."""

    type: Literal["scope-changed"] = "scope-changed"


class QmsAnnounced(RecordEvent):
    """The head announced the QMS conforms to TCVN ISO 9001:2015 (công bố HTQLCL phù hợp)."""

    type: Literal["qms-announced"] = "qms-announced"


#: The event type of each element, in the order of `Element`.
RECORD_EVENT_OF: dict[Element, type[RecordEvent]] = {
    Element.QUALITY_POLICY: PolicyUpdated,
    Element.CONTEXT: ContextUpdated,
    Element.QUALITY_OBJECTIVES: ObjectiveUpdated,
    Element.INTERNAL_AUDIT: InternalAuditCompleted,
    Element.MANAGEMENT_REVIEW: ManagementReviewHeld,
    Element.IMPROVEMENT: ImprovementRecorded,
    Element.SCOPE: ScopeChanged,
    Element.ANNOUNCEMENT: QmsAnnounced,
}
RECORD_EVENTS: tuple[type[RecordEvent], ...] = tuple(RECORD_EVENT_OF.values())
