"""The operator board (`/board`): one server-rendered page, in Vietnamese, for a laptop or a phone,
refreshing itself. It reads only compliance's own state and the read models it keeps from the
training and notifier topics — no calls to other services."""

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from contracts.inspections import MODE_VI, InspectionStatus
from contracts.vocabulary import LEVEL_VI
from services.common.auth import PageCaller, Role, require
from services.common.clock import VIETNAM, local_date
from services.common.docs import static_url
from services.common.inputs import CampaignYear
from services.common.service import service_of
from services.compliance import report, store
from services.compliance.runtime import ComplianceService

router = APIRouter(tags=["board"])
ServiceDep = Annotated[ComplianceService, Depends(service_of)]
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(default=True)
)
#: The board's stylesheet, served as /static/board.css (the page's CSP allows no inline style).
STATIC_DIR = Path(__file__).parent / "static"
STATUS_VI = {
    InspectionStatus.SCHEDULED: "đã lên lịch",
    InspectionStatus.COMPLETED: "đã kiểm tra",
    InspectionStatus.CANCELLED: "đã hủy",
}
REFRESH_SECONDS = 60


@router.get("/board", response_class=HTMLResponse)
async def board(
    request: Request,
    caller: PageCaller,
    service: ServiceDep,
    year: Annotated[CampaignYear | None, Query()] = None,
) -> HTMLResponse:
    """Open it as /board?key=… (a browser cannot send the bearer header)."""
    require(caller, Role.OPERATOR, Role.SYSTEM)
    now = service.clock.now()
    today = local_date(now)
    year = year or today.year
    day = min(today, date(year, 12, 31))
    statuses = [(agency, status) async for agency, _, status in service.statuses(year, day)]
    progress = report.progress(year, day, [s for _, s in statuses])
    names = {agency["code"]: agency["name"] for agency, _ in statuses}
    deadline = service.rules.campaign(year).maintenance_deadline
    async with service.reader() as uow:
        inspections = await store.inspections_in(uow.session, year)
        sessions = await store.upcoming_training(uow.session, now)
        deliveries = await store.deliveries_since(uow.session, now - timedelta(hours=24))
        held = await store.held_at(uow.session, now)
    context: dict[str, Any] = {
        "year": year,
        "static": static_url(request),
        "now": f"{now.astimezone(VIETNAM):%H:%M %d/%m/%Y}",
        "refresh": REFRESH_SECONDS,
        "progress": progress,
        "levels": list(progress.levels.items()),
        "level_vi": LEVEL_VI,
        "deadline": f"{deadline:%d/%m/%Y}",
        "days_left": (deadline - today).days,
        "past_year": year < today.year,
        "plan": [
            {
                "day": f"{i.scheduled_on:%d/%m/%Y}",
                "name": names.get(i.agency_code, i.agency_code),
                "inspector": i.inspector,
                "mode": MODE_VI[i.mode],
                "status": STATUS_VI[i.status],
            }
            for i in inspections
            if i.status != InspectionStatus.CANCELLED
        ],
        "training": [
            {
                "title": s["title_vi"],
                "starts": f"{s['starts_at'].astimezone(VIETNAM):%H:%M %d/%m/%Y}",
                "venue": s["venue"],
                "capacity": s["capacity"],
                "free": max(0, s["capacity"] - s["taken"]),
            }
            for s in sessions
        ],
        "deliveries": {
            "sent": deliveries.get("sent", 0),
            "failed": deliveries.get("failed", 0),
            "held": held,
        },
    }
    return HTMLResponse(TEMPLATES.get_template("board.html").render(context))
