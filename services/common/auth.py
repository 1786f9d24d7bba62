"""Who is calling (docs/architecture.md, "Identity"): the holder of an API key, or a person signed in
(a session token, as `Authorization: Bearer` or in the `eiso_session` cookie), checked locally
against this service's replica of the identity service's credentials (`services.common.credentials`),
never by calling the owner; and what a route requires of them.

A browser sends its cookie with every request, including one a hostile page makes it send: so a
request that changes something and is signed in by cookie must also carry the sign-in's CSRF token
(header `X-CSRF-Token`, or the form field `csrf_token` on the identity service's own forms).
"""

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.identity import Role
from services.common import credentials, scopes, tokens
from services.common.db import READ_ONLY
from services.common.ratelimit import RequestLimits

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

__all__ = [
    "Anonymous",
    "Caller",
    "FeedCaller",
    "FormCaller",
    "PageCaller",
    "Principal",
    "Role",
    "Visitor",
    "check_csrf",
    "me_router",
    "require",
]


@dataclass(frozen=True)
class Principal:
    #: The API key's id, or the person's account id (`acc-…`).
    key_id: str
    role: Role
    agency_code: str | None = None
    #: A person's name (None for a key).
    name: str | None = None
    #: A person's sign-in (None for a key): what sign-out ends, and its CSRF token.
    sign_in_id: str | None = None
    csrf: str | None = None
    #: A system key's system: what it publishes as.
    system_id: str | None = None

    @property
    def is_person(self) -> bool:
        return self.sign_in_id is not None

    def may_read(self, agency_code: str) -> bool:
        return self.role not in (Role.AGENCY, Role.FEED) or self.agency_code == agency_code

    def may_write(self, agency_code: str) -> bool:
        return self.role == Role.OPERATOR or (self.role == Role.AGENCY and self.agency_code == agency_code)

    def scope(self, role: Role) -> str | None:
        """Whose records the caller reaches when they hold `role`, a role scoped by name (an inspector,
        a trainer): their own name, as `scopes.name_key` matches it; None when they hold another role
        (not scoped by name). A key holding `role` names no person and reaches no record
        (`scopes.NOBODY`), not every record."""
        if self.role != role:
            return None
        return scopes.NOBODY if self.name is None else scopes.name_key(self.name)


_bearer = HTTPBearer(auto_error=False)
UNAUTHORISED = HTTPException(
    status.HTTP_401_UNAUTHORIZED,
    detail="missing, unknown or revoked API key or sign-in (send Authorization: Bearer <key>, or sign in)",
    headers={"WWW-Authenticate": "Bearer"},
)
CSRF_MISSING = HTTPException(
    status.HTTP_403_FORBIDDEN,
    detail=f"a change made with a signed-in browser must carry its CSRF token ({tokens.CSRF_HEADER})",
)


