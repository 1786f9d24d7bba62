"""Inspections in the portal: the year's plan (an inspector sees their own only, compliance shows each
inspector only theirs; the department sees it all, with the reasons each agency was chosen), and the
form that records an inspection's results on site, from a phone — findings (severity, ISO clause, what
was seen) and corrective actions (what, by when, answering which finding). Making and changing the
plan is `inspection_plan`."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.identity import Role
from contracts.inspections import INSPECTION_STATUS_VI, MODE_VI, SEVERITY_VI, InspectionMode, Severity
from services.portal.clients import ApiError
from services.portal.forms import DayError, FormErrors, parse_day
from services.portal.lookups import names_of
from services.portal.pages.render import page, today, year_or_this
from services.portal.people import Person, SignedIn

router = APIRouter(tags=["inspections"])
InspectionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,36}$")]
Year = Annotated[int | None, Query(ge=2000, le=2100)]
Done = Annotated[str | None, Query(max_length=20)]
#: Rows the results form offers (blank rows are left out): enough for one visit.
FINDING_ROWS, ACTION_ROWS = 5, 5


async def plan_in(who: Person, year: int) -> dict[str, Any] | None:
    """The year's plan as compliance shows it to the person (None before it is made)."""
    try:
        plan: dict[str, Any] = await who.api.get("compliance", f"/inspection-plans/{year}")
    except ApiError as missing:
        if missing.status == 404:
            return None
        raise
    return plan


