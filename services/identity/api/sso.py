"""Single sign-on (`/sso`, `/sso/callback`): the person signs in at the province's identity provider
and comes back signed in to eiso, with the role and agency the provider gives."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from services.identity.api.shared import ServiceDep
from services.identity.api.signing_in import local_target, page, with_sign_in
from services.identity.people_store import SsoRequest
from services.identity.provider import ProviderError
from services.identity.usecases import sso

router = APIRouter(tags=["sign-in"])


def public(request: Request, service: ServiceDep) -> str:
    return (service.identity_settings.public_url or str(request.base_url)).rstrip("/")


NOT_CONFIGURED = {"description": "Single sign-on is not configured."}


@router.get(
    "/sso",
    responses={
        303: {"description": "To the provider's sign-in page."},
        404: NOT_CONFIGURED,
        503: {"description": "The provider does not answer.", "content": {"text/html": {}}},
    },
)
async def start(request: Request, service: ServiceDep, next: str | None = None) -> Response:
    """Off to the provider's sign-in page."""
    if service.provider is None:
        raise HTTPException(404, detail="single sign-on is not configured (EISO_IDENTITY_OIDC_ISSUER)")
    try:
        started = await service.provider.start(f"{public(request, service)}/sso/callback")
    except ProviderError as unreachable:
        return page(
            request,
            "sign_in.html",
            503,
            error=str(unreachable),
            title="Đăng nhập",
            csrf="",
            next="/account",
            email="",
        )
    remembered = SsoRequest(started.nonce, started.verifier, local_target(next, request))
    await service.command(sso.remember, started.state, remembered)
    return RedirectResponse(started.url, status_code=303)


@router.get(
    "/sso/callback",
    responses={
        303: {"description": "Signed in: on to where the person was going."},
        401: {"description": "The provider did not sign the person in.", "content": {"text/html": {}}},
        403: {
            "description": "Signed in at the provider, refused by eiso (why, on the page).",
            "content": {"text/html": {}},
        },
        404: NOT_CONFIGURED,
    },
)
async def callback(
    request: Request, service: ServiceDep, state: str = "", code: str = "", error: str | None = None
) -> Response:
    """The provider's answer: a sign-in, or why not (on the sign-in page)."""
    shown = {
        "title": "Đăng nhập",
        "csrf": request.cookies.get("eiso_csrf", ""),
        "next": "/account",
        "email": "",
    }
    if service.provider is None:
        raise HTTPException(404, detail="single sign-on is not configured (EISO_IDENTITY_OIDC_ISSUER)")
    if error or not code:
        return page(
            request, "sign_in.html", 401, error="Cổng đăng nhập của tỉnh không cho đăng nhập.", **shown
        )
    settings = service.identity_settings
    mapping = sso.Mapping(settings.oidc_roles_claim, dict(settings.oidc_role_map), settings.oidc_agency_claim)
    address = request.client.host if request.client else None
    redirect = f"{public(request, service)}/sso/callback"
    try:
        done = await service.command(
            sso.sign_in_from_provider,
            service.provider,
            state,
            code,
            redirect,
            mapping,
            service.policy,
            address,
        )
    except sso.SsoRefusedError as refused:
        return page(request, "sign_in.html", 403, error=str(refused), **shown)
    return with_sign_in(RedirectResponse(done.next, status_code=303), done.minted, settings.cookie_secure)
