"""Reorganisations: an agency moves under another parent, is renamed (perhaps under a new code),
dissolved, merged into another or split into several; and its lineage through all of them. An agency
that ends with a successor hands its children over to it; one that ends without refuses while it has
any, and none ends before its last record."""

from datetime import date

from contracts.agencies import (
    AgencyData,
    AgencyDissolved,
    AgencyDissolvedData,
    AgencyMerged,
    AgencyMergedData,
    AgencyRegistered,
    AgencyRenamed,
    AgencyRenamedData,
    AgencySplit,
    AgencySplitData,
)
from services.registry import domain
from services.registry.commands import DissolveIn, MergeIn, RenameIn, ReparentIn, SplitIn
from services.registry.domain import Link
from services.registry.store.agencies import LineageLink
from services.registry.unit_of_work import RegistryUnitOfWork
from services.registry.usecases.agencies import (
    day_or_today,
    emit_agency,
    open_version,
    parent_on,
    register,
    save_change,
    save_update,
)


async def reparented(
    uow: RegistryUnitOfWork, current: AgencyData, parent_code: str | None, day: date
) -> tuple[list[AgencyData], list[str]]:
    """The versions that put `current` below `parent_code` from `day`, and what changed (refused for a
    missing, ended or cyclic parent)."""
    parent = await parent_on(uow, parent_code, day) if parent_code else None
    above = await uow.agencies.ancestors(parent_code, day) if parent_code else []
    return domain.reparent(current, parent, parent_code, day, above)


async def move_children(uow: RegistryUnitOfWork, code: str, successor: str, day: date) -> None:
    """Agencies below one that ends go below its successor from the same day."""
    for child in await uow.agencies.children_on(code, day):
        await uow.agencies.lock(child.code)
        versions, changed = domain.change(child, day, parent_code=successor)
        await save_update(uow, versions, changed)


async def check_can_end(uow: RegistryUnitOfWork, code: str, day: date, *, successor: bool = False) -> None:
    """Refuse to end `code` on `day` over later records, or over children when nobody takes them over
    (with a successor they follow it: see `move_children`)."""
    children = [] if successor else [c.code for c in await uow.agencies.children_on(code, day)]
    domain.check_can_end(code, day, children, await uow.records.via.last_date(code))


async def reparent_agency(uow: RegistryUnitOfWork, code: str, body: ReparentIn) -> AgencyData:
    current = await open_version(uow, code)
    day = day_or_today(uow, body.effective_on)
    versions, changed = await reparented(uow, current, body.parent_code, day)
    return await save_change(uow, current, versions, changed)


async def rename_agency(uow: RegistryUnitOfWork, code: str, body: RenameIn) -> AgencyData:
    """A new name from `effective_on`; with a new code, a successor that takes over the children."""
    current = await open_version(uow, code)
    day = day_or_today(uow, body.effective_on)
    taken = body.new_code is not None and await uow.agencies.exists(body.new_code)
    if body.new_code not in (None, code):
        await check_can_end(uow, code, day, successor=True)
    renamed = domain.rename(current, body.name, body.new_code, day, code_taken=taken)
    await uow.agencies.save(renamed.versions, uow.clock.now())
    if renamed.previous_code:
        await uow.agencies.link(Link.RENAMED_FROM, renamed.successor.code, code, day)
        await move_children(uow, code, renamed.successor.code, day)
    data = AgencyRenamedData(
        **renamed.successor.model_dump(), previous_name=current.name, previous_code=renamed.previous_code
    )
    emit_agency(uow, AgencyRenamed, data)
    return renamed.successor


async def dissolve_agency(uow: RegistryUnitOfWork, code: str, body: DissolveIn) -> AgencyData:
    current = await open_version(uow, code)
    day = day_or_today(uow, body.effective_on)
    await check_can_end(uow, code, day)
    ended = domain.end(current, day)
    await uow.agencies.save([ended], uow.clock.now())
    emit_agency(uow, AgencyDissolved, AgencyDissolvedData(code=code, effective_on=day, reason=body.reason))
    return ended


async def merge_agencies(uow: RegistryUnitOfWork, body: MergeIn) -> AgencyData:
    """`body.sources` end on `effective_on`; the successor, existing (`into`) or new (`new`, given
    exactly one of them), carries on and takes over their children."""
    day = day_or_today(uow, body.effective_on)
    await uow.agencies.lock(*body.sources, *([body.into] if body.into else []))
    sources = [await open_version(uow, code) for code in body.sources]
    if body.new is not None and body.new.parent_code in body.sources:
        raise domain.DomainError(
            "new.parent_code", "cơ quan kế thừa không thể trực thuộc một cơ quan bị sáp nhập vào nó"
        )
    for source in body.sources:
        await check_can_end(uow, source, day, successor=True)
    if body.new is not None:
        successor = await register(uow, body.new.model_copy(update={"valid_from": day}), day)
        emit_agency(uow, AgencyRegistered, successor)
    else:
        assert body.into is not None
        found = await uow.agencies.as_of(body.into, day)
        if found is None:
            raise domain.DomainError("into", f"cơ quan {body.into} không hoạt động vào ngày {day:%d/%m/%Y}")
        successor = found
    closed, successor = domain.merge(sources, successor, day)
    await uow.agencies.save(closed, uow.clock.now())
    for source in body.sources:
        await uow.agencies.link(Link.MERGED_INTO, source, successor.code, day)
        await move_children(uow, source, successor.code, day)
    merged = AgencyMergedData(
        code=successor.code, sources=body.sources, effective_on=day, successor=successor
    )
    emit_agency(uow, AgencyMerged, merged)
    return successor


async def split_agency(uow: RegistryUnitOfWork, code: str, body: SplitIn) -> list[AgencyData]:
    """`code` ends on `effective_on`; the new agencies of `body.into` start that day."""
    current = await open_version(uow, code)
    day = day_or_today(uow, body.effective_on)
    new = [await register(uow, part.model_copy(update={"valid_from": day}), day) for part in body.into]
    closed = domain.split(current, new, day)
    await uow.agencies.save(closed, uow.clock.now())
    for part in new:
        await uow.agencies.link(Link.SPLIT_FROM, part.code, code, day)
        emit_agency(uow, AgencyRegistered, part)
    emit_agency(uow, AgencySplit, AgencySplitData(code=code, effective_on=day, into=new))
    return new


async def lineage(uow: RegistryUnitOfWork, code: str) -> list[LineageLink]:
    """Every link among the agency's ancestors and heirs, through every merge, split and rename, in the
    order they took effect."""
    if not await uow.agencies.exists(code):
        raise domain.AgencyNotFoundError(code)
    seen, queue, found = {code}, [code], {}
    while queue:
        for link in await uow.agencies.links(queue.pop()):
            found[link.id] = link
            for other in (link.from_code, link.to_code):
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
    return sorted(found.values(), key=lambda link: (link.effective_on, link.id))
