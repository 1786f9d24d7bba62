"""Previews of reorganisations: the same use case as the change itself, rolled back, answering what it
would publish — who ends, who is registered, which agencies move below whom — so that an operator sees
what moves before it moves (and a refusal, with its field, before anything is applied)."""

import json
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from services.common.auth import Caller, Role, require
from services.common.inputs import problem
from services.common.outbox_inbox import OutgoingRecord
from services.registry.api.shared import Code, ServiceDep, refusals
from services.registry.commands import DissolveIn, MergeIn, RenameIn, ReparentIn, SplitIn
from services.registry.unit_of_work import RegistryUnitOfWork
from services.registry.usecases import reorganisation

router = APIRouter(tags=["reorganisation"])
P = ParamSpec("P")


class Change(BaseModel):
    type: str = Field(description="The event the change would publish, e.g. agency-merged.")
    subject: str = Field(description="The agency it is about.")
    data: dict[str, Any]


class Preview(BaseModel):
    """What the change would publish, in order; nothing of it is applied."""

    changes: list[Change]

    @classmethod
    def of(cls, records: list[OutgoingRecord]) -> "Preview":
        events = [json.loads(r.value) for r in records]
        return cls(changes=[Change(type=e["type"], subject=e["subject"], data=e["data"]) for e in events])


async def _preview(
    service: ServiceDep,
    caller: Caller,
    usecase: Callable[Concatenate[RegistryUnitOfWork, P], Awaitable[object]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Preview:
    require(caller, Role.OPERATOR)
    with refusals():
        _, records = await service.preview(usecase, *args, **kwargs)
    return Preview.of(records)


@router.post("/previews/agencies/{code:agency}:reparent", response_model=Preview)
async def preview_reparent(code: Code, body: ReparentIn, caller: Caller, service: ServiceDep) -> Preview:
    return await _preview(service, caller, reorganisation.reparent_agency, code, body)


@router.post("/previews/agencies/{code:agency}:rename", response_model=Preview)
async def preview_rename(code: Code, body: RenameIn, caller: Caller, service: ServiceDep) -> Preview:
    return await _preview(service, caller, reorganisation.rename_agency, code, body)


@router.post("/previews/agencies/{code:agency}:dissolve", response_model=Preview)
async def preview_dissolve(code: Code, body: DissolveIn, caller: Caller, service: ServiceDep) -> Preview:
    return await _preview(service, caller, reorganisation.dissolve_agency, code, body)


@router.post(
    "/previews/agencies:merge",
    response_model=Preview,
    responses={404: {"description": "A source (or `into`) is not registered."}},
)
async def preview_merge(body: MergeIn, caller: Caller, service: ServiceDep) -> Preview:
    if (body.into is None) == (body.new is None):
        raise HTTPException(422, detail=problem("into", "give either `into` (an existing code) or `new`"))
    return await _preview(service, caller, reorganisation.merge_agencies, body)


@router.post("/previews/agencies/{code:agency}:split", response_model=Preview)
async def preview_split(code: Code, body: SplitIn, caller: Caller, service: ServiceDep) -> Preview:
    return await _preview(service, caller, reorganisation.split_agency, code, body)
