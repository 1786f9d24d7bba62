"""Agencies: registering one, changing its details, finding them; and the steps the reorganisations
and the CSV import share with these (the open version under lock, a parent on a day, saving and
announcing a change)."""

from datetime import date

from contracts import CloudEvent, Topic
from contracts.agencies import (
    AgencyData,
    AgencyDissolvedData,
    AgencyMergedData,
    AgencyRegistered,
    AgencySplitData,
    AgencyUpdated,
    AgencyUpdatedData,
)
from services.common.clock import local_date
from services.registry import domain
from services.registry.commands import AgencyIn, AgencyPatch
from services.registry.store.agencies import AgencyFilter
from services.registry.unit_of_work import RegistryUnitOfWork


def day_or_today(uow: RegistryUnitOfWork, day: date | None) -> date:
    """The day a command gives, or today (giờ Việt Nam) when it gives none."""
    return day or local_date(uow.clock.now())


def emit_agency(
    uow: RegistryUnitOfWork,
    event_type: type[CloudEvent],
    data: AgencyData | AgencyMergedData | AgencySplitData | AgencyDissolvedData,
) -> None:
    """Announce a change of an agency on eiso.registry.agencies (keyed by its code)."""
    uow.emit(
        Topic.REGISTRY_AGENCIES,
        event_type.create(source=uow.source, subject=data.code, data=data, time=uow.clock.now()),
    )


async def open_version(uow: RegistryUnitOfWork, code: str) -> AgencyData:
    """The open version of an agency, locked against other writers until commit."""
    await uow.agencies.lock(code)
    current = await uow.agencies.latest(code)
    if current is None:
        raise domain.AgencyNotFoundError(code)
    return current


async def parent_on(uow: RegistryUnitOfWork, code: str, day: date) -> AgencyData | None:
    """The parent `code` as it is on `day`, else its latest version (which the rules then refuse as not
    active on that day); None if it was never registered."""
    found = await uow.agencies.as_of(code, day)
    return found if found is not None else await uow.agencies.latest(code)


async def register(uow: RegistryUnitOfWork, body: AgencyIn, valid_from: date) -> AgencyData:
    """Store a new agency from `valid_from` (announcing it is the caller's: a merge or split announces
    its new agencies with it)."""
    parent = await parent_on(uow, body.parent_code, valid_from) if body.parent_code else None
    new = domain.NewAgency(
        **body.model_dump(exclude={"valid_from", "contacts"}),
        valid_from=valid_from,
        contacts=body.contacts.to_contract(),
    )
    data = domain.register(new, exists=await uow.agencies.exists(body.code), parent=parent)
    await uow.agencies.save([data], uow.clock.now())
    return data


async def save_update(uow: RegistryUnitOfWork, versions: list[AgencyData], changed: list[str]) -> None:
    """Write the versions of a change and announce it (agency-updated)."""
    await uow.agencies.save(versions, uow.clock.now())
    emit_agency(uow, AgencyUpdated, AgencyUpdatedData(**versions[-1].model_dump(), changed=changed))


async def save_change(
    uow: RegistryUnitOfWork, current: AgencyData, versions: list[AgencyData], changed: list[str]
) -> AgencyData:
    """Save and announce a change; the agency as it is now (unchanged, and nothing said, if nothing
    changed)."""
    if not changed:
        return current
    await save_update(uow, versions, changed)
    return versions[-1]


async def register_agency(uow: RegistryUnitOfWork, body: AgencyIn) -> AgencyData:
    data = await register(uow, body, day_or_today(uow, body.valid_from))
    emit_agency(uow, AgencyRegistered, data)
    return data


async def update_agency(uow: RegistryUnitOfWork, code: str, body: AgencyPatch) -> AgencyData:
    """New details (obligation, e-ISO software, contacts) from `effective_on`."""
    changes = body.changes()
    current = await open_version(uow, code)
    versions, changed = domain.change(current, day_or_today(uow, body.effective_on), **changes)
    return await save_change(uow, current, versions, changed)


async def agency_on(uow: RegistryUnitOfWork, code: str, as_of: date | None) -> AgencyData:
    """The agency on `as_of`, or its latest version (which shows `valid_to` if it has ended)."""
    data = await (uow.agencies.as_of(code, as_of) if as_of else uow.agencies.latest(code))
    if data is None:
        exists_then = as_of is not None and await uow.agencies.exists(code)
        raise domain.AgencyNotFoundError(code, as_of if exists_then else None)
    return data


async def history(uow: RegistryUnitOfWork, code: str) -> list[AgencyData]:
    """Every version of the agency, oldest first: what changed when (name, parent, details, end)."""
    versions = await uow.agencies.versions(code)
    if not versions:
        raise domain.AgencyNotFoundError(code)
    return versions


async def find_agencies(
    uow: RegistryUnitOfWork, as_of: date | None, f: AgencyFilter, limit: int, offset: int
) -> tuple[list[AgencyData], int]:
    """Agencies as the registry stood on `as_of` (default today), by code; and how many match."""
    return await uow.agencies.find(day_or_today(uow, as_of), f, limit, offset)
