"""The inspection plan over HTTP: make it by risk, swap agencies, move inspections, record results.

Every change is saved and published (`eiso.compliance.inspections`) in one unit of work, under the plan
lock, so two operators changing the plan at once cannot book one inspector twice on a day.
"""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.envelope import CloudEvent, derived_id
from contracts.fields import AgencyCode, Text, clean_line
from contracts.inspections import (
    CorrectiveAction,
    Finding,
    InspectionCancelled,
    InspectionCompleted,
    InspectionData,
    InspectionMode,
    InspectionScheduled,
    InspectionStatus,
)
from contracts.topics import Topic
from services.common.auth import Caller, Role, require
from services.common.clock import local_date
from services.common.inputs import CampaignYear, Day, RequestBody, problem
from services.common.service import service_of
from services.common.uow import UnitOfWork
from services.compliance import domain, inspections, store
from services.compliance.rules import RuleSet, Window
from services.compliance.runtime import ComplianceService

router = APIRouter(tags=["inspections"])
ServiceDep = Annotated[ComplianceService, Depends(service_of)]
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


def publish(uow: UnitOfWork, data: InspectionData, kind: type[CloudEvent]) -> None:
    """Emit the inspection as it now stands; its id follows from (inspection, revision)."""
    uow.emit(
        Topic.COMPLIANCE_INSPECTIONS,
        kind.create(
            source=uow.source,
            subject=data.agency_code,
            data=data,
            time=uow.clock.now(),
            event_id=derived_id("inspection", data.inspection_id, data.revision),
        ),
    )


def revised(current: InspectionData, **changes: object) -> InspectionData:
    """The next revision of an inspection, validated like any event's data."""
    return InspectionData.model_validate(current.model_dump() | changes | {"revision": current.revision + 1})


async def save(uow: UnitOfWork, data: InspectionData, kind: type[CloudEvent]) -> InspectionData:
    await store.save_inspection(uow.session, data, uow.clock.now())
    publish(uow, data, kind)
    return data


async def candidates(uow: UnitOfWork, rules: RuleSet, year: int, day: date) -> list[inspections.Candidate]:
    """Every agency active on `day`, with what its risk is made of."""
    last = await store.last_inspected(uow.session)
    merges = await store.latest_merges(uow.session)
    reminders = await store.reminder_counts(uow.session, (year - 1, year))
    return [
        inspections.Candidate(
            code=agency["code"],
            name=agency["name"],
            score=domain.score(facts, year, rules, day).score,
            last_inspected_on=last.get(agency["code"]),
            merged_on=merges.get(agency["code"]),
            reminders=reminders.get(agency["code"], 0),
        )
        async for agency, facts in store.active_facts(uow.session, day, year)
    ]


def active(plan: list[InspectionData]) -> list[InspectionData]:
    return [i for i in plan if i.status != InspectionStatus.CANCELLED]


async def plan_out(uow: UnitOfWork, rules: RuleSet, year: int) -> PlanOut:
    campaign = rules.campaign(year)
    return PlanOut(
        year=year,
        target=campaign.inspection_target,
        window=campaign.inspection_window,
        inspections=await store.inspections_in(uow.session, year),
    )


def slot_error(error: inspections.SlotError) -> HTTPException:
    code = 409 if isinstance(error, inspections.InspectorBusyError) else 422
    return HTTPException(code, detail=problem(error.field, str(error)))


