"""The department's board in the portal, to drill down: each level's progress → the list of its
agencies (filtered by level, district, status, e-ISO software) → an agency's page → its criteria and
the records behind them. The figures are compliance's own (its progress report and standings)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from contracts.vocabulary import COMPLIANCE_STATUS_VI, LEVEL_VI, ComplianceStatus, Level
from services.portal.pages.render import page, year_or_this
from services.portal.people import SignedIn

router = APIRouter(tags=["board"])
Year = Annotated[int | None, Query(ge=2000, le=2100)]
#: How many agencies a list shows at once (a commune-level list of a big province fits).
PAGE_SIZE = 500
#: The status choices of the list's filter: compliance's statuses, and "not updated" as the report
#: counts it (lagging and not updated alike).
NOT_UPDATED = "chua-cap-nhat"


@router.get("/board", response_class=HTMLResponse)
async def board(request: Request, who: SignedIn, year: Year = None) -> HTMLResponse:
    shown = year_or_this(request, year)
    progress = await who.api.get("compliance", "/reports/progress", year=shown)
    levels = [
        (Level(level), LEVEL_VI[Level(level)], figures) for level, figures in progress["levels"].items()
    ]
    return page(request, who, "board.html", title=f"Theo dõi năm {shown}", progress=progress, levels=levels)


@router.get("/board/agencies", response_class=HTMLResponse)
async def agencies(
    request: Request,
    who: SignedIn,
    year: Year = None,
    level: Level | None = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    district: Annotated[str | None, Query(max_length=64)] = None,
    eiso: Annotated[str | None, Query(max_length=5)] = None,
) -> HTMLResponse:
    """The agencies the filters keep, each a link to its page."""
    shown = year_or_this(request, year)
    query: dict[str, object] = {"year": shown, "limit": PAGE_SIZE, "level": level.value if level else None}
    if status == NOT_UPDATED:
        query["updated"] = "false"
    elif status in set(ComplianceStatus):
        query["status"] = status
    if district:
        query["parent_code"] = district
    if eiso in ("true", "false"):
        query["uses_eiso_software"] = eiso
    found = await who.api.get("compliance", "/standings", **query)
    districts = await who.api.get("registry", "/agencies", level="district", limit=200)
    statuses = [(NOT_UPDATED, "chưa cập nhật hoặc cập nhật chưa đủ")]
    statuses += [(s.value, COMPLIANCE_STATUS_VI[s]) for s in ComplianceStatus]
    return page(
        request,
        who,
        "board_agencies.html",
        title=f"Danh sách cơ quan năm {shown}",
        found=found,
        year=shown,
        chosen={
            "level": level.value if level else "",
            "status": status or "",
            "district": district or "",
            "eiso": eiso or "",
        },
        levels=[(lv.value, LEVEL_VI[lv]) for lv in Level],
        statuses=statuses,
        districts=districts["items"],
        level_vi={lv.value: LEVEL_VI[lv] for lv in Level},
        status_vi={s.value: COMPLIANCE_STATUS_VI[s] for s in ComplianceStatus},
    )
