"""API keys with roles (docs/architecture.md): random, stored hashed, revocable.

A key reads `eiso_<id>_<secret>`: the id finds the row, the secret is compared as a SHA-256 digest in
constant time. SHA-256 suffices because the secret is 32 random bytes, not a password.
"""

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import Column, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.fields import AgencyCode, Text
from services.common.db import READ_ONLY, UTCDateTime, new_metadata
from services.common.inputs import RequestBody, problem
from services.common.ratelimit import RequestLimits
from services.common.uow import UnitOfWork

metadata = new_metadata()

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("agency_code", String(64), nullable=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)


class Role(StrEnum):
    OPERATOR = "operator"  # everything
    AGENCY = "agency"  # its own agency's data only
    SYSTEM = "system"  # read (outside provincial systems)


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: Role
    agency_code: str | None = None

    def may_read(self, agency_code: str) -> bool:
        return self.role != Role.AGENCY or self.agency_code == agency_code

    def may_write(self, agency_code: str) -> bool:
        return self.role == Role.OPERATOR or (self.role == Role.AGENCY and self.agency_code == agency_code)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _matches(stored: str, secret: str) -> bool:
    return hmac.compare_digest(stored, digest(secret))


def new_key() -> tuple[str, str, str]:
    """(key id, the full key to hand out once, its digest to store)."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return key_id, f"eiso_{key_id}_{secret}", digest(secret)


def split_key(key: str) -> tuple[str, str] | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "eiso" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


async def store_key(
    session: AsyncSession,
    key_id: str,
    key_digest: str,
    role: Role,
    name: str,
    agency: str | None,
    now: datetime,
) -> None:
    await session.execute(
        api_keys.insert().values(
            id=key_id, digest=key_digest, role=role.value, agency_code=agency, name=name, created_at=now
        )
    )


def _bootstrap_parts(key: str) -> tuple[str, str]:
    """(id, secret) of EISO_BOOTSTRAP_OPERATOR_KEY; ValueError when it is not shaped like a key."""
    parts = split_key(key)
    if parts is None:
        raise ValueError("EISO_BOOTSTRAP_OPERATOR_KEY must look like eiso_<id>_<secret>")
    return parts


def bootstrap_key_id(key: str) -> str:
    return _bootstrap_parts(key)[0]


async def ensure_bootstrap_key(session: AsyncSession, key: str, now: datetime) -> str | None:
    """Make `key` (from EISO_BOOTSTRAP_OPERATOR_KEY) a valid operator key, whatever happened to it: a
    fresh install is usable at once, and a restart is the way back in for an operator locked out.
    Returns what was done ("created", "restored" from revoked or from another role), or None."""
    key_id, secret = _bootstrap_parts(key)
    row = (await session.execute(select(api_keys).where(api_keys.c.id == key_id))).first()
    if row is None:
        await store_key(session, key_id, digest(secret), Role.OPERATOR, "bootstrap operator", None, now)
        return "created"
    if row.digest != digest(secret):
        raise ValueError(f"key id {key_id} already exists with another secret")
    if row.revoked_at is None and row.role == Role.OPERATOR:
        return None
    await session.execute(
        update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=None, role=Role.OPERATOR.value)
    )
    return "restored"


class RevocationRefusedError(Exception):
    """A key that must stay: the message says why and what to do instead."""


async def revoke(session: AsyncSession, key_id: str, now: datetime, bootstrap_id: str | None) -> bool:
    """Revoke an active key (False if there is none by that id). Never the bootstrap key (it would come
    back at the next start anyway), never the last active operator key (nobody could issue keys any
    more). The active operator keys are locked for the check, so two revocations cannot both pass it."""
    if key_id == bootstrap_id:
        raise RevocationRefusedError(
            "the bootstrap operator key cannot be revoked; to retire it, set another "
            "EISO_BOOTSTRAP_OPERATOR_KEY and restart the services"
        )
    operators = (
        await session.execute(
            select(api_keys.c.id)
            .where(api_keys.c.role == Role.OPERATOR.value, api_keys.c.revoked_at.is_(None))
            .with_for_update()
        )
    ).scalars()
    if list(operators) == [key_id]:
        raise RevocationRefusedError(
            "this is the last active operator key; issue another operator key before revoking it"
        )
    result = await session.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


_bearer = HTTPBearer(auto_error=False)
UNAUTHORISED = HTTPException(
    status.HTTP_401_UNAUTHORIZED,
    detail="missing, unknown or revoked API key (send Authorization: Bearer <key>)",
    headers={"WWW-Authenticate": "Bearer"},
)


async def authenticate(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """FastAPI dependency: the caller behind the bearer key, or 401."""
    return await _principal(request, credentials.credentials if credentials else None)


async def authenticate_page(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    key: str | None = None,
) -> Principal:
    """For pages a browser opens (the operator board): the key may also come as `?key=`."""
    return await _principal(request, credentials.credentials if credentials else key)


async def _principal(request: Request, presented: str | None) -> Principal:
    """The key's holder. The secret is checked before the key's own rate limit is charged (whoever
    merely knows a key id must not get its holder refused); failed attempts are limited per client
    address (a request with no key is no attempt), and an address that has used its attempts up is
    refused before anything is checked."""
    if presented is None:
        raise UNAUTHORISED  # no key at all is not a guess: nothing to count
    limits: RequestLimits = request.app.state.service.limits
    limits.attempt(request)
    parts = split_key(presented)
    row = None
    if parts is not None:
        async with request.app.state.service.sessions(execution_options=READ_ONLY) as session:
            row = (await session.execute(select(api_keys).where(api_keys.c.id == parts[0]))).first()
    if parts is None or row is None or row.revoked_at is not None or not _matches(row.digest, parts[1]):
        raise UNAUTHORISED  # the attempt stays spent
    limits.succeeded(request)
    limits.charge_key(row.id)
    return Principal(row.id, Role(row.role), row.agency_code)


@dataclass(frozen=True)
class Visitor:
    """Someone calling an endpoint that needs no key (a certificate check, a gateway's callback):
    limited per client address, and each call spends one of its attempts until the route says it
    was right (`succeeded`): a wrong guess stays counted."""

    limits: RequestLimits
    request: Request

    def succeeded(self) -> None:
        self.limits.succeeded(self.request)


async def visitor(request: Request) -> Visitor:
    limits: RequestLimits = request.app.state.service.limits
    limits.charge_address(request)
    limits.attempt(request)
    return Visitor(limits, request)


Caller = Annotated[Principal, Depends(authenticate)]
PageCaller = Annotated[Principal, Depends(authenticate_page)]
Anonymous = Annotated[Visitor, Depends(visitor)]


def require(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"this needs the role {' or '.join(roles)}")


class KeyIn(RequestBody):
    name: Text = Field(
        min_length=1, max_length=200, description="Who holds it, e.g. 'Sở KH&CN – thư ký ISO'."
    )
    role: Role
    agency_code: AgencyCode | None = Field(default=None, description="Required for role agency.")


class KeyOut(BaseModel):
    id: str
    name: str
    role: Role
    agency_code: str | None
    created_at: datetime
    revoked_at: datetime | None = None
    key: str | None = Field(default=None, description="The secret key, shown once, at creation.")


AgencyCheck = Callable[[AsyncSession, str], Awaitable[bool]]


class KeyRefusedError(Exception):
    """A key that cannot be issued as asked; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


async def issue_key(uow: UnitOfWork, body: KeyIn, agency_exists: AgencyCheck) -> KeyOut:
    """A new key, shown once in what is returned and stored only hashed. An agency key is issued only
    for an agency the service knows, so no key waits for a code someone may register later."""
    if (body.role == Role.AGENCY) != (body.agency_code is not None):
        raise KeyRefusedError("agency_code", "needed by, and only by, role agency")
    if body.agency_code and not await agency_exists(uow.session, body.agency_code):
        raise KeyRefusedError("agency_code", f"agency {body.agency_code} is unknown")
    key_id, key, key_digest = new_key()
    now = uow.clock.now()
    await store_key(uow.session, key_id, key_digest, body.role, body.name, body.agency_code, now)
    return KeyOut(
        id=key_id, name=body.name, role=body.role, agency_code=body.agency_code, created_at=now, key=key
    )


async def all_keys(uow: UnitOfWork) -> list[KeyOut]:
    rows = await uow.session.execute(select(api_keys).order_by(api_keys.c.created_at))
    return [KeyOut.model_validate(dict(r._mapping)) for r in rows]


async def revoke_key(uow: UnitOfWork, key_id: str, bootstrap_id: str | None) -> bool:
    return await revoke(uow.session, key_id, uow.clock.now(), bootstrap_id)


def keys_router(agency_exists: AgencyCheck) -> APIRouter:
    """Operators issue, list and revoke keys."""
    router = APIRouter(prefix="/api-keys", tags=["access"])

    @router.post("", status_code=201, response_model=KeyOut)
    async def issue(body: KeyIn, caller: Caller, request: Request) -> KeyOut:
        require(caller, Role.OPERATOR)
        try:
            issued: KeyOut = await request.app.state.service.command(issue_key, body, agency_exists)
        except KeyRefusedError as refused:
            raise HTTPException(422, detail=problem(refused.field, str(refused))) from None
        return issued

    @router.get("", response_model=list[KeyOut])
    async def list_keys(caller: Caller, request: Request) -> list[KeyOut]:
        require(caller, Role.OPERATOR)
        found: list[KeyOut] = await request.app.state.service.query(all_keys)
        return found

    @router.delete("/{key_id}", status_code=204, responses={409: {"description": "The key must stay."}})
    async def revoke_one(key_id: str, caller: Caller, request: Request) -> None:
        require(caller, Role.OPERATOR)
        service = request.app.state.service
        bootstrap = service.settings.bootstrap_operator_key
        bootstrap_id = bootstrap_key_id(bootstrap.get_secret_value()) if bootstrap else None
        try:
            revoked = await service.command(revoke_key, key_id, bootstrap_id)
        except RevocationRefusedError as refused:
            raise HTTPException(409, detail=str(refused)) from None
        if not revoked:
            raise HTTPException(404, detail=f"no active key {key_id}")

    return router
