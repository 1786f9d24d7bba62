"""Operators make people's accounts, list them and change them (role, agency, disabled). A new
account comes with a one-time link its holder sets a password with."""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field

from contracts.agencies import EMAIL
from contracts.fields import AgencyCode, Text
from contracts.identity import ACCOUNT_ID, Role
from services.common.audit import by
from services.common.auth import Caller, require
from services.common.inputs import RequestBody
from services.identity.api.shared import ServiceDep, refusals
from services.identity.people import Account
from services.identity.usecases import people

router = APIRouter(prefix="/accounts", tags=["people"])
AccountId = Annotated[str, Path(pattern=ACCOUNT_ID)]


class AccountIn(RequestBody):
    email: str = Field(
        max_length=254, pattern=EMAIL, description="Where the person is written to; what they sign in with."
    )
    name: Text = Field(min_length=1, max_length=200, description="As inspections and sessions name them.")
    role: Role
    agency_code: AgencyCode | None = Field(default=None, description="Required for role agency.")


class AccountChange(RequestBody):
    role: Role | None = None
    agency_code: AgencyCode | None = None
    active: bool | None = Field(default=None, description="False: every sign-in of the account is refused.")


class AccountOut(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    agency_code: str | None
    active: bool
    has_password: bool
    created_at: datetime
    password_link: str | None = Field(
        default=None, description="Shown once, at creation: the page where the person sets a password."
    )

    @classmethod
    def of(cls, account: Account, link: str | None = None) -> "AccountOut":
        return cls(
            id=account.id,
            email=account.email,
            name=account.name,
            role=account.role,
            agency_code=account.agency_code,
            active=account.active,
            has_password=account.password_hash is not None,
            created_at=account.created_at,
            password_link=link,
        )


@router.post("", status_code=201, response_model=AccountOut)
async def create(body: AccountIn, caller: Caller, service: ServiceDep, request: Request) -> AccountOut:
    require(caller, Role.OPERATOR)
    valid_for = timedelta(hours=service.identity_settings.password_link_hours)
    with refusals():
        made = await service.act(
            by(caller, request, f"account:{body.email}"),
            people.create_account,
            body.email,
            body.name,
            body.role,
            body.agency_code,
            valid_for,
        )
    public = service.identity_settings.public_url or str(request.base_url)
    return AccountOut.of(made.account, f"{public.rstrip('/')}/password-links/{made.link}")


@router.get("", response_model=list[AccountOut])
async def list_accounts(caller: Caller, service: ServiceDep) -> list[AccountOut]:
    require(caller, Role.OPERATOR)
    return [AccountOut.of(account) for account in await service.query(people.all_accounts)]


@router.patch("/{account_id}", response_model=AccountOut)
async def change(
    account_id: AccountId, body: AccountChange, caller: Caller, request: Request, service: ServiceDep
) -> AccountOut:
    require(caller, Role.OPERATOR)
    with refusals():
        changed = await service.act(
            by(caller, request, f"account:{account_id}"),
            people.change_account,
            account_id,
            body.role,
            body.agency_code,
            body.active,
        )
    if changed is None:
        raise HTTPException(404, detail=f"no account {account_id}")
    return AccountOut.of(changed)
