"""Reorganisations: re-parenting, renaming, dissolving, merging and splitting agencies, and the lineage
they leave."""

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from contracts.agencies import AgencyData
from services.common.audit import by
from services.common.auth import Caller, Role, require
from services.common.inputs import problem
from services.registry.api.shared import Code, ServiceDep, refusals, visible
from services.registry.commands import DissolveIn, MergeIn, RenameIn, ReparentIn, SplitIn
from services.registry.usecases import reorganisation

router = APIRouter()


class Lineage(BaseModel):
    code: str
    links: list[dict[str, Any]] = Field(description="Every link among the agency's ancestors and heirs.")


@router.post("/agencies/{code:agency}:reparent", response_model=AgencyData, tags=["reorganisation"])
async def reparent_agency(
    code: Code, body: ReparentIn, caller: Caller, request: Request, service: ServiceDep
) -> AgencyData:
    require(caller, Role.OPERATOR)
    with refusals():
        return await service.act(
            by(caller, request, f"agency:{code}"), reorganisation.reparent_agency, code, body
        )


@router.post("/agencies/{code:agency}:rename", response_model=AgencyData, tags=["reorganisation"])
async def rename_agency(
    code: Code, body: RenameIn, caller: Caller, request: Request, service: ServiceDep
) -> AgencyData:
    require(caller, Role.OPERATOR)
    with refusals():
        return await service.act(
            by(caller, request, f"agency:{code}"), reorganisation.rename_agency, code, body
        )


@router.post("/agencies/{code:agency}:dissolve", response_model=AgencyData, tags=["reorganisation"])
async def dissolve_agency(
    code: Code, body: DissolveIn, caller: Caller, request: Request, service: ServiceDep
) -> AgencyData:
    require(caller, Role.OPERATOR)
    with refusals():
        return await service.act(
            by(caller, request, f"agency:{code}"), reorganisation.dissolve_agency, code, body
        )


@router.post(
    "/agencies:merge",
    response_model=AgencyData,
    tags=["reorganisation"],
    responses={404: {"description": "A source (or `into`) is not registered."}},
)
async def merge_agencies(body: MergeIn, caller: Caller, request: Request, service: ServiceDep) -> AgencyData:
    """Merge `sources` into an existing agency (`into`) or a new one (`new`) from `effective_on`."""
    require(caller, Role.OPERATOR)
    if (body.into is None) == (body.new is None):
        raise HTTPException(422, detail=problem("into", "give either `into` (an existing code) or `new`"))
    with refusals():
        return await service.act(
            by(
                caller,
                request,
                f"agency:{body.into or (body.new.code if body.new else '')}<-{','.join(body.sources)}",
            ),
            reorganisation.merge_agencies,
            body,
        )


@router.post("/agencies/{code:agency}:split", response_model=list[AgencyData], tags=["reorganisation"])
async def split_agency(
    code: Code, body: SplitIn, caller: Caller, request: Request, service: ServiceDep
) -> list[AgencyData]:
    require(caller, Role.OPERATOR)
    with refusals():
        return await service.act(
            by(caller, request, f"agency:{code}"), reorganisation.split_agency, code, body
        )


@router.get("/agencies/{code:agency}/lineage", response_model=Lineage, tags=["reorganisation"])
async def get_lineage(code: Code, caller: Caller, service: ServiceDep) -> Lineage:
    """Where the agency came from and what it became, through every merge, split and rename."""
    visible(caller, code)
    with refusals():
        links = await service.query(reorganisation.lineage, code)
    return Lineage(
        code=code,
        links=[
            {
                "kind": k.kind.value,
                "from_code": k.from_code,
                "to_code": k.to_code,
                "effective_on": k.effective_on,
            }
            for k in links
        ],
    )
