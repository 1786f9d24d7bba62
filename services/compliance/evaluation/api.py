"""The evaluation over HTTP: evaluate one day now (the daily run does the same by itself)."""

from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.common.audit import by
from services.common.auth import Caller, Role, require
from services.common.clock import local_date
from services.common.inputs import Day, RequestBody
from services.compliance.dependencies import ServiceDep
from services.compliance.evaluation.usecases import evaluate

router = APIRouter()


class EvaluationIn(RequestBody):
    on: Day | None = Field(default=None, description="The day to evaluate; default today (giờ Việt Nam).")


class EvaluationOut(BaseModel):
    on: date
    notices: dict[str, int] = Field(description="Notices sent, by event type; re-running sends none.")


@router.post("/evaluations", response_model=EvaluationOut, tags=["deadlines"])
async def run_evaluation(
    body: EvaluationIn, caller: Caller, request: Request, service: ServiceDep
) -> EvaluationOut:
    """Evaluate deadlines and overdue findings for one day now (the daily run does the same by itself)."""
    require(caller, Role.OPERATOR)
    day = body.on or local_date(service.clock.now())
    return EvaluationOut(
        on=day, notices=await service.act(by(caller, request, "evaluations"), evaluate, service.rules, day)
    )