@router.post("/inspection-plans", response_model=PlanOut, status_code=201)
async def make_plan(body: PlanIn, caller: Caller, service: ServiceDep) -> PlanOut:
    """Choose the year's agencies by risk (each with its reasons) and schedule them over the working
    days of the inspection window, one inspection per inspector per day, spread across the window."""
    require(caller, Role.OPERATOR)
    campaign = service.rules.campaign(body.year)
    today = local_date(service.clock.now())
    day = body.as_of or today
    async with service.uow() as uow:
        await store.plan_lock(uow.session)
        if active(await store.inspections_in(uow.session, body.year)):
            message = (
                f"kế hoạch kiểm tra năm {body.year} đã có; "
                f"thay cơ quan bằng POST /inspection-plans/{body.year}/swaps"
            )
            raise HTTPException(409, detail=problem("year", message))
        picks = inspections.select(
            await candidates(uow, service.rules, body.year, day),
            body.target or campaign.inspection_target,
            body.year,
        )
        if not picks:
            raise HTTPException(
                422, detail=problem("year", f"không có cơ quan nào để kiểm tra năm {body.year}")
            )
        days = inspections.working_days(campaign.inspection_window, service.calendar, start=day)
        try:
            slots = inspections.spread(
                inspections.free_slots(days, body.inspectors, await store.booked(uow.session)), len(picks)
            )
        except inspections.SlotError as error:
            raise slot_error(error) from None
        for pick, (on, inspector) in zip(picks, slots, strict=True):
            data = InspectionData(
                inspection_id=str(uuid.uuid4()),
                revision=1,
                agency_code=pick.code,
                year=body.year,
                scheduled_on=on,
                inspector=inspector,
                mode=body.mode,
                status=InspectionStatus.SCHEDULED,
                risk=pick.risk,
                reasons=list(pick.reasons),
            )
            await save(uow, data, InspectionScheduled)
        out = await plan_out(uow, service.rules, body.year)
        await uow.commit()
    return out


@router.get("/inspection-plans/{year}", response_model=PlanOut)
async def get_plan(year: YearPath, caller: Caller, service: ServiceDep) -> PlanOut:
    require(caller, Role.OPERATOR, Role.SYSTEM)
    async with service.reader() as uow:
        out = await plan_out(uow, service.rules, year)
    if not out.inspections:
        raise HTTPException(404, detail=f"chưa có kế hoạch kiểm tra năm {year}")
    return out


@router.get("/agencies/{code}/inspections", response_model=list[InspectionData])
async def agency_inspections(
    code: str, caller: Caller, service: ServiceDep, year: Annotated[CampaignYear, Query()]
) -> list[InspectionData]:
    """An agency's inspections in a year; an agency key sees its own only."""
    if not caller.may_read(code):
        raise HTTPException(404, detail=f"agency {code} is unknown to compliance")
    async with service.reader() as uow:
        return await store.inspections_in(uow.session, year, code)


@router.post("/inspection-plans/{year}/swaps", response_model=PlanOut)
async def swap(year: YearPath, body: SwapIn, caller: Caller, service: ServiceDep) -> PlanOut:
    """Take one agency out of the plan and put another in its place, on the same day with the same
    inspector; the removed inspection is cancelled (and its agency told so)."""
    require(caller, Role.OPERATOR)
    today = local_date(service.clock.now())
    async with service.uow() as uow:
        await store.plan_lock(uow.session)
        plan = active(await store.inspections_in(uow.session, year))
        leaving = next((i for i in plan if i.agency_code == body.remove), None)
        if leaving is None:
            raise HTTPException(
                422, detail=problem("remove", f"{body.remove} không có trong kế hoạch {year}")
            )
        if leaving.status == InspectionStatus.COMPLETED:
            raise HTTPException(
                409, detail=problem("remove", f"{body.remove} đã được kiểm tra, không thể thay")
            )
        if any(i.agency_code == body.add for i in plan):
            raise HTTPException(409, detail=problem("add", f"{body.add} đã có trong kế hoạch {year}"))
        found = [c for c in await candidates(uow, service.rules, year, today) if c.code == body.add]
        if not found:
            raise HTTPException(422, detail=problem("add", f"{body.add} không phải cơ quan đang hoạt động"))
        pick = inspections.assess(found[0], year)
        await save(
            uow,
            revised(
                leaving,
                status=InspectionStatus.CANCELLED,
                note=f"Thay bằng {body.add}: {body.reason}"[:500],
            ),
            InspectionCancelled,
        )
        chosen = f"Cán bộ chọn thay cho {body.remove}: {body.reason}"
        await save(
            uow,
            InspectionData.model_validate(
                leaving.model_dump()
                | {
                    "inspection_id": str(uuid.uuid4()),
                    "revision": 1,
                    "agency_code": body.add,
                    "risk": pick.risk,
                    "reasons": [chosen, *pick.reasons],
                }
            ),
            InspectionScheduled,
        )
        out = await plan_out(uow, service.rules, year)
        await uow.commit()
    return out


