"""Calendar feed tokens: what a calendar app subscribes to an agency's training calendar with. The URL
holds the token (calendar apps send no headers), so the token opens that calendar and nothing else,
and is revoked on its own without touching anyone's sign-in or key."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field

from contracts.fields import AgencyCode
from contracts.identity import CREDENTIAL_ID, Role
from services.common.audit import by
from services.common.auth import Caller, Principal, require
from services.common.inputs import RequestBody
from services.identity.api.shared import ServiceDep, refusals
from services.identity.usecases import keys

router = APIRouter(prefix="/feed-tokens", tags=["calendar feeds"])


class FeedIn(RequestBody):
    agency_code: AgencyCode


class FeedOut(BaseModel):
    id: str
    agency_code: str
    calendar_path: str = Field(
        description="Append to the training service's address, e.g. https://…/agencies/<code>/calendar.ics?token=…"
    )


def _may_manage(caller: Principal, agency_code: str | None) -> None:
    """An operator, or the agency's own officer, for their agency."""
    if caller.role == Role.OPERATOR:
        return
    require(caller, Role.AGENCY)
    if agency_code != caller.agency_code:
        raise HTTPException(404, detail=f"no calendar feed of yours for {agency_code}")


@router.post("", status_code=201, response_model=FeedOut)
async def issue(body: FeedIn, caller: Caller, request: Request, service: ServiceDep) -> FeedOut:
    _may_manage(caller, body.agency_code)
    name = f"Lịch đào tạo – {body.agency_code}"
    with refusals():
        issued = await service.act(
            by(caller, request, f"feed:{body.agency_code}"), keys.issue_key, name, Role.FEED, body.agency_code
        )
    path = f"/agencies/{body.agency_code}/calendar.ics?token={issued.key}"
    return FeedOut(id=issued.credential.id, agency_code=body.agency_code, calendar_path=path)


@router.delete("/{token_id}", status_code=204)
async def revoke(
    token_id: Annotated[str, Path(pattern=CREDENTIAL_ID)],
    caller: Caller,
    request: Request,
    service: ServiceDep,
) -> None:
    """Every calendar app subscribed with it stops getting the calendar within seconds."""
    found = await service.query(keys.feed, token_id)
    if found is None:
        raise HTTPException(404, detail=f"no active calendar feed {token_id}")
    _may_manage(caller, found.agency_code)
    await service.act(by(caller, request, f"feed:{found.agency_code}"), keys.revoke_key, token_id, None)
