"""The audit trail, for the department: who changed what, when and from where, on every service (the
identity service keeps the one trail; nothing here can change it)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from contracts.identity import ROLE_VI
from services.portal.audit_words import SERVICE_VI, action_vi
from services.portal.forms import DayError, FormErrors, parse_day
from services.portal.pages.render import page
from services.portal.people import SignedIn

router = APIRouter(tags=["audit"])
Text = Annotated[str | None, Query(max_length=300)]


@router.get("/audit", response_class=HTMLResponse)
async def trail(
    request: Request,
    who: SignedIn,
    actor: Text = None,
    target: Text = None,
    since: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    until: Annotated[str | None, Query(alias="to", max_length=20)] = None,
) -> HTMLResponse:
    """Newest first, filtered by who (an account or key id), what (a target or its start) and days
    (dd/mm/yyyy, giờ Việt Nam)."""
    errors, query = FormErrors(), {"actor": actor or None, "target": target or None, "limit": 200}
    for name, typed in (("from", since), ("to", until)):
        if typed:
            try:
                query[name] = parse_day(typed).isoformat()
            except DayError as wrong:
                errors.add(name, str(wrong))
    entries = [] if errors else await who.api.get("identity", "/audit", **query)
    return page(
        request,
        who,
        "audit.html",
        422 if errors else 200,
        title="Nhật ký thao tác",
        entries=entries,
        errors=errors,
        values={"actor": actor or "", "target": target or "", "from": since or "", "to": until or ""},
        role_names=ROLE_VI,
        action_vi=action_vi,
        service_vi=SERVICE_VI,
    )
