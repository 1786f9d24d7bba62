"""The department's reports over HTTP: progress (JSON with its Vietnamese sentence) and the annual
report (Markdown)."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from services.common.auth import Caller, Role, require
from services.common.inputs import CampaignYear, Day
from services.compliance.board import report, usecases
from services.compliance.dependencies import ServiceDep

router = APIRouter()


@router.get("/reports/progress", response_model=report.ProgressReport, tags=["reports"])
async def progress_report(
    caller: Caller,
    service: ServiceDep,
    year: Annotated[CampaignYear, Query()],
    as_of: Annotated[Day | None, Query()] = None,
) -> report.ProgressReport:
    """Per level: how many agencies are updated for `year` and which are not, as they stood on `as_of`
    (default: today, or the year's last day for a past year), with the Vietnamese sentence."""
    require(caller, Role.OPERATOR, Role.SYSTEM)
    return await service.query(usecases.progress_report, service.rules, year, as_of)


@router.get("/reports/annual", response_class=PlainTextResponse, tags=["reports"])
async def annual_report(
    caller: Caller,
    service: ServiceDep,
    year: Annotated[CampaignYear, Query()],
    as_of: Annotated[Day | None, Query()] = None,
) -> PlainTextResponse:
    """The annual report (Markdown, Vietnamese) as of a cut-off date: agencies by level and obligation,
    audits and reviews held, inspections, agencies reminded and still lagging."""
    require(caller, Role.OPERATOR, Role.SYSTEM)
    markdown = await service.query(usecases.annual_report, service.rules, year, as_of)
    return PlainTextResponse(markdown, media_type="text/markdown; charset=utf-8")
