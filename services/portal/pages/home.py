"""The home page: where each person starts (an agency's officer goes straight to their agency)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.identity import Role
from services.portal.pages.render import page
from services.portal.people import SignedIn

router = APIRouter(tags=["home"])
#: Where each role starts (an agency's officer: their own agency's page).
START = {
    Role.OPERATOR: "/board",
    Role.VIEWER: "/board",
    Role.INSPECTOR: "/inspections",
    Role.TRAINER: "/training",
}


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, who: SignedIn) -> Response:
    if who.principal.agency_code:
        return RedirectResponse(f"/agencies/{who.principal.agency_code}", status_code=303)
    start = {
        Role.OPERATOR: "/board",
        Role.VIEWER: "/board",
        Role.INSPECTOR: "/inspections",
        Role.TRAINER: "/training",
    }
    if who.principal.role in start:
        return RedirectResponse(start[who.principal.role], status_code=303)
    return page(request, who, "home.html", title="Trang chủ")
