"""The inspection plan over HTTP: make it by risk, swap agencies, move inspections, record results.
Each route parses, runs its use case (`inspections.usecases`) and maps the plan's refusals to HTTP."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.fields import AgencyCode, Paragraph, Text, clean_line
from contracts.inspections import CorrectiveAction, Finding, InspectionData, InspectionMode
from services.common.audit import by
from services.common.auth import Caller, Principal, Role, require
from services.common.inputs import CampaignYear, Day, RequestBody, problem
from services.compliance.dependencies import ServiceDep
from services.compliance.inspections import usecases
from services.compliance.inspections.domain import (
    InspectionNotFoundError,
    Plan,
    PlanConflictError,
    PlanRefusedError,
    assigned,
)
from services.compliance.scoring.rules import Window

router = APIRouter(tags=["inspections"])
YearPath = Annotated[CampaignYear, Path()]
Name = Annotated[Text, Field(min_length=1, max_length=200)]


class PlanIn(RequestBody):
    year: CampaignYear
    inspectors: list[Name] = Field(min_length=1, max_length=100, description="Who inspects; one a day each.")
    mode: InspectionMode = InspectionMode.ONSITE
    as_of: Day | None = Field(default=None, description="The day whose facts rank the risk; default today.")
    target: int | None = Field(default=None, ge=1, le=10000, description="Default: the campaign's target.")

    @field_validator("inspectors")
    @classmethod
    def _each_inspector_once(cls, names: list[str]) -> list[str]:
        seen: set[str] = set()
        for name in names:
            if (folded := clean_line(name).casefold()) in seen:
                raise ValueError(f"cán bộ kiểm tra {name!r} có tên hai lần")
            seen.add(folded)
        return [clean_line(name) for name in names]


class PlanOut(BaseModel):
    year: int
    target: int
    window: Window
    inspections: list[InspectionData] = Field(description="Cancelled ones too: the plan's history.")

    @classmethod
    def of(cls, plan: Plan) -> "PlanOut":
        return cls(year=plan.year, target=plan.target, window=plan.window, inspections=plan.inspections)


class SwapIn(RequestBody):
    remove: AgencyCode = Field(description="Agency taken out of the plan.")
    add: AgencyCode = Field(description="Agency put in its place (same day).")
    reason: Text = Field(min_length=1, max_length=300, description="Why, in the operator's words.")


class ChangeIn(RequestBody):
    scheduled_on: Day | None = None
    inspector: Name | None = None
    mode: InspectionMode | None = None


class FindingIn(Finding):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class CorrectiveActionIn(CorrectiveAction):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    due_on: Day = Field(description="Calendar day (giờ Việt Nam) by which the agency must act.")


class ResultIn(RequestBody):
    held_on: Day
    findings: list[FindingIn] = Field(default_factory=list, max_length=200)
    corrective_actions: list[CorrectiveActionIn] = Field(default_factory=list, max_length=200)


def refused(refusal: PlanRefusedError) -> HTTPException:
    """A refusal of the plan as its HTTP answer: 404 no such inspection, 409 a conflict with the plan as
    it stands, 422 otherwise; `detail` names the field at fault."""
    code = 422
    if isinstance(refusal, InspectionNotFoundError):
        code = 404
    elif isinstance(refusal, PlanConflictError):
        code = 409
    return HTTPException(code, detail=problem(refusal.field, str(refusal), refusal.location))


@router.post("/inspection-plans", response_model=PlanOut, status_code=201)
async def make_plan(body: PlanIn, caller: Caller, request: Request, service: ServiceDep) -> PlanOut:
    """Choose the year's agencies by risk (each with its reasons) and schedule them over the working
    days of the inspection window, one inspection per inspector per day, spread across the window."""
    require(caller, Role.OPERATOR)
    try:
        plan = await service.act(
            by(caller, request, f"inspection-plan:{body.year}"),
            usecases.make_plan,
            service.rules,
            service.calendar,
            body.year,
            body.inspectors,
            body.mode,
            body.as_of,
            body.target,
        )
    except PlanRefusedError as refusal:
        raise refused(refusal) from None
    return PlanOut.of(plan)


def inspector_of(caller: Principal) -> str | None:
    """An inspector sees and acts on the inspections assigned to them (by name), no other: the scope
    `assigned` filters by (None: every inspection)."""
    return caller.scope(Role.INSPECTOR)


@router.get("/inspection-plans/{year}", response_model=PlanOut)
async def get_plan(year: YearPath, caller: Caller, service: ServiceDep) -> PlanOut:
    """The plan; an inspector sees their own inspections in it."""
    require(caller, Role.OPERATOR, Role.SYSTEM, Role.VIEWER, Role.INSPECTOR)
    plan = await service.query(usecases.plan_of, service.rules, year)
    if not plan.inspections:
        raise HTTPException(404, detail=f"chưa có kế hoạch kiểm tra năm {year}")
    shown = PlanOut.of(plan)
    return shown.model_copy(update={"inspections": assigned(shown.inspections, inspector_of(caller))})


@router.get("/agencies/{code}/inspections", response_model=list[InspectionData])
async def agency_inspections(
    code: str, caller: Caller, service: ServiceDep, year: Annotated[CampaignYear, Query()]
) -> list[InspectionData]:
    """An agency's inspections in a year; an agency key sees its own only."""
    if not caller.may_read(code):
        raise HTTPException(404, detail=f"agency {code} is unknown to compliance")
    return assigned(await service.query(usecases.inspections_of, year, code), inspector_of(caller))


