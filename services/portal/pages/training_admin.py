"""Training in the portal, for the department's operators: every session of a year with its seats and
waiting list, the form that schedules one, and a session's page — its enrolments (confirmed, the
waiting list in order, cancelled), a person of an agency enrolled, an enrolment or the session
cancelled. Training decides every seat and every refusal; these pages send the operator's requests
and show its answers (the attendance sheet is the trainer's, `training`)."""

import asyncio
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.training import ENROLMENT_STATUS_VI, TRAINING_ROLE_VI, EnrolmentStatus
from services.portal.clients import ApiError
from services.portal.forms import DayError, FormErrors, parse_day
from services.portal.pages.render import page, year_or_this
from services.portal.people import Person, SignedIn

router = APIRouter(tags=["training"])
SessionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,36}$")]
EnrolmentId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,36}$")]
#: The schedule form's fields, as training names them (a day's times: `starts`, `ends`).
SESSION_FIELDS = {
    "course_code",
    "days",
    "starts",
    "ends",
    "venue",
    "trainer",
    "capacity",
    "enrol_opens_on",
    "enrol_closes_on",
}
ENROL_FIELDS = {"agency_code", "person_name", "role"}
#: The days of a session, as an operator lists them: dd/mm/yyyy, separated by commas or semicolons.
_DAY_SEPARATORS = re.compile(r"[,;\n]+")
NOTICES = {
    "scheduled": "Đã mở lớp; các cơ quan có thể đăng ký.",
    "cancelled": "Đã hủy lớp; mọi đăng ký của lớp đã được hủy ; học viên sẽ được thông báo.",
}
Text = Annotated[str, Form(max_length=400)]


def session_field(name: str) -> str:
    """The form field beside which a refused part of a session goes: a day's times beside the times
    (the form has one pair for every day), anything else of a day beside the days."""
    parts = name.split(".")
    if parts[0] == "days" and len(parts) > 2 and parts[2] in ("starts", "ends"):
        return parts[2]
    return parts[0]


