"""The compliance service's HTTP API."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel

from contracts.compliance import RuleResult
from contracts.vocabulary import ComplianceStatus
from services.common.auth import Caller
from services.common.clock import local_date
from services.common.service import Service, service_of
from services.compliance import domain, store

router = APIRouter()
ServiceDep = Annotated[Service, Depends(service_of)]


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
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> ComplianceOut:
    """Score, status, per-rule breakdown and evidence of an agency for a year (default: this year,
    giờ Việt Nam). An agency key sees its own agency only."""
    if not caller.may_read(code):
        raise HTTPException(404, detail=f"agency {code} is unknown to compliance")
    async with service.reader() as uow:
        year = year or local_date(uow.clock.now()).year
        row = await store.score_row(uow.session, code, year)
        if row is None:
            if not await store.agency_known(uow.session, code):
                raise HTTPException(404, detail=f"agency {code} is unknown to compliance")
            empty = domain.score(code, year, [], previous=None)
            return ComplianceOut(**empty.model_dump(exclude={"previous_score"}), events_applied=0)
    return ComplianceOut(
        agency_code=code,
        year=year,
        score=row["score"],
        status=row["status"],
        breakdown=row["breakdown"],
        events_applied=row["events_applied"],
    )
