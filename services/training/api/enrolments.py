"""Enrolments: an agency's staff in a session (an agency key enrols and cancels its own staff only)."""

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from contracts.fields import AgencyCode
from contracts.training import EnrolmentData, TrainingRole
from services.common.audit import by
from services.common.auth import Caller, Role, require
from services.common.inputs import RequestBody, problem
from services.training.api.common import Name, ServiceDep, answering
from services.training.usecases import enrolments

router = APIRouter()


class EnrolmentIn(RequestBody):
    agency_code: AgencyCode
    person_name: Name
    role: TrainingRole


@router.post(
    "/sessions/{session_id}/enrolments", response_model=EnrolmentData, status_code=201, tags=["enrolments"]
)
async def enrol(
    session_id: str, body: EnrolmentIn, caller: Caller, request: Request, service: ServiceDep
) -> EnrolmentData:
    """A confirmed seat, or a place on the waiting list (promoted automatically when a seat frees).
    An agency key enrols its own staff only."""
    if not caller.may_write(body.agency_code):
        raise HTTPException(404, detail=problem("agency_code", f"không có cơ quan {body.agency_code}"))
    with answering():
        return await service.act(
            by(caller, request, f"session:{session_id}"),
            enrolments.enrol,
            session_id,
            body.agency_code,
            body.person_name,
            body.role,
        )


@router.get("/sessions/{session_id}/enrolments", tags=["enrolments"])
async def session_enrolments(session_id: str, caller: Caller, service: ServiceDep) -> list[dict[str, Any]]:
    """Who is enrolled, in order of arrival: the session's attendance sheet (the ids attendance is
    marked by). A trainer reads the sheets of the sessions they teach; another is not there (404)."""
    require(caller, Role.OPERATOR, Role.SYSTEM, Role.TRAINER)
    with answering():
        enrolled = await service.query(enrolments.session_enrolments, session_id, caller.scope(Role.TRAINER))
    return [
        {
            "id": e.id,
            "agency_code": e.agency_code,
            "person_name": e.person_name,
            "role": e.role,
            "status": e.status,
            "seq": e.seq,
        }
        for e in enrolled
    ]


@router.delete("/enrolments/{enrolment_id}", tags=["enrolments"])
async def cancel_enrolment(
    enrolment_id: str, caller: Caller, request: Request, service: ServiceDep
) -> dict[str, list[str]]:
    """Cancel a place; the first on the waiting list who fits gets it (and is told)."""
    with answering():
        promoted = await service.act(
            by(caller, request, f"enrolment:{enrolment_id}"),
            enrolments.cancel_enrolment,
            enrolment_id,
            caller.may_write,
        )
    return {"promoted": promoted}
