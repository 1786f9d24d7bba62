"""Dead letters, for the department: what the inbound gateway refused, by publishing system, with the
reason; and a re-drive once the cause is fixed (the registry takes it again, as it would now)."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from services.portal.pages.render import page
from services.portal.people import Person, SignedIn
from services.portal.refusal_words import refusal_vi

router = APIRouter(tags=["dead letters"])
STATUS_VI = {"open": "chưa xử lý", "redriven": "đã gửi lại thành công"}


async def _page(
    request: Request, who: Person, system: str | None, notice: str | None = None, error: str | None = None
) -> HTMLResponse:
    every = await who.api.get("registry", "/dead-letters", limit=1000)
    shown = [d for d in every if system in (None, "", d["system"])]
    return page(
        request,
        who,
        "dead_letters.html",
        title="Dữ liệu bị từ chối",
        letters=shown,
        systems=sorted({d["system"] or "" for d in every}),
        chosen=system or "",
        status_vi=STATUS_VI,
        refusal_vi=refusal_vi,
        notice=notice,
        error=error,
    )


@router.get("/dead-letters", response_class=HTMLResponse)
async def dead_letters(
    request: Request, who: SignedIn, system: Annotated[str | None, Query(max_length=64)] = None
) -> HTMLResponse:
    return await _page(request, who, system)


@router.post("/dead-letters/redrive", response_class=HTMLResponse)
async def redrive(
    request: Request,
    who: SignedIn,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    letter_id: Annotated[str, Form(max_length=300)] = "",
    system: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse:
    """Re-drive one; the page says whether the registry took it, or why not (today's reason)."""
    who.check_form(csrf_token)
    done = await who.api.post("registry", f"/dead-letters/{letter_id}/redrive")
    if done["accepted"]:
        return await _page(request, who, system or None, notice="Đã gửi lại: danh mục đã nhận dữ liệu.")
    reason = done["dead_letter"]["reason"]
    meaning = refusal_vi(reason)
    said = f"{meaning} ({reason})" if meaning else reason
    return await _page(request, who, system or None, error=f"Vẫn bị từ chối: {said}")