STATUS_VI = {
    InspectionStatus.SCHEDULED: "đã lên lịch",
    InspectionStatus.CANCELLED: "đã hủy",
    InspectionStatus.COMPLETED: "đã có kết quả",
}


async def _scheduled(uow: UnitOfWork, inspection_id: str) -> InspectionData:
    found = await store.get_inspection(uow.session, inspection_id)
    if found is None:
        raise HTTPException(
            404, detail=problem("inspection_id", f"không có cuộc kiểm tra {inspection_id}", "path")
        )
    if found.status != InspectionStatus.SCHEDULED:
        state = STATUS_VI[found.status]
        raise HTTPException(
            409, detail=problem("inspection_id", f"cuộc kiểm tra {inspection_id} {state}", "path")
        )
    return found


@router.patch("/inspections/{inspection_id}", response_model=InspectionData)
async def change(inspection_id: str, body: ChangeIn, caller: Caller, service: ServiceDep) -> InspectionData:
    """Move an inspection to another day or inspector, or change its mode; the agency is told again."""
    require(caller, Role.OPERATOR)
    async with service.uow() as uow:
        await store.plan_lock(uow.session)
        current = await _scheduled(uow, inspection_id)
        changes = {k: v for k, v in body.model_dump(exclude_none=True).items() if getattr(current, k) != v}
        if not changes:
            return current  # nothing changes: nothing to tell anyone
        moved = revised(current, **changes)
        booked = await store.booked(uow.session) - {(current.inspector, current.scheduled_on)}
        try:
            window = service.rules.campaign(current.year).inspection_window
            inspections.check_slot(moved.scheduled_on, moved.inspector, window, booked, service.calendar)
        except inspections.SlotError as error:
            raise slot_error(error) from None
        await save(uow, moved, InspectionScheduled)
        await uow.commit()
    return moved


@router.post("/inspections/{inspection_id}/results", response_model=InspectionData)
async def record_result(
    inspection_id: str, body: ResultIn, caller: Caller, service: ServiceDep
) -> InspectionData:
    """The inspection was held: its findings and corrective actions (each with a due date)."""
    require(caller, Role.OPERATOR)
    if body.held_on > local_date(service.clock.now()):
        raise HTTPException(422, detail=problem("held_on", "ngày kiểm tra chưa tới"))
    for index, action in enumerate(body.corrective_actions):
        if action.due_on < body.held_on:
            raise HTTPException(
                422, detail=problem(f"corrective_actions.{index}.due_on", "hạn khắc phục trước ngày kiểm tra")
            )
        if action.finding is not None and action.finding >= len(body.findings):
            raise HTTPException(
                422, detail=problem(f"corrective_actions.{index}.finding", "không có phát hiện số này")
            )
    async with service.uow() as uow:
        await store.plan_lock(uow.session)
        current = await _scheduled(uow, inspection_id)
        if body.held_on.year != current.year:
            raise HTTPException(
                422, detail=problem("held_on", f"cuộc kiểm tra thuộc kế hoạch năm {current.year}")
            )
        done = revised(
            current,
            status=InspectionStatus.COMPLETED,
            held_on=body.held_on,
            findings=[f.model_dump() for f in body.findings],
            corrective_actions=[a.model_dump() for a in body.corrective_actions],
        )
        await save(uow, done, InspectionCompleted)
        await uow.commit()
    return done
