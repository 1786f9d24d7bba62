"""An agency's score over HTTP."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from contracts.compliance import RuleResult
from contracts.fields import AGENCY_CODE
from contracts.vocabulary import ComplianceStatus, Element, Level
from services.common.auth import Caller, Role, require
from services.common.inputs import CampaignYear, Day
from services.compliance.dependencies import ServiceDep
from services.compliance.scoring.domain import StandingFilter
from services.compliance.scoring.usecases import standing_of, standings_list

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


class StandingOut(BaseModel):
    code: str
    name: str
    level: Level
    parent_code: str | None
    uses_eiso_software: bool
    status: ComplianceStatus
    score: float


class StandingsOut(BaseModel):
    year: int
    as_of: date
    total: int
    items: list[StandingOut]


@router.get("/standings", response_model=StandingsOut, tags=["reports"])
async def list_standings(
    caller: Caller,
    service: ServiceDep,
    year: Annotated[CampaignYear, Query()],
    as_of: Annotated[Day | None, Query()] = None,
    level: Level | None = None,
    status: ComplianceStatus | None = None,
    updated: Annotated[bool | None, Query(description="Updated, or not (lagging and not updated).")] = None,
    uses_eiso_software: bool | None = None,
    parent_code: Annotated[str | None, Query(pattern=AGENCY_CODE, description="A district's code.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> StandingsOut:
    """Every agency's standing for `year` as of `as_of` (default: today, or the year's last day for a
    past year), by name, filtered: what the board's lists drill into."""
    require(caller, Role.OPERATOR, Role.VIEWER, Role.SYSTEM)
    wanted = StandingFilter(level, status, uses_eiso_software, parent_code, updated)
    day, found = await service.query(standings_list, service.rules, year, as_of, wanted)
    items = [
        StandingOut(
            code=agency.code,
            name=agency.name,
            level=agency.level,
            parent_code=agency.parent_code,
            uses_eiso_software=agency.uses_eiso_software,
            status=standing.status,
            score=standing.score,
        )
        for agency, standing in found[offset : offset + limit]
    ]
    return StandingsOut(year=year, as_of=day, total=len(found), items=items)
