"""Events on `eiso.compliance.status` (writer: compliance)."""

from datetime import date
from typing import Literal

from pydantic import Field

from contracts.envelope import CloudEvent, EventData
from contracts.fields import AgencyCode, Paragraph, Text
from contracts.vocabulary import ComplianceStatus, Element


class RuleResult(EventData):
    rule_id: Text = Field(min_length=1, max_length=20)
    met: bool
    weight: float = Field(ge=0)
    evidence: list[Text] = Field(default_factory=list, description="Ids of the events that satisfied it.")
    title_vi: Text | None = Field(default=None, max_length=300)
    detail: Paragraph | None = Field(
        default=None, max_length=2000, description="Why it is met or not, for a person."
    )


class ScoreData(EventData):
    agency_code: AgencyCode
    year: int
    score: float = Field(ge=0, le=1, description="Weighted share of rules met, 0–1.")
    previous_score: float | None = Field(default=None, ge=0, le=1)
    status: ComplianceStatus
    breakdown: list[RuleResult]


class ComplianceScoreChanged(CloudEvent):
    """An agency's score for a year changed; carries the breakdown and evidence behind it."""

    type: Literal["compliance-score-changed"] = "compliance-score-changed"
    subject_field = "agency_code"
    data: ScoreData


class DeadlineData(EventData):
    agency_code: AgencyCode
    year: int
    deadline: date = Field(description="The campaign's maintenance deadline (giờ Việt Nam calendar day).")
    days_left: int = Field(ge=0)
    missing: list[Element] = Field(description="Elements with no record for the year yet.")


class DeadlineApproaching(CloudEvent):
    """An agency still missing elements is 30, 14 or 7 days (per the campaign) from the deadline."""

    type: Literal["deadline-approaching"] = "deadline-approaching"
    subject_field = "agency_code"
    data: DeadlineData


class OverdueData(EventData):
    agency_code: AgencyCode
    year: int
    deadline: date


class AuditOverdue(CloudEvent):
    """No internal audit was held in the year by the deadline."""

    type: Literal["audit-overdue"] = "audit-overdue"
    subject_field = "agency_code"
    data: OverdueData


class ReviewOverdue(CloudEvent):
    """No management review (after the internal audit) was held in the year by the deadline."""

    type: Literal["review-overdue"] = "review-overdue"
    subject_field = "agency_code"
    data: OverdueData


class LaggingData(EventData):
    agency_code: AgencyCode
    year: int
    deadline: date
    missing: list[Element]
    score: float = Field(ge=0, le=1)


class AgencyLagging(CloudEvent):
    """After the deadline the agency is still not updated for the year."""

    type: Literal["agency-lagging"] = "agency-lagging"
    subject_field = "agency_code"
    data: LaggingData


class CompliantData(EventData):
    agency_code: AgencyCode
    year: int
    score: float = Field(ge=0, le=1)


class AgencyCompliant(CloudEvent):
    """An agency reported lagging has caught up: all six elements recorded for the year."""

    type: Literal["agency-compliant"] = "agency-compliant"
    subject_field = "agency_code"
    data: CompliantData


STATUS_EVENTS: tuple[type[CloudEvent], ...] = (
    ComplianceScoreChanged,
    DeadlineApproaching,
    AuditOverdue,
    ReviewOverdue,
    AgencyLagging,
    AgencyCompliant,
)