async def overview(
    request: Request,
    who: Person,
    year: int,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    notice: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The year's sessions (cancelled ones too), each with its waiting list counted from its sheet, and
    the schedule form."""
    found, courses = await asyncio.gather(
        who.api.get("training", "/sessions", after=f"{year - 1}-12-31", cancelled="true"),
        who.api.get("training", "/courses"),
    )
    of_year = [s for s in found if s["days"][0]["on"].startswith(str(year))]
    sheets = await asyncio.gather(
        *(who.api.get("training", f"/sessions/{s['session_id']}/enrolments") for s in of_year)
    )
    waiting = {
        s["session_id"]: sum(e["status"] == EnrolmentStatus.WAITLISTED for e in sheet)
        for s, sheet in zip(of_year, sheets, strict=True)
    }
    return page(
        request,
        who,
        "training_admin.html",
        status,
        title=f"Các lớp đào tạo năm {year}",
        sessions=of_year,
        waiting=waiting,
        courses={c["code"]: c["title_vi"] for c in courses},
        year=year,
        values=values or {"starts": "08:00", "ends": "11:30"},
        errors=errors or FormErrors(),
        notice=notice,
    )


@router.post("/training/sessions", response_class=HTMLResponse)
async def schedule(
    request: Request,
    who: SignedIn,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    course_code: Annotated[str, Form(max_length=40)] = "",
    days: Annotated[str, Form(max_length=1000)] = "",
    starts: Annotated[str, Form(max_length=10)] = "",
    ends: Annotated[str, Form(max_length=10)] = "",
    venue: Text = "",
    trainer: Text = "",
    capacity: Annotated[str, Form(max_length=10)] = "",
    enrol_opens_on: Annotated[str, Form(max_length=40)] = "",
    enrol_closes_on: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """A session, planned by the operator: dates read as people write them, the rest sent as typed;
    a refusal (outside the training window, a holiday, a venue or trainer taken) beside its field."""
    who.check_form(csrf_token)
    values = {
        "course_code": course_code,
        "days": days,
        "starts": starts,
        "ends": ends,
        "venue": venue,
        "trainer": trainer,
        "capacity": capacity,
        "enrol_opens_on": enrol_opens_on,
        "enrol_closes_on": enrol_closes_on,
    }
    errors = FormErrors()
    on = []
    for text in (part for part in _DAY_SEPARATORS.split(days) if part.strip()):
        try:
            on.append(parse_day(text))
        except DayError as wrong:
            errors.add("days", str(wrong))
    if not on:
        errors.add("days", "Chưa điền ngày học.")
    enrol_dates: dict[str, str | None] = {}
    for name in ("enrol_opens_on", "enrol_closes_on"):
        try:
            enrol_dates[name] = parse_day(values[name]).isoformat() if values[name].strip() else None
        except DayError as wrong:
            errors.add(name, str(wrong))
    if not capacity.strip().isdigit():
        errors.add("capacity", "Số chỗ phải là một số, ví dụ 30.")
    year = on[0].year if on else year_or_this(request, None)
    if errors:
        return await overview(request, who, year, values, errors, status=422)
    body = {
        "course_code": course_code,
        "days": [{"on": d.isoformat(), "starts": starts.strip(), "ends": ends.strip()} for d in on],
        "venue": venue,
        "trainer": trainer,
        "capacity": int(capacity),
        **enrol_dates,
    }
    try:
        made = await who.api.post("training", "/sessions", body)
    except ApiError as refused:
        errors = FormErrors.beside_fields(refused, SESSION_FIELDS, session_field)
        return await overview(request, who, year, values, errors, status=refused.status)
    return RedirectResponse(f"/training/sessions/{made['session_id']}?notice=scheduled", status_code=303)


def _notice(request: Request, enrolled: list[dict[str, Any]]) -> str | None:
    """What the operator just did, said from the sheet as training now holds it."""
    asked = request.query_params
    names = {e["id"]: e for e in enrolled}
    if (done := names.get(asked.get("enrolled", ""))) is not None:
        return f"Đã đăng ký cho {done['person_name']} (tình trạng: {ENROLMENT_STATUS_VI[done['status']]})."
    if (gone := names.get(asked.get("cancelled", ""))) is not None:
        moved = [names[i]["person_name"] for i in asked.get("promoted", "").split(",") if i in names]
        up = f" Đã chuyển từ danh sách chờ vào lớp: {', '.join(moved)}." if moved else ""
        return f"Đã hủy đăng ký của {gone['person_name']}.{up}"
    return NOTICES.get(asked.get("notice", ""))


async def session_page(
    request: Request,
    who: Person,
    session_id: str,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    """A session as an operator runs it: its enrolments by status, the waiting list in order."""
    session, enrolled = await asyncio.gather(
        who.api.get("training", f"/sessions/{session_id}"),
        who.api.get("training", f"/sessions/{session_id}/enrolments"),
    )
    of = {s: [e for e in enrolled if e["status"] == s] for s in EnrolmentStatus}
    return page(
        request,
        who,
        "training_session.html",
        status,
        title=session["course_title_vi"],
        session=session,
        confirmed=of[EnrolmentStatus.CONFIRMED] + of[EnrolmentStatus.COMPLETED],
        waiting=of[EnrolmentStatus.WAITLISTED],
        cancelled=of[EnrolmentStatus.CANCELLED],
        status_vi=ENROLMENT_STATUS_VI,
        roles={role.value: name for role, name in TRAINING_ROLE_VI.items()},
        notice=None if errors else _notice(request, enrolled),
        values=values or {},
        errors=errors or FormErrors(),
    )


@router.post("/training/sessions/{session_id}/enrolments", response_class=HTMLResponse)
async def enrol(
    request: Request,
    who: SignedIn,
    session_id: SessionId,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    agency_code: Annotated[str, Form(max_length=64)] = "",
    person_name: Text = "",
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A person of an agency enrolled by the operator: a seat or the waiting list, as training decides."""
    who.check_form(csrf_token)
    values = {"agency_code": agency_code.strip(), "person_name": person_name, "role": role}
    try:
        placed = await who.api.post("training", f"/sessions/{session_id}/enrolments", values)
    except ApiError as refused:
        errors = FormErrors.beside_fields(refused, ENROL_FIELDS)
        return await session_page(request, who, session_id, values, errors, refused.status)
    return RedirectResponse(
        f"/training/sessions/{session_id}?enrolled={placed['enrolment_id']}", status_code=303
    )


@router.post(
    "/training/sessions/{session_id}/enrolments/{enrolment_id}/cancellation", response_class=HTMLResponse
)
async def cancel_enrolment(
    request: Request,
    who: SignedIn,
    session_id: SessionId,
    enrolment_id: EnrolmentId,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """An enrolment cancelled; training gives the seat to whoever waits first and fits."""
    who.check_form(csrf_token)
    try:
        answer = await who.api.call("DELETE", "training", f"/enrolments/{enrolment_id}")
    except ApiError as refused:
        if refused.status != 409:
            raise
        return await session_page(request, who, session_id, errors=FormErrors.of(refused, set()), status=409)
    promoted = ",".join(answer["promoted"])
    return RedirectResponse(
        f"/training/sessions/{session_id}?cancelled={enrolment_id}&promoted={promoted}", status_code=303
    )


@router.post("/training/sessions/{session_id}/cancellation", response_class=HTMLResponse)
async def cancel_session(
    request: Request,
    who: SignedIn,
    session_id: SessionId,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    reason: Text = "",
) -> Response:
    """The session called off, with the reason those enrolled are told."""
    who.check_form(csrf_token)
    try:
        await who.api.post("training", f"/sessions/{session_id}/cancellation", {"reason": reason})
    except ApiError as refused:
        errors = FormErrors.beside_fields(refused, {"reason"})
        return await session_page(request, who, session_id, {"reason": reason}, errors, refused.status)
    return RedirectResponse(f"/training/sessions/{session_id}?notice=cancelled", status_code=303)