@router.post("/inspection-plans/{year}/swaps", response_model=PlanOut)
async def swap(
    year: YearPath, body: SwapIn, caller: Caller, request: Request, service: ServiceDep
) -> PlanOut:
    """Take one agency out of the plan and put another in its place, on the same day with the same
    inspector; the removed inspection is cancelled (and its agency told so)."""
    require(caller, Role.OPERATOR)
    try:
        plan = await service.act(
            by(caller, request, f"inspection-plan:{year}"),
            usecases.swap,
            service.rules,
            year,
            body.remove,
            body.add,
            body.reason,
        )
    except PlanRefusedError as refusal:
        raise refused(refusal) from None
    return PlanOut.of(plan)


@router.patch("/inspections/{inspection_id}", response_model=InspectionData)
async def change(
    inspection_id: str, body: ChangeIn, caller: Caller, request: Request, service: ServiceDep
) -> InspectionData:
    """Move an inspection to another day or inspector, or change its mode; the agency is told again."""
    require(caller, Role.OPERATOR)
    try:
        return await service.act(
            by(caller, request, f"inspection:{inspection_id}"),
            usecases.move,
            service.rules,
            service.calendar,
            inspection_id,
            body.scheduled_on,
            body.inspector,
            body.mode,
        )
    except PlanRefusedError as refusal:
        raise refused(refusal) from None


@router.post("/inspections/{inspection_id}/results", response_model=InspectionData)
async def record_result(
    inspection_id: str, body: ResultIn, caller: Caller, request: Request, service: ServiceDep
) -> InspectionData:
    """The inspection was held: its findings and corrective actions (each with a due date). An
    inspector records the results of their own inspections."""
    require(caller, Role.OPERATOR, Role.INSPECTOR)
    try:
        return await service.act(
            by(caller, request, f"inspection:{inspection_id}"),
            usecases.record_result,
            inspection_id,
            body.held_on,
            body.findings,
            body.corrective_actions,
            inspector_of(caller),
        )
    except PlanRefusedError as refusal:
        raise refused(refusal) from None


class ActionDoneIn(RequestBody):
    done_on: Day = Field(description="The day it was done (giờ Việt Nam).")
    evidence: Paragraph = Field(
        min_length=1, max_length=2000, description="What shows it done, e.g. the document's number and title."
    )


@router.post("/inspections/{inspection_id}/corrective-actions/{index}/done", response_model=InspectionData)
async def report_action_done(
    inspection_id: str,
    index: Annotated[int, Path(ge=0, le=199, description="The action's place in the list, from 0.")],
    body: ActionDoneIn,
    caller: Caller,
    request: Request,
    service: ServiceDep,
) -> InspectionData:
    """The agency reports a corrective action done, with its evidence: the agency's own officer (an
    inspection of another agency is, to them, not there) or the department."""
    require(caller, Role.OPERATOR, Role.AGENCY)
    try:
        return await service.act(
            by(caller, request, f"inspection:{inspection_id}/corrective-actions/{index}"),
            usecases.report_action_done,
            inspection_id,
            index,
            body.done_on,
            body.evidence,
            caller.agency_code if caller.role == Role.AGENCY else None,
        )
    except PlanRefusedError as refusal:
        raise refused(refusal) from None
