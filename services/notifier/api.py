"""The notifier's HTTP API: what was sent to whom (masked), delivery callbacks, a cost preview."""

import secrets
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from contracts.fields import Text
from services.common.auth import Anonymous, Caller, Role, require
from services.common.inputs import problem
from services.common.logging import mask_text
from services.common.service import service_of
from services.notifier.lifecycle import Notification, NotificationStatus
from services.notifier.usecases import callbacks, reports

if TYPE_CHECKING:  # app.py wires these routes into the service
    from services.notifier.app import NotifierService

router = APIRouter(tags=["notifications"])
ServiceDep = Annotated["NotifierService", Depends(service_of)]
STATUSES = f"^({'|'.join(NotificationStatus)})$"


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
    held_for: str | None = Field(
        description="Why it last waited: quiet_hours (outside the sending window) or throttle."
    )


def shown(notification: Notification) -> NotificationOut:
    """As listed: the address masked — ***678 for a phone, n***@example.vn for an e-mail: enough to
    recognise, not to reuse."""
    n = notification
    return NotificationOut(
        request_id=n.request_id,
        batch_id=n.batch_id,
        agency_code=n.agency_code,
        reason=n.reason,
        period=n.period,
        channel=n.channel.value,
        role=n.role.value,
        recipient=mask_text(n.address),
        status=n.status.value,
        due_at=n.due_at,
        attempts=n.attempts,
        gateway=n.gateway,
        segments=n.segments,
        delivery=None if n.delivery is None else n.delivery.value,
        error=n.error,
        sent_at=n.sent_at,
        held_for=None if n.held_for is None else n.held_for.value,
    )


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
    wanted = None if status is None else NotificationStatus(status)
    return [shown(n) for n in await service.query(reports.notifications, agency, wanted, limit)]


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
    recent = await service.query(reports.summary, hours)
    return Summary(now=recent.now, hours=hours, **asdict(recent.counts))


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
    cost = await service.query(reports.cost_preview, service.templates)
    return CostPreview(
        sent=[CostLine(gateway=c.gateway, messages=c.messages, segments=c.segments) for c in cost.sent],
        queued_messages=cost.queued_messages,
        queued_segments=cost.queued_segments,
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
    try:
        await service.command(callbacks.delivery_reported, request_id, provider_id, status)
    except callbacks.NoSuchMessageError:
        raise HTTPException(404, detail=problem("RequestId", "no message with this id")) from None
