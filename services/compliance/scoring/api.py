"""An agency's score over HTTP."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from contracts.compliance import RuleResult
from contracts.vocabulary import ComplianceStatus, Element
from services.common.auth import Caller
from services.common.inputs import CampaignYear
from services.compliance.dependencies import ServiceDep
from services.compliance.scoring.usecases import standing_of

router = APIRouter()


class ComplianceOut(BaseModel):
    agency_code: str
    year: int
    score: float
    status: ComplianceStatus
    breakdown: list[RuleResult]
    events_applied: int
    missing: list[Element] = Field(
        description="The elements still without a record for the year, as of today: what the agency "
        'must submit to be "đã cập nhật".'
    )
    deadline: date = Field(description="The year's deadline for keeping the records current.")
    days_left: int = Field(description="Days from today (giờ Việt Nam) to the deadline; negative after it.")


@router.get("/agencies/{code}/compliance", response_model=ComplianceOut)
async def get_compliance(
    code: str,
    caller: Caller,
    service: ServiceDep,
    year: Annotated[CampaignYear | None, Query()] = None,
) -> ComplianceOut:
    """Score, status, per-rule breakdown and evidence of an agency for a year (default: this year,
    giờ Việt Nam), what it still lacks and the days left to the deadline. An agency key sees its own
    agency only."""
    if not caller.may_read(code):
        raise HTTPException(404, detail=f"agency {code} is unknown to compliance")
    standing = await service.query(standing_of, service.rules, code, year)
    if standing is None:
        raise HTTPException(404, detail=f"agency {code} is unknown to compliance")
    found = standing.score
    return ComplianceOut(
        agency_code=found.agency_code,
        year=found.year,
        score=found.score,
        status=found.status,
        breakdown=found.rule_results(),
        events_applied=found.events_applied,
        missing=standing.missing,
        deadline=standing.deadline,
        days_left=standing.days_left,
    )