def in_order(plan: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The plan's inspections by day, then agency (none before the plan is made)."""
    found = plan["inspections"] if plan else []
    return sorted(found, key=lambda i: (i["scheduled_on"], i["agency_code"]))


async def plan_of(who: Person, year: int) -> list[dict[str, Any]]:
    """The inspections of the year the person may see (none before the plan is made)."""
    return in_order(await plan_in(who, year))


#: The confirmations a change to the plan comes back with (`?done=`).
NOTICES = {
    "planned": "Đã lập kế hoạch kiểm tra; mỗi cơ quan được chọn kèm theo lý do lựa chọn.",
    "moved": "Đã lưu lịch kiểm tra mới.",
    "swapped": "Đã đổi cơ quan: cuộc kiểm tra của cơ quan bị thay đã hủy, cơ quan mới kiểm tra cùng ngày.",
}


async def listing(
    request: Request,
    who: Person,
    year: int,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    notice: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The year's inspections; for the department (an operator) also what plans them: the form that
    makes the plan while there is none, and each inspection's way to be swapped or moved. Who may
    change what is compliance's to decide; the page only leaves out what the role cannot use."""
    plan = await plan_in(who, year)
    found = in_order(plan)
    names = await names_of(who, {i["agency_code"] for i in found})
    role = who.principal.role
    return page(
        request,
        who,
        "inspections.html",
        status,
        title=f"Kiểm tra năm {year}",
        year=year,
        plan=plan,
        inspections=found,
        names=names,
        mode_vi=MODE_VI,
        status_vi=INSPECTION_STATUS_VI,
        severity_vi=SEVERITY_VI,
        planner=role == Role.OPERATOR,
        may_record=role in (Role.OPERATOR, Role.INSPECTOR),
        modes=[(m.value, MODE_VI[m]) for m in InspectionMode],
        values=values or {"mode": InspectionMode.ONSITE.value},
        errors=errors or FormErrors(),
        notice=notice,
    )


@router.get("/inspections", response_class=HTMLResponse)
async def inspections(request: Request, who: SignedIn, year: Year = None, done: Done = None) -> HTMLResponse:
    return await listing(request, who, year_or_this(request, year), notice=NOTICES.get(done or ""))


async def one(who: Person, year: int, inspection_id: str) -> dict[str, Any]:
    """One inspection of the year's plan, if the person may see it (else a 404, as compliance says)."""
    found = [i for i in await plan_of(who, year) if i["inspection_id"] == inspection_id]
    if not found:
        raise ApiError("compliance", 404, f"no inspection {inspection_id}")
    return found[0]


def _results_form(
    request: Request,
    who: Person,
    inspection: dict[str, Any],
    name: str,
    values: dict[str, str],
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    return page(
        request,
        who,
        "inspection_results.html",
        status,
        title=f"Kết quả kiểm tra: {name}",
        inspection=inspection,
        values=values,
        errors=errors or FormErrors(),
        finding_rows=range(FINDING_ROWS),
        action_rows=range(ACTION_ROWS),
        severities=[(s.value, SEVERITY_VI[s]) for s in Severity],
    )


@router.get("/inspections/{inspection_id}/results", response_class=HTMLResponse)
async def results_form(
    request: Request, who: SignedIn, inspection_id: InspectionId, year: Year = None
) -> HTMLResponse:
    inspection = await one(who, year_or_this(request, year), inspection_id)
    names = await names_of(who, {inspection["agency_code"]})
    values = {"held_on": f"{today(request):%d/%m/%Y}"}
    return _results_form(request, who, inspection, names[inspection["agency_code"]], values)


def results_body(form: dict[str, str], errors: FormErrors) -> dict[str, Any]:
    """The results the form holds (blank rows left out), dates read as dd/mm/yyyy; `errors` gets
    what cannot be read, by field."""
    findings, actions = [], []
    for row in range(FINDING_ROWS):
        text = form.get(f"finding-{row}-description", "").strip()
        if text:
            clause = form.get(f"finding-{row}-clause", "").strip() or None
            severity = form.get(f"finding-{row}-severity")
            findings.append({"description": text, "severity": severity, "clause": clause})
    for row in range(ACTION_ROWS):
        text = form.get(f"action-{row}-description", "").strip()
        if not text:
            continue
        due = ""
        try:
            due = parse_day(form.get(f"action-{row}-due_on", "")).isoformat()
        except DayError as wrong:
            errors.add(f"action-{row}-due_on", str(wrong))
        answers = form.get(f"action-{row}-finding", "")
        answered = int(answers) if answers.isdigit() else None
        actions.append({"description": text, "due_on": due, "finding": answered})
    held = ""
    try:
        held = parse_day(form.get("held_on", "")).isoformat()
    except DayError as wrong:
        errors.add("held_on", str(wrong))
    return {"held_on": held, "findings": findings, "corrective_actions": actions}


def field_of(name: str) -> str:
    """A refused field of the results (`findings.0.description`) as the form's field's name."""
    parts = name.split(".")
    kinds = {"findings": "finding", "corrective_actions": "action"}
    if len(parts) >= 3 and parts[0] in kinds and parts[1].isdigit():
        return f"{kinds[parts[0]]}-{parts[1]}-{parts[2]}"
    return parts[0]


@router.post("/inspections/{inspection_id}/results", response_class=HTMLResponse)
async def record_results(
    request: Request, who: SignedIn, inspection_id: InspectionId, year: Year = None
) -> Response:
    """Sent to compliance as the inspector; what it refuses comes back beside its field."""
    form = {key: str(value) for key, value in (await request.form()).items()}
    who.check_form(form.get("csrf_token", ""))
    shown = year_or_this(request, year)
    inspection = await one(who, shown, inspection_id)
    name = (await names_of(who, {inspection["agency_code"]}))[inspection["agency_code"]]
    errors = FormErrors()
    body = results_body(form, errors)
    if errors:
        return _results_form(request, who, inspection, name, form, errors, 422)
    try:
        await who.api.post("compliance", f"/inspections/{inspection_id}/results", body)
    except ApiError as refused:
        if refused.status != 422:
            raise
        errors = FormErrors.of(refused, set(form) | {"held_on"}, field_of)
        return _results_form(request, who, inspection, name, form, errors, 422)
    return RedirectResponse(f"/inspections?year={shown}&recorded={inspection_id}", status_code=303)
