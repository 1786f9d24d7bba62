"""The department's inspection planning (an operator's): the year's plan made by compliance from the
inspectors, the mode, the number of agencies and the day whose facts rank the risk; then, per
inspection, an agency swapped for another (with the operator's reason) or the inspection moved to
another day, inspector or mode. Compliance chooses, schedules and refuses; the portal reads the form
as people here write it (names one a line, dates dd/mm/yyyy) and puts a refusal beside its field."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.inspections import MODE_VI, InspectionMode
from services.portal.clients import ApiError
from services.portal.forms import DayError, FormErrors, parse_day
from services.portal.lookups import names_of
from services.portal.pages.inspections import InspectionId, Year, listing, one
from services.portal.pages.render import day, page, year_or_this
from services.portal.people import Person, SignedIn

router = APIRouter(tags=["inspections"])
#: The plan form's fields compliance may refuse by name (`year` is the page's: its refusal, e.g. a
#: plan already made, goes on top of the form).
PLAN_FIELDS = {"inspectors", "mode", "target", "as_of"}
SWAP_FIELDS = {"add", "reason"}
MOVE_FIELDS = {"scheduled_on", "inspector", "mode"}
#: Inspectors' names as typed: one a line, or separated by commas or semicolons.
_SEPARATORS = re.compile(r"[\n,;]")
Line = Annotated[str, Form(max_length=400)]
Lines = Annotated[str, Form(max_length=8000)]


def inspectors_of(typed: str) -> list[str]:
    """The names in the box, in the order typed, blanks left out."""
    return [name.strip() for name in _SEPARATORS.split(typed) if name.strip()]


def plan_body(year: int, values: dict[str, str], errors: FormErrors) -> dict[str, Any]:
    """The plan as compliance takes it (`PlanIn`); `errors` gets what cannot be read, by field. An
    empty target or day is left to compliance's defaults (the campaign's target, today)."""
    names = inspectors_of(values["inspectors"])
    if not names:
        errors.add("inspectors", "Chưa điền tên cán bộ kiểm tra.")
    target = values["target"].strip()
    if target and not target.isdigit():
        errors.add("target", "Số cơ quan phải là một số, ví dụ 20.")
    as_of = None
    if values["as_of"].strip():
        try:
            as_of = parse_day(values["as_of"]).isoformat()
        except DayError as wrong:
            errors.add("as_of", str(wrong))
    body: dict[str, Any] = {"year": year, "inspectors": names, "mode": values["mode"]}
    if target.isdigit():
        body["target"] = int(target)
    if as_of:
        body["as_of"] = as_of
    return body


@router.post("/inspections/plan", response_class=HTMLResponse)
async def make_plan(
    request: Request,
    who: SignedIn,
    csrf_token: Line = "",
    year: Annotated[int, Form(ge=2000, le=2100)] = 0,
    inspectors: Lines = "",
    mode: Annotated[str, Form(max_length=20)] = InspectionMode.ONSITE.value,
    target: Annotated[str, Form(max_length=10)] = "",
    as_of: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """The plan made by compliance, as the operator; a refusal comes back beside its field."""
    who.check_form(csrf_token)
    shown = year or year_or_this(request, None)
    values = {"inspectors": inspectors, "mode": mode, "target": target, "as_of": as_of}
    errors = FormErrors()
    body = plan_body(shown, values, errors)
    if errors:
        return await listing(request, who, shown, values, errors, status=422)
    try:
        await who.api.post("compliance", "/inspection-plans", body)
    except ApiError as refused:
        errors = FormErrors.beside_fields(refused, PLAN_FIELDS)
        return await listing(request, who, shown, values, errors, status=refused.status)
    return RedirectResponse(f"/inspections?year={shown}&done=planned", status_code=303)


async def _change_page(
    request: Request,
    who: Person,
    inspection: dict[str, Any],
    swap: dict[str, str] | None = None,
    move: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    failed: str = "",
    status: int = 200,
) -> HTMLResponse:
    """The inspection with its two forms: swap its agency, move it. `failed` names the form whose
    refusal `errors` holds."""
    name = (await names_of(who, {inspection["agency_code"]}))[inspection["agency_code"]]
    moved = {
        "scheduled_on": day(inspection["scheduled_on"]),
        "inspector": inspection["inspector"],
        "mode": inspection["mode"],
    }
    return page(
        request,
        who,
        "inspection_change.html",
        status,
        title=f"Thay đổi kế hoạch kiểm tra: {name}",
        inspection=inspection,
        name=name,
        swap=swap or {"add": "", "reason": ""},
        move=move or moved,
        errors=errors or FormErrors(),
        failed=failed,
        modes=[(m.value, MODE_VI[m]) for m in InspectionMode],
        mode_vi=MODE_VI,
    )


@router.get("/inspections/{inspection_id}/change", response_class=HTMLResponse)
async def change_form(
    request: Request, who: SignedIn, inspection_id: InspectionId, year: Year = None
) -> HTMLResponse:
    """The forms that swap the inspection's agency for another and move it."""
    inspection = await one(who, year_or_this(request, year), inspection_id)
    return await _change_page(request, who, inspection)


