"""The compliance service's HTTP API."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from contracts.compliance import RuleResult
from contracts.vocabulary import ComplianceStatus, Element, Obligation
from services.common.auth import Caller, Role, require
from services.common.clock import local_date
from services.common.inputs import CampaignYear, Day, RequestBody
from services.common.service import service_of
from services.compliance import domain, report, store
from services.compliance.runtime import ComplianceService

router = APIRouter()
ServiceDep = Annotated[ComplianceService, Depends(service_of)]


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
    async with service.reader() as uow:
        year = year or local_date(uow.clock.now()).year
        row = await store.score_row(uow.session, code, year)
        if row is None:
            if not await store.replica.known(uow.session, code):
                raise HTTPException(404, detail=f"agency {code} is unknown to compliance")
            facts = await store.facts(uow.session, code)
            fresh = domain.score(facts, year, service.rules, date(year, 12, 31))
            return ComplianceOut(**fresh.model_dump(exclude={"previous_score"}), events_applied=0)
    return ComplianceOut(
        agency_code=code,
        year=year,
        score=row["score"],
        status=row["status"],
        breakdown=row["breakdown"],
        events_applied=row["events_applied"],
    )


def _as_of(service: ComplianceService, year: int, as_of: date | None) -> date:
    return as_of or min(local_date(service.clock.now()), date(year, 12, 31))


@router.get("/reports/progress", response_model=report.ProgressReport, tags=["reports"])
async def progress_report(
    caller: Caller,
    service: ServiceDep,
    year: Annotated[CampaignYear, Query()],
    as_of: Annotated[Day | None, Query()] = None,
) -> report.ProgressReport:
    """Per level: how many agencies are updated for `year` and which are not, as they stood on `as_of`
    (default: today, or the year's last day for a past year), with the Vietnamese sentence."""
    require(caller, Role.OPERATOR, Role.SYSTEM)
    day = _as_of(service, year, as_of)
    return report.progress(year, day, [status async for _, _, status in service.statuses(year, day)])


@router.get("/reports/annual", response_class=PlainTextResponse, tags=["reports"])
async def annual_report(
    caller: Caller,
    service: ServiceDep,
    year: Annotated[CampaignYear, Query()],
    as_of: Annotated[Day | None, Query()] = None,
) -> PlainTextResponse:
    """The annual report (Markdown, Vietnamese) as of a cut-off date: agencies by level and obligation,
    audits and reviews held, inspections, agencies reminded and still lagging."""
    require(caller, Role.OPERATOR, Role.SYSTEM)
    day = _as_of(service, year, as_of)
    async with service.reader() as uow:
        reminded = await store.reminded_in(uow.session, year)
        plan = await store.inspections_in(uow.session, year)
    lines = []
    async for agency, facts, status in service.statuses(year, day):
        lines.append(
            report.AnnualLine(
                status=status,
                obligation=Obligation(agency["obligation"]),
                audited=bool([e for e in facts.records(Element.INTERNAL_AUDIT, day) if e.year == year]),
                reviewed=bool([e for e in facts.records(Element.MANAGEMENT_REVIEW, day) if e.year == year]),
                reminded=agency["code"] in reminded,
            )
        )
    return PlainTextResponse(
        report.annual_markdown(year, day, lines, plan), media_type="text/markdown; charset=utf-8"
    )


class EvaluationIn(RequestBody):
    on: Day | None = Field(default=None, description="The day to evaluate; default today (giờ Việt Nam).")


class EvaluationOut(BaseModel):
    on: date
    notices: dict[str, int] = Field(description="Notices sent, by event type; re-running sends none.")


@router.post("/evaluations", response_model=EvaluationOut, tags=["deadlines"])
async def run_evaluation(body: EvaluationIn, caller: Caller, service: ServiceDep) -> EvaluationOut:
    """Evaluate deadlines and overdue findings for one day now (the daily run does the same by itself)."""
    require(caller, Role.OPERATOR)
    day = body.on or local_date(service.clock.now())
    return EvaluationOut(on=day, notices=await service.evaluate(day))
