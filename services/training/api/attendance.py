"""Attendance: one day's marks for a session, taken by operators, or by the session's own trainer."""

from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from contracts.fields import Text
from contracts.training import CompletionData
from services.common.audit import by
from services.common.auth import Caller, Role, require
from services.common.inputs import Day as Date
from services.common.inputs import RequestBody
from services.training.api.common import ServiceDep, answering
from services.training.usecases import attendance

router = APIRouter()


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


@router.post("/sessions/{session_id}/attendance", response_model=AttendanceOut, tags=["attendance"])
async def record_attendance(
    session_id: str, body: AttendanceIn, caller: Caller, request: Request, service: ServiceDep
) -> AttendanceOut:
    """One day's attendance; those who have attended the required days complete the course, get a
    certificate, and compliance hears of it (training-completed). A trainer marks the sessions they
    teach; another trainer's session is, to them, not there (404)."""
    require(caller, Role.OPERATOR, Role.TRAINER)
    marks = {m.enrolment_id: m.mark for m in body.marks}
    with answering():
        completed = await service.act(
            by(caller, request, f"session:{session_id}"),
            attendance.record_attendance,
            session_id,
            body.on,
            marks,
            caller.scope(Role.TRAINER),
        )
    return AttendanceOut(on=body.on, recorded=len(marks), completed=completed)
