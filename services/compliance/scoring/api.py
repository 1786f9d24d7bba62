"""An agency's score over HTTP."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from contracts.compliance import RuleResult
from contracts.vocabulary import ComplianceStatus
from services.common.auth import Caller
from services.common.inputs import CampaignYear
from services.compliance.dependencies import ServiceDep
from services.compliance.scoring.usecases import score_of

router = APIRouter()


class ComplianceOut(BaseModel):
    agency_code: str
    year: int
    score: float
    status: ComplianceStatus
    breakdown: list[RuleResult]
    events_applied: int


@router.get("/agencies/{code}/compliance", response_model=ComplianceOut)
async def get_compliance(
    code: str,
    caller: Caller,
    service: ServiceDep,
    year: Annotated[CampaignYear | None, Query()] = None,
) -> ComplianceOut:
    """Score, status, per-rule breakdown and evidence of an agency for a year (default: this year,
    giờ Việt Nam). An agency key sees its own agency only."""
    if not caller.may_read(code):
        raise HTTPException(404, detail=f"agency {code} is unknown to compliance")
    found = await service.query(score_of, service.rules, code, year)
    if found is None:
        raise HTTPException(404, detail=f"agency {code} is unknown to compliance")
    return ComplianceOut(
        agency_code=found.agency_code,
        year=found.year,
        score=found.score,
        status=found.status,
        breakdown=found.rule_results(),
        events_applied=found.events_applied,
    )