async def authenticate(
    request: Request, bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """FastAPI dependency: the caller behind the bearer key or token, or the signed-in browser; or 401.
    A calendar feed token opens its calendar only (`authenticate_feed`)."""
    principal = await _principal(request, bearer.credentials if bearer else None)
    if principal.role == Role.FEED:
        raise UNAUTHORISED
    if principal.is_person and bearer is None and request.method not in SAFE_METHODS:
        check_csrf(principal, request.headers.get(tokens.CSRF_HEADER))
    return principal


async def authenticate_feed(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    token: Annotated[
        str | None, Query(description="A calendar feed token (calendar apps cannot send headers).")
    ] = None,
) -> Principal:
    """For calendar feeds, which calendar apps fetch by URL alone: a feed token as `?token=` (and
    only a feed token: no other key belongs in a URL), or any caller as `authenticate` takes them."""
    if token is None:
        return await authenticate(request, bearer)
    principal = await _principal(request, token)
    if principal.role != Role.FEED:
        raise UNAUTHORISED
    return principal


async def authenticate_form(
    request: Request, bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """For the identity service's own forms: the caller as `authenticate` finds them, the CSRF token
    left for the route to check against the form's field (`check_csrf`)."""
    return await _principal(request, bearer.credentials if bearer else None)


def check_csrf(principal: Principal, presented: str | None) -> None:
    """403 unless `presented` is the sign-in's own CSRF token (API keys have none to check)."""
    if principal.is_person and not (
        presented and principal.csrf and hmac.compare_digest(presented, principal.csrf)
    ):
        raise CSRF_MISSING


#: Declares the sign-in cookie in the OpenAPI documents of pages (an alternative to the bearer key).
_session_cookie = APIKeyCookie(
    name=tokens.SESSION_COOKIE,
    auto_error=False,
    description="The browser's sign-in (the identity service sets it).",
)


async def authenticate_page(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _cookie: Annotated[str | None, Depends(_session_cookie)],
) -> Principal:
    """For pages a browser opens (the operator board): the sign-in's cookie (or a bearer key or token,
    for scripts). A browser not signed in, or whose sign-in has ended, is sent to the identity
    service's sign-in page, and back here once signed in. A key never goes in a URL: a URL stays in
    the browser's history and in proxies' logs."""
    try:
        return await _principal(request, bearer.credentials if bearer else None)
    except HTTPException as refused:
        if refused.status_code != status.HTTP_401_UNAUTHORIZED or bearer is not None:
            raise
        sign_in = request.app.state.service.settings.sign_in_url
        raise HTTPException(
            status.HTTP_303_SEE_OTHER,
            detail="sign in first",
            headers={"Location": f"{sign_in}?{urlencode({'next': str(request.url)})}"},
        ) from None


def presented_credential(request: Request) -> str | None:
    """What the caller presented: a bearer key or token, else the browser's sign-in cookie (what a
    page passes on, unchanged, when it calls a service for the person)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(tokens.SESSION_COOKIE)


async def _principal(request: Request, presented: str | None) -> Principal:
    """The key's holder. The secret is checked before the key's own rate limit is charged (whoever
    merely knows a key id must not get its holder refused); failed attempts are limited per client
    address (a request with no key is no attempt), and an address that has used its attempts up is
    refused before anything is checked."""
    presented = presented or request.cookies.get(tokens.SESSION_COOKIE)
    if presented is None:
        raise UNAUTHORISED  # no key at all is not a guess: nothing to count
    limits: RequestLimits = request.app.state.service.limits
    limits.attempt(request)
    service = request.app.state.service
    async with service.sessions(execution_options=READ_ONLY) as session:
        if tokens.looks_like_token(presented):
            principal = await _person(session, presented, service.clock.now())
        else:
            principal = await _key_holder(session, presented)
    if principal is None:
        raise UNAUTHORISED  # the attempt stays spent
    limits.succeeded(request)
    limits.charge_key(principal.key_id)
    return principal


async def _key_holder(session: AsyncSession, presented: str) -> Principal | None:
    parts = credentials.split_key(presented)
    found = None if parts is None else await credentials.find(session, parts[0])
    if parts is None or found is None or not found.opens_with(parts[1]):
        return None
    return Principal(found.id, found.role, found.agency_code, system_id=found.system_id)


async def _person(session: AsyncSession, token: str, now: datetime) -> Principal | None:
    found = await tokens.check_token(session, token, now)
    if found is None:
        return None
    return Principal(
        found.account_id, found.role, found.agency_code, found.name, found.sign_in_id, found.csrf
    )


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
FormCaller = Annotated[Principal, Depends(authenticate_form)]
FeedCaller = Annotated[Principal, Depends(authenticate_feed)]
PageCaller = Annotated[Principal, Depends(authenticate_page)]
Anonymous = Annotated[Visitor, Depends(visitor)]


def require(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"this needs the role {' or '.join(roles)}")


class CallerOut(BaseModel):
    key_id: str
    role: Role
    agency_code: str | None
    name: str | None = None


def me_router() -> APIRouter:
    """`GET /me` on every service: who the service takes the caller for. A script checks its key with
    it; after an issue or a revocation, it tells when this service's replica has the change."""
    router = APIRouter(tags=["access"])

    @router.get("/me", response_model=CallerOut)
    async def me(caller: Caller) -> CallerOut:
        return CallerOut(
            key_id=caller.key_id, role=caller.role, agency_code=caller.agency_code, name=caller.name
        )

    return router