@router.post("/inspections/{inspection_id}/swap", response_class=HTMLResponse)
async def swap(
    request: Request,
    who: SignedIn,
    inspection_id: InspectionId,
    year: Year = None,
    csrf_token: Line = "",
    add: Annotated[str, Form(max_length=64)] = "",
    reason: Line = "",
) -> Response:
    """The agency taken out of the plan, another put in its place (same day, same inspector), as the
    operator; a refusal comes back beside its field."""
    who.check_form(csrf_token)
    inspection = await one(who, year_or_this(request, year), inspection_id)
    values, errors = {"add": add, "reason": reason}, FormErrors()
    if not add.strip():
        errors.add("add", "Chưa điền mã định danh cơ quan.")
    if errors:
        return await _change_page(
            request, who, inspection, swap=values, errors=errors, failed="swap", status=422
        )
    body = {"remove": inspection["agency_code"], "add": add.strip(), "reason": reason.strip()}
    try:
        await who.api.post("compliance", f"/inspection-plans/{inspection['year']}/swaps", body)
    except ApiError as refused:
        errors = FormErrors.beside_fields(refused, SWAP_FIELDS)
        return await _change_page(
            request, who, inspection, swap=values, errors=errors, failed="swap", status=refused.status
        )
    return RedirectResponse(f"/inspections?year={inspection['year']}&done=swapped", status_code=303)


@router.post("/inspections/{inspection_id}/move", response_class=HTMLResponse)
async def move(
    request: Request,
    who: SignedIn,
    inspection_id: InspectionId,
    year: Year = None,
    csrf_token: Line = "",
    scheduled_on: Annotated[str, Form(max_length=40)] = "",
    inspector: Line = "",
    mode: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """The inspection moved to another day, inspector or mode, as the operator; a refusal (a day off, a
    day outside the inspection window, an inspector already out that day) comes back beside its field."""
    who.check_form(csrf_token)
    inspection = await one(who, year_or_this(request, year), inspection_id)
    values = {"scheduled_on": scheduled_on, "inspector": inspector, "mode": mode}
    errors = FormErrors()
    on = ""
    try:
        on = parse_day(scheduled_on).isoformat()
    except DayError as wrong:
        errors.add("scheduled_on", str(wrong))
    if errors:
        return await _change_page(
            request, who, inspection, move=values, errors=errors, failed="move", status=422
        )
    body = {"scheduled_on": on, "inspector": inspector.strip(), "mode": mode}
    try:
        await who.api.patch("compliance", f"/inspections/{inspection_id}", body)
    except ApiError as refused:
        errors = FormErrors.beside_fields(refused, MOVE_FIELDS)
        return await _change_page(
            request, who, inspection, move=values, errors=errors, failed="move", status=refused.status
        )
    where = f"/inspections?year={inspection['year']}&done=moved#inspection-{inspection_id}"
    return RedirectResponse(where, status_code=303)
