"""Dead letters of the inbound gateway, for operators: by publishing system, with the reason, and a
re-drive once the cause is fixed (an agency registered, a system's scope widened)."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel

from contracts.identity import Role
from services.common.audit import by
from services.common.auth import Caller, require
from services.registry.api.shared import ServiceDep
from services.registry.store.dead_letters import DeadLetter, DeadLetterStatus
from services.registry.usecases import dead_letters

router = APIRouter(tags=["dead letters"])
TopicPart = Annotated[str, Path(min_length=1, max_length=260, pattern=r"^[a-z0-9][a-z0-9.\-]*$")]
Place = Annotated[int, Path(ge=0, le=2**63 - 1)]


class RedriveOut(BaseModel):
    accepted: bool
    dead_letter: DeadLetter


@router.get("/dead-letters", response_model=list[DeadLetter])
async def list_dead_letters(
    caller: Caller,
    service: ServiceDep,
    system: Annotated[str | None, Query(max_length=64)] = None,
    status: DeadLetterStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[DeadLetter]:
    """Newest first: what the inbound gateway refused, from which system, and why."""
    require(caller, Role.OPERATOR)
    return await service.query(dead_letters.dead_letters, system, status, limit)


@router.post("/dead-letters/{topic}/{partition}/{offset}/redrive", response_model=RedriveOut)
async def redrive(
    topic: TopicPart, partition: Place, offset: Place, caller: Caller, request: Request, service: ServiceDep
) -> RedriveOut:
    """Take it again (the letter's id is where it lay: topic/partition/offset), as the gateway would
    now: `accepted`, or refused with today's reason (it stays open). Re-driven once only."""
    require(caller, Role.OPERATOR)
    letter_id = f"{topic}/{partition}/{offset}"
    skew = timedelta(seconds=service.settings.inbound_clock_skew_seconds)  # type: ignore[attr-defined]
    try:
        done = await service.act(
            by(caller, request, f"dead-letter:{letter_id}"),
            dead_letters.redrive,
            letter_id,
            skew,
            caller.name or caller.key_id,
        )
    except dead_letters.DeadLetterNotFoundError:
        raise HTTPException(404, detail=f"không có thư {letter_id}") from None
    except dead_letters.AlreadyRedrivenError as refused:
        raise HTTPException(409, detail=str(refused)) from None
    return RedriveOut(accepted=done.accepted, dead_letter=done.letter)
