"""The training service's HTTP API: courses, sessions, enrolments, attendance, certificates, calendars.

Keys as in the registry: operators plan and mark attendance; an agency key enrols and cancels its own
staff only; certificates are verified by anyone, without a key.
"""

from datetime import date, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel, Field, model_validator

from contracts.fields import AgencyCode, Text
from contracts.training import CompletionData, EnrolmentData, SessionData, TrainingRole
from contracts.vocabulary import Level
from services.common.auth import Anonymous, Caller, Role, require
from services.common.clock import local_date
from services.common.inputs import Day as Date
from services.common.inputs import RequestBody, problem
from services.common.service import service_of
from services.training import booking, ics, store
from services.training.domain import Day, RefusalError
from services.training.runtime import TrainingService

router = APIRouter()
ServiceDep = Annotated[TrainingService, Depends(service_of)]
Title = Annotated[Text, Field(min_length=1, max_length=300)]
Name = Annotated[Text, Field(min_length=1, max_length=200)]


class CourseIn(RequestBody):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9\-]{1,39}$", examples=["ISO-NT"])
    title_vi: Title = Field(examples=["Nhận thức TCVN ISO 9001:2015"])
    required_days: int | None = Field(default=None, ge=1, le=30, description="Default: every day.")


class CourseOut(BaseModel):
    code: str
    title_vi: str
    required_days: int | None


class DayIn(RequestBody):
    on: Date
    starts: time = Field(description="Giờ Việt Nam, e.g. 08:00.")
    ends: time = Field(description="Giờ Việt Nam, e.g. 11:30.")


class QuotaIn(RequestBody):
    seats: int = Field(ge=1, le=2000)
    district: AgencyCode | None = Field(default=None, description="A district's code.")
    level: Level | None = None

    @model_validator(mode="after")
    def _one_group(self) -> "QuotaIn":
        if (self.district is None) == (self.level is None):
            raise ValueError("a quota names either a district or a level")
        return self


class SessionIn(RequestBody):
    course_code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9\-]{1,39}$")
    days: list[DayIn] = Field(min_length=1, max_length=30)
    venue: Title
    trainer: Name
    capacity: int = Field(ge=1, le=2000)
    quotas: list[QuotaIn] = Field(default_factory=list, max_length=200)
    per_agency_limit: int | None = Field(default=None, ge=1, le=2000)
    enrol_opens_on: Date | None = Field(default=None, description="Default: today.")
    enrol_closes_on: Date | None = Field(default=None, description="Default: the first day.")


class SessionChange(RequestBody):
    days: list[DayIn] | None = Field(default=None, min_length=1, max_length=30)
    venue: Title | None = None
    trainer: Name | None = None
    capacity: int | None = Field(default=None, ge=1, le=2000)


class CancellationIn(RequestBody):
    reason: Title


class EnrolmentIn(RequestBody):
    agency_code: AgencyCode
    person_name: Name
    role: TrainingRole


class Mark(RequestBody):
    enrolment_id: Text = Field(min_length=1, max_length=36)
    mark: str = Field(pattern="^(present|absent|late|excused)$")


class AttendanceIn(RequestBody):
    on: Date
    marks: list[Mark] = Field(min_length=1, max_length=2000)


class AttendanceOut(BaseModel):
    on: date
    recorded: int
    completed: list[CompletionData]


class CertificateOut(BaseModel):
    """What verifying a certificate needs — no phone, no e-mail."""

    code: str
    person_name: str
    agency_name: str
    course_title_vi: str
    completed_on: date
    valid: bool = True


PATH_FIELDS = {"session_id", "enrolment_id"}


def refused(error: RefusalError) -> HTTPException:
    where = "path" if error.field in PATH_FIELDS else "body"
    return HTTPException(409 if error.conflict else 422, detail=problem(error.field, str(error), where))


def days_in(days: list[DayIn]) -> list[Day]:
    return [Day(d.on, d.starts, d.ends) for d in days]


def not_found(what: str, field: str) -> HTTPException:
    return HTTPException(404, detail=problem(field, f"không có {what}", "path"))


@router.post("/courses", response_model=CourseOut, status_code=201, tags=["courses"])
async def add_course(body: CourseIn, caller: Caller, service: ServiceDep) -> CourseOut:
    require(caller, Role.OPERATOR)
    async with service.uow() as uow:
        if await store.course(uow.session, body.code):
            raise HTTPException(409, detail=problem("code", f"khóa học {body.code} đã có"))
        await uow.session.execute(
            store.courses.insert().values(**body.model_dump(), created_at=uow.clock.now())
        )
        await uow.commit()
    return CourseOut(**body.model_dump())


