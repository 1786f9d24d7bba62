"""Agencies: registering one, reading and finding them, changing their details."""

from typing import Annotated, Generic, TypeVar

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from contracts.agencies import AgencyData
from contracts.fields import AGENCY_CODE
from contracts.vocabulary import Level, Obligation
from services.common.audit import by
from services.common.auth import Caller, Role, require
from services.common.inputs import Day
from services.registry.api.shared import Code, ServiceDep, refusals, visible
from services.registry.commands import AgencyIn, AgencyPatch
from services.registry.store.agencies import AgencyFilter
from services.registry.usecases import agencies

router = APIRouter()
T = TypeVar("T")
MAX_PAGE = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


@router.post("/agencies", status_code=201, response_model=AgencyData, tags=["agencies"])
async def register_agency(
    body: AgencyIn, caller: Caller, request: Request, service: ServiceDep
) -> AgencyData:
    require(caller, Role.OPERATOR)
    with refusals():
        return await service.act(by(caller, request, f"agency:{body.code}"), agencies.register_agency, body)


@router.get("/agencies", response_model=Page[AgencyData], tags=["agencies"])
async def list_agencies(
    caller: Caller,
    service: ServiceDep,
    as_of: Annotated[Day | None, Query()] = None,
    level: Level | None = None,
    parent_code: Annotated[str | None, Query(pattern=AGENCY_CODE)] = None,
    obligation: Obligation | None = None,
    uses_eiso_software: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Name, with or without diacritics")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[AgencyData]:
    """Agencies as the registry stood on `as_of` (default today), by code."""
    only = caller.agency_code if caller.role == Role.AGENCY else None
    f = AgencyFilter(level, parent_code, obligation, uses_eiso_software, q, only)
    items, total = await service.query(agencies.find_agencies, as_of, f, limit, offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/agencies/{code:agency}", response_model=AgencyData, tags=["agencies"])
async def get_agency(
    code: Code, caller: Caller, service: ServiceDep, as_of: Annotated[Day | None, Query()] = None
) -> AgencyData:
    """The agency on `as_of`, or its latest version (which shows `valid_to` if it has ended)."""
    visible(caller, code)
    with refusals():
        return await service.query(agencies.agency_on, code, as_of)


@router.get("/agencies/{code:agency}/history", response_model=list[AgencyData], tags=["agencies"])
async def get_history(code: Code, caller: Caller, service: ServiceDep) -> list[AgencyData]:
    """Every version of the agency, oldest first, each with the days it held (`valid_from`, `valid_to`)."""
    visible(caller, code)
    with refusals():
        return await service.query(agencies.history, code)


@router.patch("/agencies/{code:agency}", response_model=AgencyData, tags=["agencies"])
async def update_agency(
    code: Code, body: AgencyPatch, caller: Caller, request: Request, service: ServiceDep
) -> AgencyData:
    require(caller, Role.OPERATOR)
    with refusals():
        return await service.act(by(caller, request, f"agency:{code}"), agencies.update_agency, code, body)
