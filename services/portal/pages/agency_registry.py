"""An agency as the registry keeps it: its details and contacts, every version it had (what changed
when), its lineage through mergers, splits and renames; and, for an operator, a reorganisation —
previewed first (what would end, move or be registered, as the registry itself computes it, nothing
applied), then confirmed."""

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts.identity import Role
from contracts.vocabulary import LEVEL_VI, OBLIGATION_VI
from services.portal.clients import ApiError
from services.portal.forms import DayError, FormErrors, parse_day
from services.portal.lookups import names_of
from services.portal.pages.render import page
from services.portal.people import Person, SignedIn
from services.portal.reorganisations import FORMS, LINK_VI, Action, describe, request_of

router = APIRouter(tags=["registry"])
Code = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
Field = Annotated[str, Form(max_length=600)]
#: What each action's confirmation says once applied.
DONE_VI = {
    Action.REPARENT: "Đã ghi nhận việc chuyển cơ quan cấp trên.",
    Action.RENAME: "Đã ghi nhận việc đổi tên.",
    Action.MERGE: "Đã ghi nhận việc sáp nhập.",
    Action.DISSOLVE: "Đã ghi nhận việc giải thể.",
}


@router.get("/registry/{code}", response_class=HTMLResponse)
async def agency(request: Request, code: Code, who: SignedIn, done: Action | None = None) -> HTMLResponse:
    current, history, lineage = await asyncio.gather(
        who.api.get("registry", f"/agencies/{code}"),
        who.api.get("registry", f"/agencies/{code}/history"),
        who.api.get("registry", f"/agencies/{code}/lineage"),
    )
    related = {link[end] for link in lineage["links"] for end in ("from_code", "to_code")}
    related |= {v["parent_code"] for v in history if v.get("parent_code")}
    return page(
        request,
        who,
        "registry_agency.html",
        title=current["name"],
        agency=current,
        history=list(reversed(history)),
        links=lineage["links"],
        names=await names_of(who, related - {code}),
        level_vi=LEVEL_VI,
        obligation_vi=OBLIGATION_VI,
        link_vi=LINK_VI,
        actions=FORMS if who.principal.role == Role.OPERATOR else {},
        done=DONE_VI[done] if done else None,
    )


def _form(
    request: Request,
    who: Person,
    agency: dict[str, Any],
    action: Action,
    values: dict[str, str],
    errors: FormErrors | None = None,
    changes: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    form = FORMS[action]
    return page(
        request,
        who,
        "reorganisation.html",
        status,
        title=f"{form.title}: {agency['name']}",
        agency=agency,
        action=action,
        form=form,
        values=values,
        errors=errors or FormErrors(),
        changes=changes,
    )


@router.get("/registry/{code}/reorganisation/{action}", response_class=HTMLResponse)
async def reorganisation_form(request: Request, code: Code, action: Action, who: SignedIn) -> HTMLResponse:
    found = await who.api.get("registry", f"/agencies/{code}")
    return _form(request, who, found, action, {name: "" for name, *_ in FORMS[action].fields})


@router.post("/registry/{code}/reorganisation/{action}", response_class=HTMLResponse)
async def reorganise(
    request: Request,
    code: Code,
    action: Action,
    who: SignedIn,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    step: Annotated[str, Form(pattern="^(preview|apply)$")] = "preview",
    effective_on: Field = "",
    parent_code: Field = "",
    name: Field = "",
    new_code: Field = "",
    into: Field = "",
    reason: Field = "",
) -> Response:
    """Previewed first: the registry runs the change and rolls it back, answering what it would
    publish; only the confirmation (`step=apply`) sends it for real. A refusal comes back beside its
    field either way, nothing applied."""
    who.check_form(csrf_token)
    typed = {"effective_on": effective_on, "parent_code": parent_code, "name": name, "new_code": new_code}
    typed |= {"into": into, "reason": reason}
    values = {field: typed[field].strip() for field, *_ in FORMS[action].fields}
    found = await who.api.get("registry", f"/agencies/{code}")
    errors, when = FormErrors(), None
    if values["effective_on"]:
        try:
            when = parse_day(values["effective_on"]).isoformat()
        except DayError as wrong:
            errors.add("effective_on", str(wrong))
    if errors:
        return _form(request, who, found, action, values, errors, status=422)
    path, body = request_of(action, code, values, when)
    try:
        if step == "apply":
            await who.api.post("registry", path, body)
            return RedirectResponse(f"/registry/{code}?done={action.value}", status_code=303)
        preview = await who.api.post("registry", f"/previews{path}", body)
    except ApiError as refused:
        errors = FormErrors.beside_fields(refused, set(values) | {"sources"}, statuses=(404, 409, 422))
        return _form(request, who, found, action, values, errors, status=422)
    codes = {c["subject"] for c in preview["changes"]} | {
        s for c in preview["changes"] for s in c["data"].get("sources", [])
    }
    names = await names_of(who, codes)
    return _form(
        request, who, found, action, values, changes=[describe(c, names) for c in preview["changes"]]
    )
