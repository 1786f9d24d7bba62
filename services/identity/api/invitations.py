"""Operators invite an agency's ISO officer by e-mail (`POST /invitations` with the agency's code):
the officer's name and e-mail come from the registry, the account is made, and a Vietnamese e-mail
with a one-time link to set a password is queued and sent. The answer says to whom (masked) and until
when the link works, never the link itself: the e-mail is the only place it goes. An invitation can be
sent again (a new link; the old one stops working), and followed (`GET /invitations`)."""

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from contracts.fields import AGENCY_CODE, AgencyCode
from contracts.identity import ACCOUNT_ID, Role
from services.common.audit import by
from services.common.auth import Caller, require
from services.common.inputs import RequestBody
from services.common.logging import mask_text
from services.identity.api.shared import ServiceDep, refusals
from services.identity.mail import MailStatus, QueuedMail
from services.identity.usecases import invitations
from services.identity.usecases.invitations import InvitationConflictError, Letterhead

router = APIRouter(prefix="/invitations", tags=["people"])
AccountId = Annotated[str, Path(pattern=ACCOUNT_ID)]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The account has no use for an invitation (the detail says why)."}
}


class InvitationIn(RequestBody):
    agency_code: AgencyCode = Field(
        description="The agency whose ISO officer (as the registry has it) is invited."
    )
    role: Role = Field(
        default=Role.AGENCY,
        description="The account's role; `agency` (the default) acts for this agency, another role for none.",
    )


class InvitationOut(BaseModel):
    id: str = Field(description="The invitation e-mail's id (its Message-ID is `<id@eiso>`).")
    account_id: str
    agency_code: str | None
    sent_to: str = Field(description="The address it is written to, masked.")
    status: MailStatus = Field(
        description="pending (to send, or to retry), sent, failed (`error` says why), replaced (by a "
        "newer invitation before it went)."
    )
    attempts: int
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    valid_until: datetime | None = Field(description="Until when the link in the e-mail works.")
    password_set: bool = Field(description="Whether the person has set a password (taken it up).")

    @classmethod
    def of(cls, mail: QueuedMail, password_set: bool = False) -> "InvitationOut":
        return cls(
            id=mail.id,
            account_id=mail.account_id,
            agency_code=mail.agency_code,
            sent_to=mask_text(mail.recipient),
            status=mail.status,
            attempts=mail.attempts,
            error=mail.error,
            created_at=mail.created_at,
            sent_at=mail.sent_at,
            valid_until=mail.expires_at,
            password_set=password_set,
        )


def letterhead(service: ServiceDep, request: Request) -> Letterhead:
    settings = service.identity_settings
    return Letterhead(
        base_url=settings.public_url or str(request.base_url),
        department=settings.department_name,
        link_valid_for=timedelta(hours=settings.password_link_hours),
    )


@router.post("", status_code=202, response_model=InvitationOut)
async def invite(body: InvitationIn, caller: Caller, request: Request, service: ServiceDep) -> InvitationOut:
    """Accepted: the account is made and the e-mail queued (sent within seconds; `GET /invitations`
    follows it)."""
    require(caller, Role.OPERATOR)
    with refusals():
        mail = await service.act(
            by(caller, request, f"agency:{body.agency_code}"),
            invitations.invite,
            body.agency_code,
            body.role,
            letterhead(service, request),
        )
    service.mail_sender.wake()
    return InvitationOut.of(mail)


@router.post("/{account_id}/resend", status_code=202, response_model=InvitationOut, responses=CONFLICT)
async def resend(
    account_id: AccountId, caller: Caller, request: Request, service: ServiceDep
) -> InvitationOut:
    """A new link by e-mail to an account that has not set its password yet; the older links stop
    working."""
    require(caller, Role.OPERATOR)
    try:
        mail = await service.act(
            by(caller, request, f"account:{account_id}"),
            invitations.resend_invitation,
            account_id,
            letterhead(service, request),
        )
    except InvitationConflictError as refused:
        raise HTTPException(409, detail=str(refused)) from None
    if mail is None:
        raise HTTPException(404, detail=f"no account {account_id}")
    service.mail_sender.wake()
    return InvitationOut.of(mail)


@router.get("", response_model=list[InvitationOut])
async def list_invitations(
    caller: Caller,
    service: ServiceDep,
    agency_code: Annotated[str | None, Query(pattern=AGENCY_CODE, description="Only this agency's.")] = None,
) -> list[InvitationOut]:
    """Every invitation, newest first: whether its e-mail went, and whether it was taken up."""
    require(caller, Role.OPERATOR)
    found = await service.query(invitations.all_invitations, agency_code)
    return [InvitationOut.of(invitation.mail, invitation.password_set) for invitation in found]
