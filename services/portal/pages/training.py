"""Training in the portal, for a trainer: the sessions they teach (training shows each trainer only
theirs), each one's attendance sheet, and a day's attendance marked on it. An operator finds every
session at the same addresses, to run them (`training_admin`), and marks attendance on the same sheet
(training lets an operator mark any session's)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.identity import Role
from contracts.training import ENROLMENT_STATUS_VI, TRAINING_ROLE_VI, EnrolmentStatus
from services.portal.clients import ApiError
from services.portal.forms import FormErrors
from services.portal.pages import training_admin
from services.portal.pages.render import page, year_or_this
from services.portal.people import Person, SignedIn

router = APIRouter(tags=["training"])
SessionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,36}$")]
MARKS = {"present": "có mặt", "late": "đến muộn", "excused": "vắng có phép", "absent": "vắng không phép"}
#: Those a day's attendance is marked for.
ON_THE_SHEET = {EnrolmentStatus.CONFIRMED.value, EnrolmentStatus.COMPLETED.value}


@router.get("/training", response_class=HTMLResponse)
async def sessions(
    request: Request, who: SignedIn, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> HTMLResponse:
    shown = year_or_this(request, year)
    if who.principal.role == Role.OPERATOR:
        return await training_admin.overview(request, who, shown)
    found = await who.api.get("training", "/sessions", after=f"{shown - 1}-12-31")
    of_year = [s for s in found if s["days"][0]["on"].startswith(str(shown))]
    return page(request, who, "training.html", title=f"Lớp đào tạo năm {shown}", sessions=of_year, year=shown)


async def _sheet_page(
    request: Request,
    who: Person,
    session_id: str,
    notice: str | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    session = await who.api.get("training", f"/sessions/{session_id}")
    enrolled = await who.api.get("training", f"/sessions/{session_id}/enrolments")
    return page(
        request,
        who,
        "training_sheet.html",
        status,
        title=session["course_title_vi"],
        session=session,
        enrolled=enrolled,
        marked=[e for e in enrolled if e["status"] in ON_THE_SHEET],
        status_vi=ENROLMENT_STATUS_VI,
        trainee_role_vi=TRAINING_ROLE_VI,
        marks=MARKS,
        back=f"/training/sessions/{session_id}" if _runs_sessions(who) else "/training",
        notice=notice,
        errors=errors or FormErrors(),
    )


def _runs_sessions(who: Person) -> bool:
    """An operator's session page is the session's enrolments (`training_admin`), its sheet a page of
    its own; a trainer's session page is the sheet."""
    return who.principal.role == Role.OPERATOR


@router.get("/training/sessions/{session_id}", response_class=HTMLResponse)
async def sheet(
    request: Request, who: SignedIn, session_id: SessionId, recorded: str | None = None
) -> HTMLResponse:
    """The session's attendance sheet, and the form that marks one of its days (to an operator, the
    session's enrolments, from which the sheet is one link away)."""
    if _runs_sessions(who):
        return await training_admin.session_page(request, who, session_id)
    return await attendance_sheet(request, who, session_id, recorded)


@router.get("/training/sessions/{session_id}/sheet", response_class=HTMLResponse)
async def attendance_sheet(
    request: Request, who: SignedIn, session_id: SessionId, recorded: str | None = None
) -> HTMLResponse:
    """The session's attendance sheet, and the form that marks one of its days."""
    notice = f"Đã ghi điểm danh ngày {recorded}." if recorded else None
    return await _sheet_page(request, who, session_id, notice)


@router.post("/training/sessions/{session_id}/attendance", response_class=HTMLResponse)
async def mark(request: Request, who: SignedIn, session_id: SessionId) -> Response:
    """One day's marks, sent to training as the trainer."""
    form = {key: str(value) for key, value in (await request.form()).items()}
    who.check_form(form.get("csrf_token", ""))
    marks = [
        {"enrolment_id": key.removeprefix("mark-"), "mark": value}
        for key, value in form.items()
        if key.startswith("mark-") and value in MARKS
    ]
    day = form.get("on", "")
    try:
        await who.api.post("training", f"/sessions/{session_id}/attendance", {"on": day, "marks": marks})
    except ApiError as refused:
        if refused.status != 422:
            raise
        return await _sheet_page(
            request, who, session_id, errors=FormErrors.of(refused, {"on", "marks"}), status=422
        )
    shown = f"{day[8:10]}/{day[5:7]}/{day[:4]}"
    sheet_page = f"/training/sessions/{session_id}{'/sheet' if _runs_sessions(who) else ''}"
    return RedirectResponse(f"{sheet_page}?recorded={shown}", status_code=303)
