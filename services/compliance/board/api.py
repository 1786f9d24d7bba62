"""The operator board (`/board`): one server-rendered page, in Vietnamese, for a laptop or a phone,
refreshing itself. It reads only compliance's own state and the read models it keeps from the
training and notifier topics — no calls to other services."""

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from contracts.inspections import INSPECTION_STATUS_VI, MODE_VI, InspectionStatus
from contracts.vocabulary import LEVEL_VI
from services.common.auth import PageCaller, Role, require
from services.common.clock import VIETNAM
from services.common.docs import static_url
from services.common.inputs import CampaignYear
from services.compliance.board import usecases
from services.compliance.dependencies import ServiceDep

router = APIRouter(tags=["board"])
#: The page's template and its stylesheet (served as /static/board.css: the CSP allows no inline style)
#: ship beside the service's packages.
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
    autoescape=select_autoescape(default=True),
)
STATIC_DIR = Path(__file__).parent.parent / "static"
REFRESH_SECONDS = 60


@router.get("/board", response_class=HTMLResponse)
async def board(
    request: Request,
    caller: PageCaller,
    service: ServiceDep,
    year: Annotated[CampaignYear | None, Query()] = None,
) -> HTMLResponse:
    """For the department (and the People's Committee, read-only): a browser not signed in is sent to
    the sign-in page first."""
    require(caller, Role.OPERATOR, Role.VIEWER, Role.SYSTEM)
    shown = await service.query(usecases.board, service.rules, year)
    return HTMLResponse(TEMPLATES.get_template("board.html").render(page(shown, static_url(request))))


def page(shown: usecases.Board, static: str) -> dict[str, Any]:
    """The template's context: the board's figures as people read them (giờ Việt Nam, dd/mm/yyyy)."""
    progress = shown.progress
    return {
        "year": shown.year,
        "static": static,
        "now": f"{shown.now.astimezone(VIETNAM):%H:%M %d/%m/%Y}",
        "refresh": REFRESH_SECONDS,
        "progress": progress,
        "levels": list(progress.levels.items()),
        "level_vi": LEVEL_VI,
        "deadline": f"{shown.deadline:%d/%m/%Y}",
        "days_left": (shown.deadline - shown.today).days,
        "past_year": shown.year < shown.today.year,
        "plan": [
            {
                "day": f"{i.scheduled_on:%d/%m/%Y}",
                "name": shown.names.get(i.agency_code, i.agency_code),
                "inspector": i.inspector,
                "mode": MODE_VI[i.mode],
                "status": INSPECTION_STATUS_VI[i.status],
            }
            for i in shown.inspections
            if i.status != InspectionStatus.CANCELLED
        ],
        "training": [
            {
                "title": s.title_vi,
                "starts": f"{s.starts_at.astimezone(VIETNAM):%H:%M %d/%m/%Y}",
                "venue": s.venue,
                "capacity": s.capacity,
                "free": max(0, s.capacity - s.taken),
            }
            for s in shown.training
        ],
        "deliveries": {
            "sent": shown.deliveries.sent,
            "failed": shown.deliveries.failed,
            "held": shown.held,
        },
    }
