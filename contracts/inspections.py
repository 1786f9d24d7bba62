"""Events on `eiso.compliance.inspections` (writer: compliance): the yearly inspection plan as it is
scheduled, changed and carried out. Key: agency code.

Each event carries the whole inspection as it stands (`revision` counts its changes), so a reader — or
compliance rebuilding itself from its own topic — keeps the highest revision and needs nothing else.
"""

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from contracts.envelope import CloudEvent, EventData
from contracts.fields import AgencyCode, Paragraph, Text


class InspectionMode(StrEnum):
    """Circular 26/2014/TT-BKHCN: inspections are on site or on documents (reports and records)."""

    ONSITE = "onsite"
    DOCUMENTARY = "documentary"


#: The modes in Vietnamese ("kiểm tra tại chỗ", "kiểm tra qua hồ sơ").
MODE_VI: dict[InspectionMode, str] = {
    InspectionMode.ONSITE: "tại chỗ",
    InspectionMode.DOCUMENTARY: "qua hồ sơ",
}


class InspectionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class Severity(StrEnum):
    MAJOR = "major"  # không phù hợp nặng
    MINOR = "minor"  # không phù hợp nhẹ
    OBSERVATION = "observation"  # khuyến nghị


SEVERITY_VI: dict[Severity, str] = {
    Severity.MAJOR: "không phù hợp nặng",
    Severity.MINOR: "không phù hợp nhẹ",
    Severity.OBSERVATION: "khuyến nghị",
}
#: How the board and the portal name an inspection's state.
INSPECTION_STATUS_VI: dict[InspectionStatus, str] = {
    InspectionStatus.SCHEDULED: "đã lên lịch",
    InspectionStatus.COMPLETED: "đã kiểm tra",
    InspectionStatus.CANCELLED: "đã hủy",
}


class Finding(EventData):
    description: Paragraph = Field(min_length=1, max_length=2000)
    severity: Severity
    clause: Text | None = Field(default=None, max_length=20, description="ISO 9001 clause, e.g. 9.2.")


class CorrectiveAction(EventData):
    description: Paragraph = Field(min_length=1, max_length=2000)
    due_on: date = Field(description="Calendar day (giờ Việt Nam) by which the agency must act.")
    finding: int | None = Field(default=None, ge=0, description="Index of the finding it answers.")
    done_on: date | None = Field(
        default=None, description="The day the agency reports it done (giờ Việt Nam); none while open."
    )
    evidence: Paragraph | None = Field(
        default=None, max_length=2000, description="What shows it done, in the agency's words (a document)."
    )


class InspectionData(EventData):
    inspection_id: Text = Field(min_length=1, max_length=36)
    revision: int = Field(ge=1, description="Grows with each change; keep the highest.")
    agency_code: AgencyCode
    year: int = Field(ge=2000, le=2100)
    scheduled_on: date = Field(description="Calendar day (giờ Việt Nam).")
    inspector: Text = Field(min_length=1, max_length=200)
    mode: InspectionMode
    status: InspectionStatus
    risk: float = Field(ge=0, description="The risk score that put the agency in the plan.")
    reasons: list[Text] = Field(description="Why the agency was chosen, in Vietnamese.")
    held_on: date | None = None
    findings: list[Finding] = Field(default_factory=list)
    corrective_actions: list[CorrectiveAction] = Field(default_factory=list)
    note: Text | None = Field(default=None, max_length=500, description="E.g. why it was cancelled.")

    @model_validator(mode="after")
    def _results_only_when_completed(self) -> "InspectionData":
        if (self.status == InspectionStatus.COMPLETED) != (self.held_on is not None):
            raise ValueError("held_on is given exactly when the inspection is completed")
        return self


class InspectionScheduled(CloudEvent):
    """An agency is to be inspected on a day by an inspector (also sent again when that changes)."""

    type: Literal["inspection-scheduled"] = "inspection-scheduled"
    subject_field = "agency_code"
    data: InspectionData


class InspectionCancelled(CloudEvent):
    """A scheduled inspection will not happen (the agency was swapped out of the plan)."""

    type: Literal["inspection-cancelled"] = "inspection-cancelled"
    subject_field = "agency_code"
    data: InspectionData


class InspectionCompleted(CloudEvent):
    """An inspection was held: its findings and the corrective actions with their due dates."""

    type: Literal["inspection-completed"] = "inspection-completed"
    subject_field = "agency_code"
    data: InspectionData


class CorrectiveActionDone(CloudEvent):
    """The agency reported one of an inspection's corrective actions done, with what shows it (the
    inspection's next revision, the action's `done_on` and `evidence` set)."""

    type: Literal["corrective-action-done"] = "corrective-action-done"
    subject_field = "agency_code"
    data: InspectionData


INSPECTION_EVENTS: tuple[type[CloudEvent], ...] = (
    InspectionScheduled,
    InspectionCancelled,
    InspectionCompleted,
    CorrectiveActionDone,
)
