"""The pages people sign in, out and change their password on, and `POST /tokens` for scripts.

A sign-in is a cookie (`eiso_session`: HttpOnly, SameSite=Lax, Secure behind TLS) that every service
on the same host takes, and a CSRF token (`eiso_csrf`, readable by pages) that a change made from a
page must carry. Forms carry it as a hidden field; the sign-in form too, against a token set when
the form is shown (so no other site can sign a person into an account of its own).
"""

import asyncio
import secrets
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field

from contracts.agencies import EMAIL
from contracts.identity import ROLE_VI
from services.common.audit import by
from services.common.auth import Anonymous, FormCaller, PageCaller, check_csrf
from services.common.clock import VIETNAM
from services.common.docs import static_url
from services.common.http import origin_of, page_policy
from services.common.inputs import RequestBody
from services.common.tokens import CSRF_COOKIE, SESSION_COOKIE
from services.identity.api.shared import ServiceDep
from services.identity.people import MIN_PASSWORD, PasswordRefusedError, SignInOutcome
from services.identity.signing import Minted
from services.identity.usecases import people, signing_in

router = APIRouter(tags=["sign-in"])
#: How the pages' refusals are documented: a page, in Vietnamese, with the form again.
PAGE_REFUSED = {
    "description": "Refused (the page says why, with the form again).",
    "content": {"text/html": {}},
}
FORM_FORGED = {"description": "The form was not sent from its own page (CSRF token missing or wrong)."}
LINK_CLOSED = {"description": "The link is unknown, used or out of date (the page says so, in Vietnamese)."}
#: A form's 422: a field FastAPI could not read (JSON, naming it), or a value refused (the page again).
FORM_REFUSED = {
    "description": "A field missing or unreadable (JSON, naming it), or refused (the page says why).",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}},
        "text/html": {},
    },
}
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
    autoescape=select_autoescape(default=True),
)
STATIC_DIR = Path(__file__).parent.parent / "static"
WRONG = "Thư điện tử hoặc mật khẩu không đúng."
DISABLED = "Tài khoản này đã bị khóa. Hãy liên hệ Sở Khoa học và Công nghệ."


def _locked(until: datetime | None) -> str:
    when = f" sau {until.astimezone(VIETNAM):%H:%M ngày %d/%m/%Y} (giờ Việt Nam)" if until else " sau ít phút"
    return f"Tài khoản tạm bị khóa vì nhập sai mật khẩu nhiều lần. Hãy thử lại{when}."


def page(
    request: Request, template: str, status: int = 200, /, leads_to: str | None = None, **context: Any
) -> HTMLResponse:
    """A page of the identity service. Its forms may lead on to another origin — the sign-in form
    back to the page the person came from (the board, on another service of this host), sign-out to
    the province's identity provider — which its Content-Security-Policy must then allow."""
    root = str(request.scope.get("root_path", "")).rstrip("/")
    html = TEMPLATES.get_template(template).render(static=static_url(request), root=root, **context)
    answer = HTMLResponse(html, status_code=status)
    targets = [o for o in (origin_of(str(context.get("next", ""))), origin_of(leads_to)) if o]
    if targets:
        answer.headers["Content-Security-Policy"] = page_policy(targets)
    return answer


def local_target(target: str | None, request: Request) -> str:
    """Where to go after signing in: a path here, or a page of another eiso service on this same host
    (the board); never another site."""
    if not target or "\\" in target:
        return "/account"
    if target.startswith("/") and not target.startswith("//"):
        return target
    parts = urlsplit(target)
    if parts.scheme in {"http", "https"} and parts.hostname == request.url.hostname:
        return target
    return "/account"


def with_sign_in(response: Response, minted: Minted, secure: bool) -> Response:
    max_age = int(minted.lifetime.total_seconds())
    response.set_cookie(
        SESSION_COOKIE, minted.token, max_age=max_age, httponly=True, samesite="lax", secure=secure, path="/"
    )
    response.set_cookie(CSRF_COOKIE, minted.csrf, max_age=max_age, samesite="strict", secure=secure, path="/")
    return response


