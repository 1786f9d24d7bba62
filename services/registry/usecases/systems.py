"""Outside systems (e-ISO software, one-stop shops) that may publish records for the agencies of their
scope on the inbound topic."""

from services.registry import domain
from services.registry.commands import SystemIn
from services.registry.store.systems import System
from services.registry.unit_of_work import RegistryUnitOfWork


async def register_system(uow: RegistryUnitOfWork, body: SystemIn) -> System:
    if await uow.systems.get(body.id):
        raise domain.DomainError("id", f"system {body.id} is already registered", conflict=True)
    return await uow.systems.add(body.id, body.name, body.scope, uow.clock.now())


async def active_systems(uow: RegistryUnitOfWork) -> list[System]:
    """The systems that may publish (not revoked), by id."""
    return [system for system in await uow.systems.all() if system.active]
