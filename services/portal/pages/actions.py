"""A corrective action an inspection asked of an agency, reported done by its officer with what shows
it (compliance keeps the action, its due date and, now, its done date and evidence)."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.fields import AGENCY_CODE
from services.portal.clients import ApiError
from services.portal.forms import DayError, FormErrors, parse_day
from services.portal.pages.render import page, today
from services.portal.people import Person, SignedIn

router = APIRouter(tags=["inspections"])
Code = Annotated[str, Path(pattern=AGENCY_CODE)]
InspectionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,36}$")]
Index = Annotated[int, Path(ge=0, le=199)]


async def _action(who: Person, code: str, year: int, inspection_id: str, index: int) -> tuple[Any, Any]:
    found = await who.api.get("compliance", f"/agencies/{code}/inspections", year=year)
    for inspection in found:
        if inspection["inspection_id"] == inspection_id and index < len(inspection["corrective_actions"]):
            return inspection, inspection["corrective_actions"][index]
    raise ApiError("compliance", 404, f"no corrective action {index} of {inspection_id}")


def _form(
    request: Request,
    who: Person,
    code: str,
    inspection: Any,
    index: int,
    values: dict[str, str],
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    action = inspection["corrective_actions"][index]
    return page(
        request,
        who,
        "action_done.html",
        status,
        title="Báo cáo hoàn thành khắc phục",
        code=code,
        inspection=inspection,
        index=index,
        action=action,
        values=values,
        errors=errors or FormErrors(),
    )


@router.get("/agencies/{code}/inspections/{inspection_id}/actions/{index}", response_class=HTMLResponse)
async def action_form(
    request: Request, who: SignedIn, code: Code, inspection_id: InspectionId, index: Index, year: int
) -> HTMLResponse:
    inspection, _ = await _action(who, code, year, inspection_id, index)
    values = {"done_on": f"{today(request):%d/%m/%Y}", "evidence": ""}
    return _form(request, who, code, inspection, index, values)


@router.post("/agencies/{code}/inspections/{inspection_id}/actions/{index}", response_class=HTMLResponse)
async def report_done(
    request: Request,
    who: SignedIn,
    code: Code,
    inspection_id: InspectionId,
    index: Index,
    year: int,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    done_on: Annotated[str, Form(max_length=40)] = "",
    evidence: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Sent to compliance as the officer; a refusal comes back beside its field."""
    who.check_form(csrf_token)
    inspection, _ = await _action(who, code, year, inspection_id, index)
    values, errors = {"done_on": done_on, "evidence": evidence}, FormErrors()
    try:
        day = parse_day(done_on)
    except DayError as wrong:
        errors.add("done_on", str(wrong))
    if not evidence.strip():
        errors.add("evidence", "Chưa điền minh chứng.")
    if errors:
        return _form(request, who, code, inspection, index, values, errors, 422)
    body = {"done_on": day.isoformat(), "evidence": evidence.strip()}
    try:
        await who.api.post(
            "compliance", f"/inspections/{inspection_id}/corrective-actions/{index}/done", body
        )
    except ApiError as refused:
        errors = FormErrors.beside_fields(refused, {"done_on", "evidence"})
        return _form(request, who, code, inspection, index, values, errors, refused.status)
    return RedirectResponse(f"/agencies/{code}?year={year}#inspections", status_code=303)
