"""An agency's page ("Cơ quan của tôi" for its ISO officer; the same page for the department): the
year's status as compliance scored it, each rule met or not and why, the records behind it as the
registry holds them, what is still missing and the days left; and the form that submits a record."""

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.deliveries import CHANNEL_VI, HOLD_CAUSE_VI, NOTIFICATION_STATUS_VI, REASON_VI
from contracts.fields import AGENCY_CODE
from contracts.identity import Role
from contracts.inspections import INSPECTION_STATUS_VI, MODE_VI, SEVERITY_VI
from contracts.training import ENROLMENT_STATUS_VI, TRAINING_ROLE_VI
from contracts.vocabulary import COMPLIANCE_STATUS_VI, ELEMENT_VI, LEVEL_VI, UPDATE_ELEMENTS, Element
from services.portal.clients import ApiError
from services.portal.forms import DayError, FormErrors, parse_day
from services.portal.pages.render import page
from services.portal.people import Person, SignedIn

router = APIRouter(tags=["agency"])
Code = Annotated[str, Path(pattern=AGENCY_CODE)]
#: The fields of the record form, as the registry names them.
RECORD_FIELDS = {"year", "occurred_on", "document_ref", "title", "notes", "submitted_by"}
#: While a record just sent is not yet in the status, the page looks again this often.
REFRESH_SECONDS = 3


@dataclass(frozen=True)
class ElementRow:
    element: Element
    name: str
    required: bool
    missing: bool
    record: dict[str, Any] | None


def record_channel_vi(channel: str) -> str:
    return "nhập trực tiếp trên hệ thống" if channel == "api" else f"phần mềm ISO điện tử ({channel})"


async def listed_if_answered(
    who: Person, service: str, path: str, passed_on: tuple[int, ...], **query: Any
) -> list[dict[str, Any]]:
    """A list from a part of the deployment the page can do without: none where that service is not
    deployed or does not answer; the answers in `passed_on` go to the portal's error page instead."""
    try:
        found: list[dict[str, Any]] = await who.api.get(service, path, **query)
    except ApiError as unavailable:
        if unavailable.status in passed_on:
            raise
        return []
    return found


async def reminders_of(who: Person, code: str) -> list[dict[str, Any]]:
    """The messages the notifier sent (or holds) for the agency, newest first; none where the notifier
    is not part of the deployment or does not answer (the page still shows the rest)."""
    return await listed_if_answered(who, "notifier", "/notifications", (401, 403, 404), agency=code, limit=50)


async def training_places_of(who: Person, code: str, year: int) -> list[dict[str, Any]]:
    """The agency's staff's places in the year's training sessions, with their certificates; none where
    training is not part of the deployment or does not answer, does not know the agency yet (404: its
    copy follows the registry), or does not show this person's role the places (403): the page still
    shows the rest, as the registry and compliance let this person see it."""
    return await listed_if_answered(who, "training", f"/agencies/{code}/enrolments", (401,), year=year)


@router.get("/my-agency", response_class=RedirectResponse, status_code=303)
async def my_agency(who: SignedIn) -> RedirectResponse:
    """The officer's own agency; anyone else starts from the home page."""
    if who.principal.agency_code:
        return RedirectResponse(f"/agencies/{who.principal.agency_code}", status_code=303)
    return RedirectResponse("/", status_code=303)


