"""The inspection plan's use cases: make it by risk, swap agencies, move inspections, record results,
and read it; and compliance's own inspection events read back (a rebuild restores the plan).

Every change is saved and published (`eiso.compliance.inspections`) in one unit of work, under the plan
lock, so two operators changing the plan at once cannot book one inspector twice on a day.
"""

import uuid
from collections.abc import Sequence
from datetime import date

from contracts.envelope import CloudEvent, derived_id
from contracts.inspections import (
    CorrectiveAction,
    CorrectiveActionDone,
    Finding,
    InspectionCancelled,
    InspectionCompleted,
    InspectionData,
    InspectionMode,
    InspectionScheduled,
    InspectionStatus,
)
from contracts.topics import Topic
from services.common.clock import local_date
from services.common.workdays import WorkingDays
from services.compliance.inspections import domain
from services.compliance.inspections.domain import (
    STATE_VI,
    Candidate,
    InspectionNotFoundError,
    Plan,
    PlanConflictError,
    PlanRefusedError,
)
from services.compliance.scoring import domain as scoring
from services.compliance.scoring.rules import RuleSet
from services.compliance.unit_of_work import ComplianceUnitOfWork


async def make_plan(
    uow: ComplianceUnitOfWork,
    rules: RuleSet,
    calendar: WorkingDays,
    year: int,
    inspectors: Sequence[str],
    mode: InspectionMode,
    as_of: date | None,
    target: int | None,
) -> Plan:
    """Choose the year's agencies by risk (each with its reasons) as the facts stood on `as_of`
    (default today) and schedule them over the working days of the inspection window, one inspection
    per inspector per day, spread across the window."""
    campaign = rules.campaign(year)
    day = as_of or local_date(uow.clock.now())
    await uow.inspections.lock_plan()
    if domain.active(await uow.inspections.in_year(year)):
        message = f"kế hoạch kiểm tra năm {year} đã có; thay cơ quan bằng POST /inspection-plans/{year}/swaps"
        raise PlanConflictError(message, "year")
    picks = domain.select(await candidates(uow, rules, year, day), target or campaign.inspection_target, year)
    if not picks:
        raise PlanRefusedError(f"không có cơ quan nào để kiểm tra năm {year}", "year")
    days = domain.working_days(campaign.inspection_window, calendar, start=day)
    slots = domain.spread(domain.free_slots(days, inspectors, await uow.inspections.booked()), len(picks))
    for pick, (on, inspector) in zip(picks, slots, strict=True):
        data = InspectionData(
            inspection_id=str(uuid.uuid4()),
            revision=1,
            agency_code=pick.code,
            year=year,
            scheduled_on=on,
            inspector=inspector,
            mode=mode,
            status=InspectionStatus.SCHEDULED,
            risk=pick.risk,
            reasons=list(pick.reasons),
        )
        await _save(uow, data, InspectionScheduled)
    return await plan_of(uow, rules, year)


async def swap(
    uow: ComplianceUnitOfWork, rules: RuleSet, year: int, remove: str, add: str, reason: str
) -> Plan:
    """Take one agency out of the plan and put another in its place, on the same day with the same
    inspector; the removed inspection is cancelled (and its agency told so)."""
    today = local_date(uow.clock.now())
    await uow.inspections.lock_plan()
    plan = domain.active(await uow.inspections.in_year(year))
    leaving = next((i for i in plan if i.agency_code == remove), None)
    if leaving is None:
        raise PlanRefusedError(f"{remove} không có trong kế hoạch {year}", "remove")
    if not domain.may_become(leaving.status, InspectionStatus.CANCELLED):
        raise PlanConflictError(f"{remove} đã được kiểm tra, không thể thay", "remove")
    if any(i.agency_code == add for i in plan):
        raise PlanConflictError(f"{add} đã có trong kế hoạch {year}", "add")
    found = [c for c in await candidates(uow, rules, year, today) if c.code == add]
    if not found:
        raise PlanRefusedError(f"{add} không phải cơ quan đang hoạt động", "add")
    pick = domain.assess(found[0], year)
    cancelled = domain.revised(
        leaving, status=InspectionStatus.CANCELLED, note=f"Thay bằng {add}: {reason}"[:500]
    )
    await _save(uow, cancelled, InspectionCancelled)
    chosen = f"Cán bộ chọn thay cho {remove}: {reason}"
    replacement = InspectionData.model_validate(
        leaving.model_dump()
        | {
            "inspection_id": str(uuid.uuid4()),
            "revision": 1,
            "agency_code": add,
            "risk": pick.risk,
            "reasons": [chosen, *pick.reasons],
        }
    )
    await _save(uow, replacement, InspectionScheduled)
    return await plan_of(uow, rules, year)


