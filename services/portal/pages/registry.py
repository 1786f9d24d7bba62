"""The registry's agencies, to find one: by name with or without diacritics ("hoa thuan" finds "Hòa
Thuận": the registry's own search), by level; each a link to its page."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from contracts.vocabulary import LEVEL_VI, Level
from services.portal.pages.render import page
from services.portal.people import SignedIn

router = APIRouter(tags=["registry"])


@router.get("/registry", response_class=HTMLResponse)
async def search(
    request: Request,
    who: SignedIn,
    q: Annotated[str | None, Query(max_length=100)] = None,
    level: Level | None = None,
) -> HTMLResponse:
    found = await who.api.get(
        "registry", "/agencies", q=(q or "").strip() or None, level=level.value if level else None, limit=100
    )
    return page(
        request,
        who,
        "registry.html",
        title="Danh mục cơ quan",
        found=found,
        q=q or "",
        chosen=level.value if level else "",
        levels=[(lv.value, LEVEL_VI[lv]) for lv in Level],
        level_vi={lv.value: LEVEL_VI[lv] for lv in Level},
    )
