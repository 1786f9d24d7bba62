"""Operators issue, list and revoke API keys; every service accepts a key within seconds of its issue
and refuses it within seconds of its revocation (their replicas read `eiso.identity.credentials`)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field

from contracts.fields import AgencyCode, Text
from contracts.identity import CREDENTIAL_ID, SYSTEM_ID, Role
from services.common.audit import by
from services.common.auth import Caller, require
from services.common.credentials import Credential
from services.common.inputs import RequestBody
from services.identity.api.shared import ServiceDep, refusals
from services.identity.keys import RevocationRefusedError
from services.identity.usecases import keys

router = APIRouter(prefix="/api-keys", tags=["access"])


class KeyIn(RequestBody):
    name: Text = Field(
        min_length=1, max_length=200, description="Who holds it, e.g. 'Sở KH&CN – thư ký ISO'."
    )
    role: Role
    agency_code: AgencyCode | None = Field(default=None, description="Required for role agency.")
    system_id: str | None = Field(
        default=None,
        pattern=SYSTEM_ID,
        description="Role system only: the registered system the key publishes as (`POST /events` on "
        "the registry); without it, the key reads.",
    )


class KeyOut(BaseModel):
    id: str
    name: str
    role: Role
    agency_code: str | None
    created_at: datetime
    revoked_at: datetime | None = None
    system_id: str | None = None
    key: str | None = Field(default=None, description="The secret key, shown once, at creation.")

    @classmethod
    def of(cls, credential: Credential, key: str | None = None) -> "KeyOut":
        return cls(
            id=credential.id,
            name=credential.name,
            role=credential.role,
            agency_code=credential.agency_code,
            created_at=credential.created_at,
            revoked_at=credential.revoked_at,
            system_id=credential.system_id,
            key=key,
        )


@router.post("", status_code=201, response_model=KeyOut)
async def issue(body: KeyIn, caller: Caller, request: Request, service: ServiceDep) -> KeyOut:
    require(caller, Role.OPERATOR)
    with refusals():
        issued = await service.act(
            by(caller, request, "api-keys"),
            keys.issue_key,
            body.name,
            body.role,
            body.agency_code,
            body.system_id,
        )
    return KeyOut.of(issued.credential, issued.key)


@router.get("", response_model=list[KeyOut])
async def list_keys(caller: Caller, service: ServiceDep) -> list[KeyOut]:
    require(caller, Role.OPERATOR)
    return [KeyOut.of(credential) for credential in await service.query(keys.all_keys)]


@router.delete("/{key_id}", status_code=204, responses={409: {"description": "The key must stay."}})
async def revoke_one(
    key_id: Annotated[str, Path(pattern=CREDENTIAL_ID)], caller: Caller, request: Request, service: ServiceDep
) -> None:
    require(caller, Role.OPERATOR)
    try:
        revoked = await service.act(
            by(caller, request, f"api-key:{key_id}"), keys.revoke_key, key_id, service.bootstrap_id
        )
    except RevocationRefusedError as refused:
        raise HTTPException(409, detail=str(refused)) from None
    if not revoked:
        raise HTTPException(404, detail=f"no active key {key_id}")
