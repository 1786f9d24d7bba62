"""Importing agencies from the CSV file a department keeps in a spreadsheet."""

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from services.common.audit import by
from services.common.auth import Caller, Role, require
from services.common.inputs import problem
from services.registry import csvimport
from services.registry.api.shared import ServiceDep
from services.registry.usecases import agency_import
from services.registry.usecases.agency_import import RowStatus

router = APIRouter()


class ImportRow(BaseModel):
    row: int
    code: str | None
    status: str = Field(description="created, updated, unchanged or invalid")
    reason: str | None = None


class ImportReport(BaseModel):
    created: int
    updated: int
    unchanged: int
    invalid: int
    rows: list[ImportRow]


@router.post("/agencies:import", response_model=ImportReport, tags=["agencies"])
async def import_agencies(request: Request, caller: Caller, service: ServiceDep) -> ImportReport:
    """CSV (UTF-8; English or Vietnamese headers). Valid rows are applied, each whole or not at all;
    invalid ones are reported with the reason; importing the same file again changes nothing."""
    require(caller, Role.OPERATOR)
    try:
        rows = csvimport.read(await request.body())
    except csvimport.CsvError as error:
        raise HTTPException(422, detail=problem("file", str(error))) from None
    outcomes = await service.act(by(caller, request, "agencies:import"), agency_import.import_agencies, rows)
    counts = {status.value: sum(1 for o in outcomes if o.status == status) for status in RowStatus}
    return ImportReport(
        **counts,
        rows=[ImportRow(row=o.row, code=o.code, status=o.status.value, reason=o.reason) for o in outcomes],
    )
