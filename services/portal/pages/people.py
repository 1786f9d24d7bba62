"""People, for the department: every account with its role and agency, invitations by e-mail to an
agency's ISO officer, and an account disabled (or enabled again) — each a call to the identity
service, which applies it on every service within seconds and records who did it."""

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.identity import ROLE_VI
from services.portal.clients import ApiError
from services.portal.forms import FormErrors
from services.portal.pages.render import page
from services.portal.people import Person, SignedIn

router = APIRouter(tags=["people"])
AccountId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,32}$")]


async def _people_page(
    request: Request,
    who: Person,
    errors: FormErrors | None = None,
    notice: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    accounts = await who.api.get("identity", "/accounts")
    return page(
        request,
        who,
        "people.html",
        status,
        title="Tài khoản",
        accounts=sorted(accounts, key=lambda a: (a["role"], a["name"])),
        role_names=ROLE_VI,
        errors=errors or FormErrors(),
        notice=notice,
    )


@router.get("/people", response_class=HTMLResponse)
async def people(request: Request, who: SignedIn, notice: str | None = None) -> HTMLResponse:
    return await _people_page(request, who, notice=NOTICES.get(notice or ""))


NOTICES = {
    "invited": "Đã gửi thư mời; cán bộ đặt mật khẩu qua đường dẫn trong thư.",
    "disabled": "Đã khóa tài khoản; sau vài giây tài khoản bị đăng xuất và không đăng nhập được nữa.",
    "enabled": "Đã mở khóa tài khoản.",
}


@router.post("/people/invitations", response_class=HTMLResponse)
async def invite(
    request: Request,
    who: SignedIn,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    agency_code: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """An invitation to the ISO officer the registry holds for the agency."""
    who.check_form(csrf_token)
    try:
        await who.api.post("identity", "/invitations", {"agency_code": agency_code.strip()})
    except ApiError as refused:
        if refused.status != 422:
            raise
        return await _people_page(request, who, FormErrors.of(refused, {"agency_code"}), status=422)
    return RedirectResponse("/people?notice=invited", status_code=303)


@router.post("/people/{account_id}/active", response_class=HTMLResponse)
async def set_active(
    who: SignedIn,
    account_id: AccountId,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    active: Annotated[str, Form(pattern="^(true|false)$")] = "false",
) -> Response:
    """Disable an account (every sign-in of it refused everywhere), or enable it again."""
    who.check_form(csrf_token)
    await who.api.call("PATCH", "identity", f"/accounts/{account_id}", json={"active": active == "true"})
    notice = "enabled" if active == "true" else "disabled"
    return RedirectResponse(f"/people?notice={notice}", status_code=303)