@router.get("/courses", response_model=list[CourseOut], tags=["courses"])
async def list_courses(caller: Caller, service: ServiceDep) -> list[dict[str, Any]]:
    async with service.reader() as uow:
        return await store.all_courses(uow.session)


@router.post("/sessions", response_model=SessionData, status_code=201, tags=["sessions"])
async def add_session(body: SessionIn, caller: Caller, service: ServiceDep) -> SessionData:
    """Plan a session; refused outside the campaign's training window, on a public holiday or a
    province day off (a weekend is allowed), or when its venue or trainer is already taken at that
    time (409, naming which)."""
    require(caller, Role.OPERATOR)
    async with service.uow() as uow:
        if not await store.course(uow.session, body.course_code):
            raise HTTPException(422, detail=problem("course_code", f"không có khóa học {body.course_code}"))
        values = body.model_dump(exclude={"days"}) | {"days": days_in(body.days)}
        try:
            data = await booking.create_session(uow, service.windows, service.calendar, values)
        except RefusalError as error:
            raise refused(error) from None
        await uow.commit()
    return data


@router.get("/sessions", response_model=list[SessionData], tags=["sessions"])
async def list_sessions(
    caller: Caller,
    service: ServiceDep,
    after: Annotated[
        Date | None, Query(description="Sessions starting after this day; default today.")
    ] = None,
    free_seats: bool = False,
) -> list[SessionData]:
    async with service.reader() as uow:
        day = after or local_date(uow.clock.now())
        found = [
            await booking.session_data(uow, row) for row in await store.upcoming_sessions(uow.session, day)
        ]
    return [s for s in found if not free_seats or s.seats_taken < s.capacity]


@router.get("/sessions/{session_id}", response_model=SessionData, tags=["sessions"])
async def get_session(session_id: str, caller: Caller, service: ServiceDep) -> SessionData:
    async with service.reader() as uow:
        row = await store.session_row(uow.session, session_id)
        if row is None:
            raise not_found(f"lớp {session_id}", "session_id")
        return await booking.session_data(uow, row)


@router.patch("/sessions/{session_id}", response_model=SessionData, tags=["sessions"])
async def change_session(
    session_id: str, body: SessionChange, caller: Caller, service: ServiceDep
) -> SessionData:
    require(caller, Role.OPERATOR)
    changes: dict[str, Any] = body.model_dump(exclude_none=True, exclude={"days"})
    if body.days:
        changes["days"] = days_in(body.days)
    async with service.uow() as uow:
        try:
            data = await booking.reschedule(uow, service.windows, service.calendar, session_id, changes)
        except LookupError:
            raise not_found(f"lớp {session_id}", "session_id") from None
        except RefusalError as error:
            raise refused(error) from None
        await uow.commit()
    return data


@router.post("/sessions/{session_id}/cancellation", response_model=SessionData, tags=["sessions"])
async def cancel_session(
    session_id: str, body: CancellationIn, caller: Caller, service: ServiceDep
) -> SessionData:
    require(caller, Role.OPERATOR)
    async with service.uow() as uow:
        try:
            data = await booking.cancel_session(uow, session_id, body.reason)
        except LookupError:
            raise not_found(f"lớp {session_id}", "session_id") from None
        except RefusalError as error:
            raise refused(error) from None
        await uow.commit()
    return data


@router.post(
    "/sessions/{session_id}/enrolments", response_model=EnrolmentData, status_code=201, tags=["enrolments"]
)
async def enrol(session_id: str, body: EnrolmentIn, caller: Caller, service: ServiceDep) -> EnrolmentData:
    """A confirmed seat, or a place on the waiting list (promoted automatically when a seat frees).
    An agency key enrols its own staff only."""
    if not caller.may_write(body.agency_code):
        raise HTTPException(404, detail=problem("agency_code", f"không có cơ quan {body.agency_code}"))
    async with service.uow() as uow:
        if await store.session_row(uow.session, session_id) is None:
            raise not_found(f"lớp {session_id}", "session_id")
        try:
            data = await booking.enrol(uow, session_id, body.agency_code, body.person_name, body.role)
        except RefusalError as error:
            raise refused(error) from None
        await uow.commit()
    return data


