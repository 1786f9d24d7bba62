"""Events on `eiso.compliance.status` (writer: compliance)."""

from typing import Literal

from pydantic import Field

from contracts.envelope import CloudEvent, EventData
from contracts.vocabulary import ComplianceStatus


class RuleResult(EventData):
    rule_id: str
    met: bool
    weight: float = Field(ge=0)
    evidence: list[str] = Field(default_factory=list, description="Ids of the events that satisfied it.")
    title_vi: str | None = None
    detail: str | None = Field(default=None, description="Why it is met or not, for a person.")


class ScoreData(EventData):
    agency_code: str
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
