"""QMS records: a new version of an agency's record, and its current ones."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from contracts.records import RecordData
from contracts.vocabulary import Element
from services.common.audit import by
from services.common.auth import Caller
from services.common.inputs import CampaignYear
from services.registry.api.shared import Code, ServiceDep, refusals, visible
from services.registry.commands import RecordIn
from services.registry.usecases import records

router = APIRouter()


@router.put(
    "/agencies/{code:agency}/records/{element}", status_code=201, response_model=RecordData, tags=["records"]
)
async def put_record(
    code: Code,
    element: Element,
    body: RecordIn,
    caller: Caller,
    request: Request,
    service: ServiceDep,
    response: Response,
) -> RecordData:
    """Store a new version of the agency's record for `element` and year; the latest is current."""
    visible(caller, code)
    if not caller.may_write(code):
        raise HTTPException(403, detail="a system key may read, not write")
    with refusals():
        appended = await service.act(
            by(caller, request, f"agency:{code}/records/{element}"), records.put_record, code, element, body
        )
    if not appended.added:
        response.status_code = status.HTTP_200_OK  # PUT is idempotent: a retry adds no version
    return appended.record


@router.get("/agencies/{code:agency}/records", response_model=list[RecordData], tags=["records"])
async def get_records(
    code: Code,
    caller: Caller,
    service: ServiceDep,
    year: Annotated[CampaignYear | None, Query()] = None,
) -> list[RecordData]:
    visible(caller, code)
    with refusals():
        return await service.query(records.current_records, code, year)