async def move(
    uow: ComplianceUnitOfWork,
    rules: RuleSet,
    calendar: WorkingDays,
    inspection_id: str,
    scheduled_on: date | None,
    inspector: str | None,
    mode: InspectionMode | None,
) -> InspectionData:
    """Move an inspection to another day or inspector, or change its mode; the agency is told again
    (nothing is told when nothing changes)."""
    await uow.inspections.lock_plan()
    current = await _changeable(uow, inspection_id, InspectionStatus.SCHEDULED)
    asked = {"scheduled_on": scheduled_on, "inspector": inspector, "mode": mode}
    changes = {k: v for k, v in asked.items() if v is not None and getattr(current, k) != v}
    if not changes:
        return current
    moved = domain.revised(current, **changes)
    booked = await uow.inspections.booked() - {(current.inspector, current.scheduled_on)}
    window = rules.campaign(current.year).inspection_window
    domain.check_slot(moved.scheduled_on, moved.inspector, window, booked, calendar)
    await _save(uow, moved, InspectionScheduled)
    return moved


async def record_result(
    uow: ComplianceUnitOfWork,
    inspection_id: str,
    held_on: date,
    findings: Sequence[Finding],
    corrective_actions: Sequence[CorrectiveAction],
    inspector: str | None = None,
) -> InspectionData:
    """The inspection was held: its findings and corrective actions (each with a due date). Given an
    `inspector`, only an inspection assigned to them (any other is, to them, not there)."""
    domain.check_result(held_on, local_date(uow.clock.now()), corrective_actions, len(findings))
    await uow.inspections.lock_plan()
    current = await _changeable(uow, inspection_id, InspectionStatus.COMPLETED)
    if not domain.assigned([current], inspector):
        raise InspectionNotFoundError(f"không có cuộc kiểm tra {inspection_id}", "inspection_id", "path")
    if held_on.year != current.year:
        raise PlanRefusedError(f"cuộc kiểm tra thuộc kế hoạch năm {current.year}", "held_on")
    done = domain.revised(
        current,
        status=InspectionStatus.COMPLETED,
        held_on=held_on,
        findings=[f.model_dump() for f in findings],
        corrective_actions=[a.model_dump() for a in corrective_actions],
    )
    await _save(uow, done, InspectionCompleted)
    return done


async def report_action_done(
    uow: ComplianceUnitOfWork,
    inspection_id: str,
    index: int,
    done_on: date,
    evidence: str,
    agency_code: str | None = None,
) -> InspectionData:
    """The agency reports a corrective action done, with what shows it. Given an `agency_code` (an
    agency's officer), only that agency's inspections (any other is, to them, not there)."""
    await uow.inspections.lock_plan()
    current = await uow.inspections.get(inspection_id)
    if current is None or (agency_code is not None and current.agency_code != agency_code):
        raise InspectionNotFoundError(f"không có cuộc kiểm tra {inspection_id}", "inspection_id", "path")
    done = domain.action_done(current, index, done_on, evidence, local_date(uow.clock.now()))
    await _save(uow, done, CorrectiveActionDone)
    return done


async def plan_of(uow: ComplianceUnitOfWork, rules: RuleSet, year: int) -> Plan:
    """A year's plan as it stands (no inspections: no plan yet)."""
    campaign = rules.campaign(year)
    return Plan(
        year=year,
        target=campaign.inspection_target,
        window=campaign.inspection_window,
        inspections=await uow.inspections.in_year(year),
    )


async def inspections_of(uow: ComplianceUnitOfWork, year: int, agency_code: str) -> list[InspectionData]:
    """An agency's inspections in a year."""
    return await uow.inspections.in_year(year, agency_code)


async def inspection_read_back(
    uow: ComplianceUnitOfWork,
    event: InspectionScheduled | InspectionCancelled | InspectionCompleted | CorrectiveActionDone,
) -> None:
    """Compliance's own inspection events read back: the API already saved them; a rebuild from the
    topics restores them. The highest revision of each inspection wins."""
    known = await uow.inspections.get(event.data.inspection_id)
    if known is None or known.revision < event.data.revision:
        await uow.inspections.save(event.data, uow.clock.now())


async def candidates(uow: ComplianceUnitOfWork, rules: RuleSet, year: int, day: date) -> list[Candidate]:
    """Every agency active on `day`, with what its risk is made of."""
    last = await uow.inspections.last_inspected()
    merges = await uow.scores.latest_merges()
    reminders = await uow.notices.reminder_counts((year - 1, year))
    return [
        Candidate(
            code=agency.code,
            name=agency.name,
            score=scoring.score(facts, year, rules, day).score,
            last_inspected_on=last.get(agency.code),
            merged_on=merges.get(agency.code),
            reminders=reminders.get(agency.code, 0),
        )
        async for agency, facts in uow.scores.active_facts(day, year)
    ]


async def _changeable(
    uow: ComplianceUnitOfWork, inspection_id: str, becoming: InspectionStatus
) -> InspectionData:
    """The inspection, if it may become `becoming` (only a scheduled one may change)."""
    found = await uow.inspections.get(inspection_id)
    if found is None:
        raise InspectionNotFoundError(f"không có cuộc kiểm tra {inspection_id}", "inspection_id", "path")
    if not domain.may_become(found.status, becoming):
        raise PlanConflictError(
            f"cuộc kiểm tra {inspection_id} {STATE_VI[found.status]}", "inspection_id", "path"
        )
    return found


async def _save(uow: ComplianceUnitOfWork, data: InspectionData, kind: type[CloudEvent]) -> None:
    """Save the inspection as it now stands and publish it; its event id follows from (inspection,
    revision)."""
    await uow.inspections.save(data, uow.clock.now())
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
