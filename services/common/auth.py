"""Who is calling (docs/architecture.md, "Identity"): the holder of an API key, checked locally
against this service's replica of the identity service's credentials (`services.common.credentials`),
never by calling the owner; and what a route requires of them.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from contracts.identity import Role
from services.common import credentials
from services.common.db import READ_ONLY
from services.common.ratelimit import RequestLimits

__all__ = ["Anonymous", "Caller", "PageCaller", "Principal", "Role", "Visitor", "me_router", "require"]


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: Role
    agency_code: str | None = None

    def may_read(self, agency_code: str) -> bool:
        return self.role != Role.AGENCY or self.agency_code == agency_code

    def may_write(self, agency_code: str) -> bool:
        return self.role == Role.OPERATOR or (self.role == Role.AGENCY and self.agency_code == agency_code)


_bearer = HTTPBearer(auto_error=False)
UNAUTHORISED = HTTPException(
    status.HTTP_401_UNAUTHORIZED,
    detail="missing, unknown or revoked API key (send Authorization: Bearer <key>)",
    headers={"WWW-Authenticate": "Bearer"},
)


async def authenticate(
    request: Request, bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """FastAPI dependency: the caller behind the bearer key, or 401."""
    return await _principal(request, bearer.credentials if bearer else None)


async def authenticate_page(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    key: str | None = None,
) -> Principal:
    """For pages a browser opens (the operator board): the key may also come as `?key=`."""
    return await _principal(request, bearer.credentials if bearer else key)


async def _principal(request: Request, presented: str | None) -> Principal:
    """The key's holder. The secret is checked before the key's own rate limit is charged (whoever
    merely knows a key id must not get its holder refused); failed attempts are limited per client
    address (a request with no key is no attempt), and an address that has used its attempts up is
    refused before anything is checked."""
    if presented is None:
        raise UNAUTHORISED  # no key at all is not a guess: nothing to count
    limits: RequestLimits = request.app.state.service.limits
    limits.attempt(request)
    parts = credentials.split_key(presented)
    found = None
    if parts is not None:
        async with request.app.state.service.sessions(execution_options=READ_ONLY) as session:
            found = await credentials.find(session, parts[0])
    if parts is None or found is None or not found.opens_with(parts[1]):
        raise UNAUTHORISED  # the attempt stays spent
    limits.succeeded(request)
    limits.charge_key(found.id)
    return Principal(found.id, found.role, found.agency_code)


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


class CallerOut(BaseModel):
    key_id: str
    role: Role
    agency_code: str | None


def me_router() -> APIRouter:
    """`GET /me` on every service: who the service takes the caller for. A script checks its key with
    it; after an issue or a revocation, it tells when this service's replica has the change."""
    router = APIRouter(tags=["access"])

    @router.get("/me", response_model=CallerOut)
    async def me(caller: Caller) -> CallerOut:
        return CallerOut(key_id=caller.key_id, role=caller.role, agency_code=caller.agency_code)

    return router