@router.get("/agencies/{code}", response_class=HTMLResponse)
async def agency_page(
    request: Request,
    code: Code,
    who: SignedIn,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    sent: Element | None = None,
) -> HTMLResponse:
    standing = await who.api.get("compliance", f"/agencies/{code}/compliance", year=year)
    shown_year = standing["year"]
    agency, records, inspections, messages, places = await asyncio.gather(
        who.api.get("registry", f"/agencies/{code}"),
        who.api.get("registry", f"/agencies/{code}/records", year=shown_year),
        who.api.get("compliance", f"/agencies/{code}/inspections", year=shown_year),
        reminders_of(who, code),
        training_places_of(who, code, shown_year),
    )
    current = {r["element"]: r for r in records}
    missing = set(standing["missing"])
    rows = [
        ElementRow(
            element,
            ELEMENT_VI[element],
            element in UPDATE_ELEMENTS,
            element in missing,
            current.get(element.value),
        )
        for element in Element
    ]
    waiting = sent is not None and sent.value in missing  # sent, not yet scored: look again shortly
    return page(
        request,
        who,
        "agency.html",
        title=agency["name"],
        agency=agency,
        level=LEVEL_VI.get(agency["level"], agency["level"]),
        standing=standing,
        status_vi=COMPLIANCE_STATUS_VI[standing["status"]],
        rows=rows,
        missing=[row for row in rows if row.missing],
        rules=standing["breakdown"],
        record_channel_vi=record_channel_vi,
        sent=ELEMENT_VI[sent] if sent else None,
        refresh=REFRESH_SECONDS if waiting else None,
        may_submit=who.principal.role in (Role.AGENCY, Role.OPERATOR),
        inspections=inspections,
        may_close=who.principal.role in (Role.AGENCY, Role.OPERATOR),
        messages=messages,
        reason_vi=REASON_VI,
        notification_status_vi=NOTIFICATION_STATUS_VI,
        hold_vi=HOLD_CAUSE_VI,
        channel_vi=CHANNEL_VI,
        mode_vi=MODE_VI,
        inspection_status_vi=INSPECTION_STATUS_VI,
        severity_vi=SEVERITY_VI,
        places=places,
        enrolment_status_vi=ENROLMENT_STATUS_VI,
        training_role_vi=TRAINING_ROLE_VI,
    )


def _form(
    request: Request,
    who: Person,
    code: str,
    element: Element,
    values: dict[str, Any],
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    return page(
        request,
        who,
        "record_form.html",
        status,
        title=f"Gửi hồ sơ: {ELEMENT_VI[element]}",
        code=code,
        element=element,
        element_vi=ELEMENT_VI[element],
        values=values,
        errors=errors or FormErrors(),
    )


@router.get("/agencies/{code}/records/{element}", response_class=HTMLResponse)
async def record_form(
    request: Request,
    code: Code,
    element: Element,
    who: SignedIn,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> HTMLResponse:
    """The form for a new version of the agency's record of `element` (the agency must exist for the
    person: another agency's form is, to an officer, not there)."""
    standing = await who.api.get("compliance", f"/agencies/{code}/compliance", year=year)
    values = {"year": standing["year"], "submitted_by": who.principal.name or ""}
    return _form(request, who, code, element, values)


@router.post("/agencies/{code}/records/{element}", response_class=HTMLResponse)
async def submit_record(
    request: Request,
    code: Code,
    element: Element,
    who: SignedIn,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    year: Annotated[str, Form(max_length=10)] = "",
    occurred_on: Annotated[str, Form(max_length=40)] = "",
    document_ref: Annotated[str, Form(max_length=400)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    notes: Annotated[str, Form(max_length=8000)] = "",
    submitted_by: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Sent to the registry as the person; a refusal comes back beside its field, nothing stored."""
    who.check_form(csrf_token)
    values = {
        "year": year,
        "occurred_on": occurred_on,
        "document_ref": document_ref,
        "title": title,
        "notes": notes,
        "submitted_by": submitted_by,
    }
    errors = FormErrors()
    try:
        day = parse_day(occurred_on)
    except DayError as wrong:
        errors.add("occurred_on", str(wrong))
    if not year.isdigit():
        errors.add("year", "Năm phải là một số, ví dụ 2022.")
    if errors:
        return _form(request, who, code, element, values, errors, 422)
    body = {**values, "year": int(year), "occurred_on": day.isoformat(), "notes": notes.strip() or None}
    try:
        await who.api.put("registry", f"/agencies/{code}/records/{element.value}", body)
    except ApiError as refused:
        if refused.status != 422:
            raise
        return _form(request, who, code, element, values, FormErrors.of(refused, RECORD_FIELDS), 422)
    return RedirectResponse(f"/agencies/{code}?year={year}&sent={element.value}", status_code=303)
