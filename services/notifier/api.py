"""The notifier's HTTP API: what was sent to whom (masked), delivery callbacks, a cost preview."""

import secrets
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import update

from contracts.fields import Text
from services.common.auth import Anonymous, Caller, Role, require
from services.common.inputs import problem
from services.common.logging import mask_text
from services.common.service import service_of
from services.notifier import store
from services.notifier.runtime import NotifierService

router = APIRouter(tags=["notifications"])
ServiceDep = Annotated[NotifierService, Depends(service_of)]
STATUSES = "^(pending|sending|sent|failed|cancelled)$"


class NotificationOut(BaseModel):
    request_id: str
    batch_id: str | None
    agency_code: str
    reason: str
    period: str
    channel: str
    role: str
    recipient: str
    status: str
    due_at: datetime
    attempts: int
    gateway: str | None
    segments: int | None
    delivery: str | None
    error: str | None
    sent_at: datetime | None


def masked(row: dict[str, Any]) -> str:
    """***678 for a phone, n***@example.vn for an e-mail: enough to recognise, not to reuse."""
    return mask_text(str(row["address"]))


@router.get("/notifications", response_model=list[NotificationOut])
async def list_notifications(
    caller: Caller,
    service: ServiceDep,
    agency: str | None = None,
    status: Annotated[str | None, Query(pattern=STATUSES)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[NotificationOut]:
    """Messages, newest first; addresses are masked. An agency key sees its own agency's only."""
    if caller.role == Role.AGENCY:
        if agency not in (None, caller.agency_code):
            raise HTTPException(404, detail=problem("agency", f"không có cơ quan {agency}", "query"))
        agency = caller.agency_code
    async with service.reader() as uow:
        rows = await store.listing(uow.session, agency, status, limit)
    return [
        NotificationOut(**{k: r[k] for k in NotificationOut.model_fields if k in r}, recipient=masked(r))
        for r in rows
    ]


class Summary(BaseModel):
    """The notifier at a glance (what the operator board shows): the last `hours` hours."""

    now: datetime
    hours: int
    sent: int
    failed: int
    held: int = Field(description="Waiting for quiet hours to end, a working day or the throttle.")
    due: int = Field(description="Due now and not yet sent (retries included).")
    sms_segments: int
    next_due_in_seconds: float | None = Field(description="When the next held message is due.")


@router.get("/notifications/summary", response_model=Summary)
async def summary(
    caller: Caller, service: ServiceDep, hours: Annotated[int, Query(ge=1, le=720)] = 24
) -> Summary:
    require(caller, Role.OPERATOR, Role.SYSTEM)
    async with service.reader() as uow:
        now = uow.clock.now()
        counts = await store.summary(uow.session, now, now - timedelta(hours=hours))
    return Summary(now=now, hours=hours, **counts)


class CostLine(BaseModel):
    gateway: str
    messages: int
    segments: int


class CostPreview(BaseModel):
    """What a campaign's SMS cost in messages and parts, per gateway: sent so far, and still to send
    (each queued SMS rendered now and counted)."""

    sent: list[CostLine]
    queued_messages: int
    queued_segments: int


@router.get("/notifications/cost-preview", response_model=CostPreview)
async def cost_preview(caller: Caller, service: ServiceDep) -> CostPreview:
    require(caller, Role.OPERATOR)
    async with service.reader() as uow:
        rows = await store.listing(uow.session, None, None, 1_000_000)
    sent: dict[str, list[int]] = {}
    seen: set[str] = set()
    for row in rows:
        if row["channel"] == "sms" and row["status"] == "sent" and row["batch_id"] not in seen:
            seen.add(row["batch_id"])
            line = sent.setdefault(row["gateway"] or "?", [0, 0])
            line[0] += 1
            line[1] += row["segments"] or 0
    queued = [r for r in rows if r["channel"] == "sms" and r["status"] in ("pending", "sending")]
    parts = sum(service.dispatcher.render([r]).sms_segments.count for r in queued)
    return CostPreview(
        sent=[CostLine(gateway=g, messages=m, segments=s) for g, (m, s) in sorted(sent.items())],
        queued_messages=len(queued),
        queued_segments=parts,
    )


class DeliveryReport(BaseModel):
    """A gateway's delivery report: eSMS sends `RequestId`/`SMSID` and `SendStatus`, SpeedSMS `tranId`
    and `status`; anything else in it is ignored."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)

    request_id: Text | None = Field(
        default=None, max_length=100, validation_alias=AliasChoices("RequestId", "request_id")
    )
    provider_id: Text | None = Field(
        default=None, max_length=100, validation_alias=AliasChoices("SMSID", "tranId")
    )
    status: Text | None = Field(
        default=None, max_length=40, validation_alias=AliasChoices("SendStatus", "status")
    )


@router.post(
    "/callbacks/{gateway}",
    status_code=204,
    responses={401: {"description": "Token missing or wrong."}, 404: {"description": "No such message."}},
)
async def delivery_callback(
    gateway: str, request: Request, service: ServiceDep, visitor: Anonymous, token: str = ""
) -> None:
    """A gateway reports delivery. Refused without the shared token; a wrong token counts as a failed
    attempt of the caller's address."""
    expected = service.notifier_settings.callback_token
    if expected is None or not secrets.compare_digest(token.encode(), expected.get_secret_value().encode()):
        raise HTTPException(401, detail="callback token missing or wrong")  # a failed attempt
    visitor.succeeded()
    try:
        report = DeliveryReport.model_validate_json(await request.body())
    except ValidationError as invalid:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in invalid.errors()]) from None
    request_id, provider_id, status = report.request_id, report.provider_id, report.status
    if not (request_id or provider_id) or not status:
        missing = "SendStatus" if request_id or provider_id else "RequestId"
        raise HTTPException(422, detail=problem(missing, "need RequestId or SMSID/tranId, and a status"))
    delivered = "delivered" if status.lower() in ("5", "delivered", "success", "2") else "undelivered"
    where = (
        store.notifications.c.batch_id == request_id
        if request_id
        else store.notifications.c.provider_id == str(provider_id)
    )
    async with service.uow() as uow:
        result = await uow.session.execute(
            update(store.notifications).where(where).values(delivery=delivered)
        )
        await uow.commit()
    if not result.rowcount:  # type: ignore[attr-defined]
        raise HTTPException(404, detail=problem("RequestId", "no message with this id"))