def _signed_out(response: Response) -> Response:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request, service: ServiceDep, next: str | None = None) -> HTMLResponse:
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    answer = page(
        request,
        "sign_in.html",
        title="Đăng nhập",
        csrf=csrf,
        next=local_target(next, request),
        email="",
        sso=service.provider is not None,
    )
    answer.set_cookie(
        CSRF_COOKIE, csrf, samesite="strict", secure=service.identity_settings.cookie_secure, path="/"
    )
    return answer


@router.post(
    "/sign-in",
    response_class=HTMLResponse,
    responses={
        303: {"description": "Signed in: on to where the person was going."},
        401: PAGE_REFUSED,
        403: FORM_FORGED,
        423: PAGE_REFUSED,
    },
)
async def sign_in(
    request: Request,
    visitor: Anonymous,
    service: ServiceDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/account",
) -> Response:
    expected = request.cookies.get(CSRF_COOKIE)
    if not (expected and secrets.compare_digest(expected, csrf_token)):
        raise HTTPException(403, detail="the sign-in form must be sent from its own page (reload it)")
    address = request.client.host if request.client else None
    result = await service.command(signing_in.sign_in, email, password, service.policy, address)
    await asyncio.sleep(result.delay)  # a wrong password waits: guessing is slow
    shown = {"title": "Đăng nhập", "csrf": csrf_token, "next": local_target(next, request), "email": email}
    if result.outcome == SignInOutcome.SIGNED_IN and result.minted is not None:
        visitor.succeeded()
        redirect = RedirectResponse(local_target(next, request), status_code=303)
        return with_sign_in(redirect, result.minted, service.identity_settings.cookie_secure)
    if result.outcome == SignInOutcome.LOCKED:
        until = result.account.locked_until if result.account else None
        return page(request, "sign_in.html", 423, error=_locked(until), **shown)
    if result.outcome == SignInOutcome.DISABLED:
        return page(request, "sign_in.html", 403, error=DISABLED, **shown)
    return page(request, "sign_in.html", 401, error=WRONG, **shown)


class TokenIn(RequestBody):
    email: str = Field(max_length=254, pattern=EMAIL)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    token: str = Field(description="Send it as `Authorization: Bearer <token>` to any service.")
    expires_at: datetime


@router.post("/tokens", response_model=TokenOut, responses={401: {}, 403: {}, 423: {}})
async def token(body: TokenIn, request: Request, visitor: Anonymous, service: ServiceDep) -> TokenOut:
    """Sign in from a script: the same checks, throttling and lock as the page."""
    address = request.client.host if request.client else None
    result = await service.command(signing_in.sign_in, body.email, body.password, service.policy, address)
    await asyncio.sleep(result.delay)
    if result.outcome == SignInOutcome.SIGNED_IN and result.minted is not None:
        visitor.succeeded()
        return TokenOut(token=result.minted.token, expires_at=result.minted.expires_at)
    if result.outcome == SignInOutcome.LOCKED:
        raise HTTPException(423, detail=_locked(result.account.locked_until if result.account else None))
    if result.outcome == SignInOutcome.DISABLED:
        raise HTTPException(403, detail=DISABLED)
    raise HTTPException(401, detail=WRONG)


@router.get(
    "/account", response_class=HTMLResponse, responses={403: {"description": "Not a person signed in."}}
)
async def account(request: Request, caller: PageCaller, service: ServiceDep) -> Response:
    if not caller.is_person:
        raise HTTPException(403, detail="the account page is a signed-in person's (an API key has none)")
    return page(
        request,
        "account.html",
        leads_to=service.identity_settings.oidc_issuer,  # sign-out goes on to the provider
        title="Tài khoản",
        name=caller.name,
        role=ROLE_VI[caller.role],
        agency=caller.agency_code,
        csrf=caller.csrf,
    )