@router.get("/sessions/{session_id}/enrolments", tags=["enrolments"])
async def session_enrolments(session_id: str, caller: Caller, service: ServiceDep) -> list[dict[str, Any]]:
    require(caller, Role.OPERATOR, Role.SYSTEM)
    async with service.reader() as uow:
        return [
            {k: r[k] for k in ("id", "agency_code", "person_name", "role", "status", "seq")}
            for r in await store.enrolments_of(uow.session, session_id)
        ]


@router.delete("/enrolments/{enrolment_id}", tags=["enrolments"])
async def cancel_enrolment(enrolment_id: str, caller: Caller, service: ServiceDep) -> dict[str, list[str]]:
    """Cancel a place; the first on the waiting list who fits gets it (and is told)."""
    async with service.uow() as uow:
        found = await store.enrolment(uow.session, enrolment_id)
        if found is None or not caller.may_write(found["agency_code"]):
            raise not_found(f"đăng ký {enrolment_id}", "enrolment_id")
        try:
            promoted = await booking.cancel_enrolment(uow, enrolment_id)
        except RefusalError as error:
            raise refused(error) from None
        await uow.commit()
    return {"promoted": promoted}


@router.post("/sessions/{session_id}/attendance", response_model=AttendanceOut, tags=["attendance"])
async def record_attendance(
    session_id: str, body: AttendanceIn, caller: Caller, service: ServiceDep
) -> AttendanceOut:
    """One day's attendance; those who have attended the required days complete the course, get a
    certificate, and compliance hears of it (training-completed)."""
    require(caller, Role.OPERATOR)
    async with service.uow() as uow:
        try:
            completed = await booking.record_marks(
                uow, session_id, body.on, {m.enrolment_id: m.mark for m in body.marks}
            )
        except RefusalError as error:
            raise refused(error) from None
        await uow.commit()
    return AttendanceOut(on=body.on, recorded=len({m.enrolment_id for m in body.marks}), completed=completed)


@router.get("/certificates/{code}", response_model=CertificateOut, tags=["certificates"])
async def verify_certificate(code: str, service: ServiceDep, visitor: Anonymous) -> CertificateOut:
    """Anyone can verify a certificate by its code, without a key; only what verifying needs is shown.
    Codes that do not exist count as failed attempts of the caller's address (no enumerating)."""
    async with service.reader() as uow:
        found = await store.certificate(uow.session, code.strip().upper())
    if found is None:
        raise not_found(f"chứng nhận {code}", "code")  # a failed attempt of the caller's address
    visitor.succeeded()
    return CertificateOut(**{k: found[k] for k in CertificateOut.model_fields if k != "valid"})


ICS = "text/calendar; charset=utf-8"
TzQuery = Annotated[
    str, Query(pattern="^(local|utc)$", description="local: TZID=Asia/Ho_Chi_Minh; utc: Z times")
]


@router.get("/sessions/{session_id}/calendar.ics", tags=["calendars"])
async def session_calendar(
    session_id: str, caller: Caller, service: ServiceDep, tz: TzQuery = "local"
) -> Response:
    async with service.reader() as uow:
        row = await store.session_row(uow.session, session_id)
        if row is None:
            raise not_found(f"lớp {session_id}", "session_id")
        data = await booking.session_data(uow, row)
    body = ics.calendar_of(data.course_title_vi, [data], service.clock.now(), utc=tz == "utc")
    return Response(body, media_type=ICS)


@router.get("/agencies/{code}/calendar.ics", tags=["calendars"])
async def agency_calendar(code: str, caller: Caller, service: ServiceDep, tz: TzQuery = "local") -> Response:
    """The sessions the agency's staff are confirmed in (or completed)."""
    if not caller.may_read(code):
        raise not_found(f"cơ quan {code}", "code")
    async with service.reader() as uow:
        agency = await store.replica.get(uow.session, code)
        if agency is None:
            raise not_found(f"cơ quan {code}", "code")
        ids = {
            e["session_id"]
            for e in await store.enrolments_of_agency(uow.session, code)
            if e["status"] in ("confirmed", "completed")
        }
        sessions = [
            await booking.session_data(uow, row)
            for i in sorted(ids)
            if (row := await store.session_row(uow.session, i))
        ]
    name = f"Lịch đào tạo ISO — {agency.name}"
    return Response(ics.calendar_of(name, sessions, service.clock.now(), utc=tz == "utc"), media_type=ICS)
