"""`POST /events`: QMS record events over HTTP, for provincial systems that integrate through the
province's integration platform rather than Kafka (`services.registry.http_events` reads the
CloudEvents HTTP binding). The key says which system is speaking: an event's `source` is that system,
whatever the event claims; one claiming another system is refused. Each event is checked and stored
as one from `eiso.inbound.records` is (`usecases.inbound`), in a transaction of its own, and answered
accepted or refused with the reason."""

import json
from datetime import timedelta
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel

from contracts import EventError, Topic, parse_event
from contracts.records import RecordEvent
from services.common.audit import by
from services.common.auth import Caller, Principal, Role, require
from services.common.consumer import PermanentError
from services.registry.api.shared import ServiceDep
from services.registry.http_events import BATCH, STRUCTURED, UnreadableError, read_events
from services.registry.settings import RegistrySettings
from services.registry.usecases import inbound

router = APIRouter(tags=["inbound"])


class EventOutcome(BaseModel):
    id: str | None
    status: Literal["accepted", "refused"]
    reason: str | None = None


class IntakeOut(BaseModel):
    accepted: int
    refused: int
    results: list[EventOutcome]


async def _take(raw: Any, caller: Principal, request: Request, service: ServiceDep) -> EventOutcome:
    if not isinstance(raw, dict):
        return EventOutcome(id=None, status="refused", reason="an event is a JSON object")
    event_id = str(raw.get("id")) if raw.get("id") is not None else None
    data = raw.get("data")
    for field, claimed in (
        ("source", raw.get("source")),
        ("data.channel", isinstance(data, dict) and data.get("channel")),
    ):
        if claimed and claimed != caller.system_id:
            reason = f"{field} {claimed} is not the system this key publishes as ({caller.system_id})"
            return EventOutcome(id=event_id, status="refused", reason=reason)
    bound = {**raw, "source": caller.system_id}
    if isinstance(data, dict):
        bound["data"] = {**data, "channel": caller.system_id}
    try:
        event = parse_event(Topic.INBOUND_RECORDS, json.dumps(bound).encode())
        assert isinstance(event, RecordEvent)  # all the inbound topic carries
        audited = by(caller, request, f"agency:{event.data.agency_code}/records/{event.data.element}")
        settings = service.settings
        assert isinstance(settings, RegistrySettings)
        skew = timedelta(seconds=settings.inbound_clock_skew_seconds)
        await service.act(audited, inbound.inbound_record, event, skew)
    except (EventError, PermanentError) as refused:
        return EventOutcome(id=event_id, status="refused", reason=str(refused))
    return EventOutcome(id=event_id, status="accepted")


@router.post(
    "/events",
    response_model=IntakeOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {STRUCTURED: {"schema": {"type": "object"}}, BATCH: {"schema": {"type": "array"}}},
        }
    },
    responses={
        202: {"description": "The one event (structured or binary mode) was accepted."},
        415: {"description": "Not CloudEvents."},
        422: {"description": "The one event was refused (the reason is in `results`)."},
    },
)
async def take_events(request: Request, caller: Caller, service: ServiceDep, response: Response) -> IntakeOut:
    """One event or a batch; each answered accepted or refused, with the reason. A batch answers 200
    whatever its events' fate; one event answers 202 when accepted, 422 when refused."""
    require(caller, Role.SYSTEM)
    if caller.system_id is None:
        raise HTTPException(
            403, detail="this key reads; publishing needs a key issued for a system (system_id)"
        )
    try:
        raws, batch = read_events(
            request.headers.get("content-type", ""), request.headers, await request.body()
        )
    except UnreadableError as unreadable:
        raise HTTPException(unreadable.status, detail=str(unreadable)) from None
    results = [await _take(raw, caller, request, service) for raw in raws]
    accepted = sum(r.status == "accepted" for r in results)
    if not batch:
        response.status_code = 202 if accepted else 422
    return IntakeOut(accepted=accepted, refused=len(results) - accepted, results=results)