@router.post(
    "/sign-out", responses={303: {"description": "Signed out: to the sign-in page (or the provider's)."}}
)
async def sign_out(
    request: Request,
    caller: FormCaller,
    service: ServiceDep,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """End this sign-in everywhere (every service refuses its token within seconds)."""
    if caller.sign_in_id is None:
        raise HTTPException(400, detail="an API key is not a sign-in: revoke it instead")
    check_csrf(caller, csrf_token)
    audited = by(caller, request, f"account:{caller.key_id}")
    ended = await service.act(audited, signing_in.sign_out, caller.key_id, caller.sign_in_id)
    after = "/sign-in"
    if ended is not None and ended.provider_token and service.provider is not None:
        # Signed in at the province's provider: sign out there too, and come back to the sign-in page.
        back = f"{(service.identity_settings.public_url or str(request.base_url)).rstrip('/')}/sign-in"
        after = await service.provider.sign_out_url(ended.provider_token, back) or after
    return _signed_out(RedirectResponse(after, status_code=303))


@router.get("/password", response_class=HTMLResponse)
async def password_form(request: Request, caller: PageCaller) -> HTMLResponse:
    return page(
        request,
        "password.html",
        title="Đổi mật khẩu",
        action="/password",
        csrf=caller.csrf,
        ask_current=True,
        min_length=MIN_PASSWORD,
    )


@router.post("/password", response_class=HTMLResponse, responses={422: FORM_REFUSED, 403: FORM_FORGED})
async def change_password(
    request: Request,
    caller: FormCaller,
    service: ServiceDep,
    current: Annotated[str, Form(max_length=200)],
    new: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """A new password: every other sign-in of the account ends; this browser stays signed in."""
    check_csrf(caller, csrf_token)
    address = request.client.host if request.client else None
    form: dict[str, Any] = {
        "title": "Đổi mật khẩu",
        "action": "/password",
        "ask_current": True,
        "min_length": MIN_PASSWORD,
    }
    try:
        minted = await service.act(
            by(caller, request, f"account:{caller.key_id}"),
            signing_in.change_password,
            caller.key_id,
            current,
            new,
            service.policy,
            address,
        )
    except PasswordRefusedError as refused:
        return page(request, "password.html", 422, error=str(refused), csrf=caller.csrf, **form)
    answer = page(request, "password.html", notice="Đã đổi mật khẩu.", csrf=minted.csrf, **form)
    return with_sign_in(answer, minted, service.identity_settings.cookie_secure)


@router.get("/password-links/{link}", response_class=HTMLResponse, responses={410: LINK_CLOSED})
async def link_form(request: Request, link: str, service: ServiceDep) -> HTMLResponse:
    """The form to set a password, or (410) why the link can no longer be used."""
    try:
        await service.query(people.open_link, link)
    except PasswordRefusedError as closed:
        return page(request, "password.html", 410, title="Đặt mật khẩu", error=str(closed), closed=True)
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    answer = page(
        request,
        "password.html",
        title="Đặt mật khẩu",
        action=f"/password-links/{link}",
        csrf=csrf,
        ask_current=False,
        min_length=MIN_PASSWORD,
    )
    answer.set_cookie(CSRF_COOKIE, csrf, samesite="strict", path="/")
    return answer


@router.post(
    "/password-links/{link}", response_class=HTMLResponse, responses={422: FORM_REFUSED, 403: FORM_FORGED}
)
async def set_password(
    request: Request,
    link: str,
    visitor: Anonymous,
    service: ServiceDep,
    new: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    expected = request.cookies.get(CSRF_COOKIE)
    if not (expected and secrets.compare_digest(expected, csrf_token)):
        raise HTTPException(403, detail="the form must be sent from its own page (reload it)")
    form: dict[str, Any] = {
        "title": "Đặt mật khẩu",
        "action": f"/password-links/{link}",
        "ask_current": False,
    }
    try:
        await service.command(people.set_password_with_link, link, new)
    except PasswordRefusedError as refused:
        return page(
            request,
            "password.html",
            422,
            error=str(refused),
            csrf=csrf_token,
            min_length=MIN_PASSWORD,
            **form,
        )
    visitor.succeeded()
    done = "Đã đặt mật khẩu. Mời đăng nhập."
    return page(
        request, "sign_in.html", title="Đăng nhập", notice=done, csrf=csrf_token, next="/account", email=""
    )
