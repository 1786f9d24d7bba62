"""Outside systems that may publish records on the inbound topic."""

from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.common.audit import by
from services.common.auth import Caller, Role, require
from services.registry.api.shared import ServiceDep, refusals
from services.registry.commands import SystemIn
from services.registry.store.systems import System
from services.registry.usecases import systems

router = APIRouter()


class SystemOut(BaseModel):
    id: str
    name: str
    scope: list[str]

    @classmethod
    def of(cls, system: System) -> "SystemOut":
        return cls(id=system.id, name=system.name, scope=list(system.scope))


@router.post("/systems", status_code=201, response_model=SystemOut, tags=["systems"])
async def register_system(body: SystemIn, caller: Caller, request: Request, service: ServiceDep) -> SystemOut:
    """An outside system (e-ISO software, one-stop-shop) that may publish records for `scope`."""
    require(caller, Role.OPERATOR)
    with refusals():
        return SystemOut.of(
            await service.act(by(caller, request, f"system:{body.id}"), systems.register_system, body)
        )


@router.get("/systems", response_model=list[SystemOut], tags=["systems"])
async def list_systems(caller: Caller, service: ServiceDep) -> list[SystemOut]:
    require(caller, Role.OPERATOR)
    return [SystemOut.of(system) for system in await service.query(systems.active_systems)]
