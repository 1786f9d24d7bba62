"""The registry's HTTP API: agencies and their reorganisations, QMS records, outside systems.

Every route needs an API key (services.common.auth): operators may do everything, an agency key reads
and writes its own agency only (any other code answers 404, as if it did not exist), a system key reads.
"""

from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from contracts import CloudEvent, Topic
from contracts.agencies import (
    EMAIL,
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
    AgencyUpdated,
    AgencyUpdatedData,
    Contacts,
)
from contracts.fields import AGENCY_CODE, Paragraph, Text, clean_line
from contracts.records import RECORD_EVENT_OF, RecordData
from contracts.vocabulary import Element, Level, Obligation
from services.common.auth import Caller, Principal, Role, require
from services.common.clock import local_date
from services.common.inputs import CampaignYear, Day, RequestBody, problem
from services.common.phones import PHONE_PATTERN, normalise_phone
from services.common.service import Service, service_of
from services.common.uow import UnitOfWork
from services.registry import csvimport, domain, store
from services.registry.lookup import RegistryUnitOfWork

router = APIRouter()
ServiceDep = Annotated[Service[RegistryUnitOfWork], Depends(service_of)]
Code = Annotated[str, Path(pattern=AGENCY_CODE, max_length=64)]
T = TypeVar("T")
MAX_PAGE = 500


class ContactIn(RequestBody):
    name: Text = Field(min_length=1, max_length=200)
    #: A mobile (SMS and e-mail) or a landline (e-mail only), stored as E.164.
    phone: str | None = Field(
        default=None, max_length=30, pattern=PHONE_PATTERN, examples=["0912 345 678", "(0294) 3862 123"]
    )
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL)

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        try:
            return normalise_phone(value) if value else None
        except ValueError as exc:  # the Vietnamese message as it is, without pydantic's "Value error, "
            raise PydanticCustomError("phone_number", str(exc)) from None


class ContactsIn(RequestBody):
    iso_officer: ContactIn | None = None
    head: ContactIn | None = None

    def to_contract(self) -> Contacts:
        return Contacts.model_validate(self.model_dump())


class AgencyIn(RequestBody):
    code: str = Field(pattern=AGENCY_CODE, examples=["000.00.22.H59"])
    name: Text = Field(min_length=1, max_length=300, examples=["Sở Khoa học và Công nghệ"])
    level: Level
    parent_code: str | None = Field(default=None, pattern=AGENCY_CODE)
    obligation: Obligation | None = Field(default=None, description="Defaults by level.")
    uses_eiso_software: bool = False
    valid_from: Day | None = Field(default=None, description="Defaults to today (giờ Việt Nam).")
    contacts: ContactsIn = Field(default_factory=ContactsIn)


class Effective(RequestBody):
    effective_on: Day | None = Field(default=None, description="Defaults to today (giờ Việt Nam).")


class AgencyPatch(Effective):
    obligation: Obligation | None = None
    uses_eiso_software: bool | None = None
    contacts: ContactsIn | None = None


class ReparentIn(Effective):
    parent_code: str | None = Field(pattern=AGENCY_CODE)


class RenameIn(Effective):
    name: Text = Field(min_length=1, max_length=300)
    new_code: str | None = Field(default=None, pattern=AGENCY_CODE)


class DissolveIn(Effective):
    reason: Text = Field(min_length=1, max_length=500)


class MergeIn(Effective):
    sources: list[Annotated[str, Field(pattern=AGENCY_CODE)]] = Field(min_length=1, max_length=100)
    into: str | None = Field(default=None, pattern=AGENCY_CODE, description="An existing successor…")
    new: AgencyIn | None = Field(default=None, description="…or a new one (its valid_from is effective_on).")


class SplitIn(Effective):
    into: list[AgencyIn] = Field(min_length=2, max_length=50)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class Lineage(BaseModel):
    code: str
    links: list[dict[str, Any]] = Field(description="Every link among the agency's ancestors and heirs.")


class RecordIn(RequestBody):
    year: CampaignYear
    occurred_on: Day
    document_ref: Text = Field(min_length=1, max_length=200, examples=["Số 12/QĐ-SKHCN"])
    title: Text = Field(min_length=1, max_length=500)
    notes: Paragraph | None = Field(default=None, max_length=4000)
    submitted_by: Text = Field(min_length=1, max_length=200)


class SystemIn(RequestBody):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]{2,63}$", examples=["vn.travinh.eiso"])
    name: Text = Field(min_length=1, max_length=200)
    scope: list[Annotated[str, Field(pattern=AGENCY_CODE)]] = Field(
        min_length=1,
        max_length=1000,
        description="Agencies it may speak for; a parent code covers its children.",
    )


class SystemOut(BaseModel):
    id: str
    name: str
    scope: list[str]


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


# --- helpers ------------------------------------------------------------------------------------------


def _refused(error: domain.DomainError) -> HTTPException:
    code = status.HTTP_409_CONFLICT if error.conflict else status.HTTP_422_UNPROCESSABLE_CONTENT
    return HTTPException(code, detail=problem(error.field, str(error)))


def _not_found(code: str) -> HTTPException:
    return HTTPException(404, detail=f"agency {code} is not registered")


def _visible(caller: Principal, code: str) -> None:
    """An agency key sees its own agency only; anything else is, to it, not there."""
    if not caller.may_read(code):
        raise _not_found(code)


def _today(uow: UnitOfWork, day: date | None) -> date:
    return day or local_date(uow.clock.now())


async def _current(uow: UnitOfWork, code: str) -> AgencyData:
    """The open version of an agency, locked against other writers until commit."""
    await store.lock(uow.session, code)
    current = await store.latest(uow.session, code)
    if current is None:
        raise _not_found(code)
    return current


def _emit(uow: UnitOfWork, event_type: type[CloudEvent], data: Any) -> None:
    uow.emit(
        Topic.REGISTRY_AGENCIES,
        event_type.create(source=uow.source, subject=data.code, data=data, time=uow.clock.now()),
    )


async def _reparent(
    uow: UnitOfWork, current: AgencyData, parent_code: str | None, day: date
) -> tuple[list[AgencyData], list[str]]:
    parent = await store.as_of(uow.session, parent_code, day) if parent_code else None
    if parent_code and parent is None:
        parent = await store.latest(uow.session, parent_code)
    above = await store.ancestors(uow.session, parent_code, day) if parent_code else []
    return domain.reparent(current, parent, parent_code, day, above)


async def _save_update(uow: UnitOfWork, versions: list[AgencyData], changed: list[str]) -> None:
    """Write the versions of a change and announce it (agency-updated)."""
    await store.save_versions(uow.session, versions, uow.clock.now())
    _emit(uow, AgencyUpdated, AgencyUpdatedData(**versions[-1].model_dump(), changed=changed))


async def _commit_change(
    uow: UnitOfWork, current: AgencyData, versions: list[AgencyData], changed: list[str]
) -> AgencyData:
    """Save, announce and commit a change; the agency as it is now (unchanged if nothing changed)."""
    if not changed:
        return current
    await _save_update(uow, versions, changed)
    await uow.commit()
    return versions[-1]


async def _move_children(uow: UnitOfWork, code: str, successor: str, day: date) -> None:
    """Agencies below one that ends go below its successor from the same day."""
    for child in await store.children_on(uow.session, code, day):
        await store.lock(uow.session, child.code)
        versions, changed = domain.change(child, day, parent_code=successor)
        await _save_update(uow, versions, changed)


async def _check_can_end(uow: UnitOfWork, code: str, day: date, *, successor: bool = False) -> None:
    """Refuse to end `code` on `day` over later records, or over children when nobody takes them over
    (with a successor they follow it: see `_move_children`)."""
    children = [] if successor else [c.code for c in await store.children_on(uow.session, code, day)]
    domain.check_can_end(code, day, children, await store.last_record_date(uow.session, code))


async def _register(uow: UnitOfWork, body: AgencyIn, valid_from: date) -> AgencyData:
    parent = await store.as_of(uow.session, body.parent_code, valid_from) if body.parent_code else None
    if body.parent_code and parent is None:
        parent = await store.latest(uow.session, body.parent_code)
    cmd = domain.NewAgency(
        **body.model_dump(exclude={"valid_from", "contacts"}),
        valid_from=valid_from,
        contacts=body.contacts.to_contract(),
    )
    data = domain.register(cmd, exists=await store.exists(uow.session, body.code), parent=parent)
    await store.save_versions(uow.session, [data], uow.clock.now())
    return data


# --- agencies -----------------------------------------------------------------------------------------


@router.post("/agencies", status_code=201, response_model=AgencyData, tags=["agencies"])
async def register_agency(body: AgencyIn, caller: Caller, service: ServiceDep) -> AgencyData:
    require(caller, Role.OPERATOR)
    async with service.uow() as uow:
        try:
            data = await _register(uow, body, _today(uow, body.valid_from))
        except domain.DomainError as error:
            raise _refused(error) from None
        _emit(uow, AgencyRegistered, data)
        await uow.commit()
    return data


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
    async with service.reader() as uow:
        only = caller.agency_code if caller.role == Role.AGENCY else None
        f = store.AgencyFilter(
            _today(uow, as_of), level, parent_code, obligation, uses_eiso_software, q, only
        )
        items, total = await store.find(uow.session, f, limit, offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/agencies/{code:agency}", response_model=AgencyData, tags=["agencies"])
async def get_agency(
    code: Code, caller: Caller, service: ServiceDep, as_of: Annotated[Day | None, Query()] = None
) -> AgencyData:
    """The agency on `as_of`, or its latest version (which shows `valid_to` if it has ended)."""
    _visible(caller, code)
    async with service.reader() as uow:
        data = await (store.as_of(uow.session, code, as_of) if as_of else store.latest(uow.session, code))
        if data is None and as_of and await store.exists(uow.session, code):
            raise HTTPException(404, detail=f"agency {code} did not exist on {as_of.isoformat()}")
    if data is None:
        raise _not_found(code)
    return data


@router.patch("/agencies/{code:agency}", response_model=AgencyData, tags=["agencies"])
async def update_agency(code: Code, body: AgencyPatch, caller: Caller, service: ServiceDep) -> AgencyData:
    require(caller, Role.OPERATOR)
    changes: dict[str, Any] = body.model_dump(exclude={"effective_on", "contacts"}, exclude_none=True)
    if body.contacts is not None:
        changes["contacts"] = body.contacts.to_contract()
    async with service.uow() as uow:
        current = await _current(uow, code)
        try:
            versions, changed = domain.change(current, _today(uow, body.effective_on), **changes)
        except domain.DomainError as error:
            raise _refused(error) from None
        return await _commit_change(uow, current, versions, changed)


@router.post("/agencies/{code:agency}:reparent", response_model=AgencyData, tags=["reorganisation"])
async def reparent_agency(code: Code, body: ReparentIn, caller: Caller, service: ServiceDep) -> AgencyData:
    require(caller, Role.OPERATOR)
    async with service.uow() as uow:
        current = await _current(uow, code)
        try:
            versions, changed = await _reparent(
                uow, current, body.parent_code, _today(uow, body.effective_on)
            )
        except domain.DomainError as error:
            raise _refused(error) from None
        return await _commit_change(uow, current, versions, changed)


@router.post("/agencies/{code:agency}:rename", response_model=AgencyData, tags=["reorganisation"])
async def rename_agency(code: Code, body: RenameIn, caller: Caller, service: ServiceDep) -> AgencyData:
    require(caller, Role.OPERATOR)
    async with service.uow() as uow:
        current = await _current(uow, code)
        day = _today(uow, body.effective_on)
        taken = body.new_code is not None and await store.exists(uow.session, body.new_code)
        try:
            if body.new_code not in (None, code):
                await _check_can_end(uow, code, day, successor=True)
            renamed = domain.rename(current, body.name, body.new_code, day, code_taken=taken)
        except domain.DomainError as error:
            raise _refused(error) from None
        await store.save_versions(uow.session, renamed.versions, uow.clock.now())
        if renamed.previous_code:
            await store.link(uow.session, store.Link.RENAMED_FROM, renamed.successor.code, code, day)
            await _move_children(uow, code, renamed.successor.code, day)
        data = AgencyRenamedData(
            **renamed.successor.model_dump(), previous_name=current.name, previous_code=renamed.previous_code
        )
        _emit(uow, AgencyRenamed, data)
        await uow.commit()
    return renamed.successor


@router.post("/agencies/{code:agency}:dissolve", response_model=AgencyData, tags=["reorganisation"])
async def dissolve_agency(code: Code, body: DissolveIn, caller: Caller, service: ServiceDep) -> AgencyData:
    require(caller, Role.OPERATOR)
    async with service.uow() as uow:
        current = await _current(uow, code)
        day = _today(uow, body.effective_on)
        try:
            await _check_can_end(uow, code, day)
            ended = domain.end(current, day)
        except domain.DomainError as error:
            raise _refused(error) from None
        await store.save_versions(uow.session, [ended], uow.clock.now())
        _emit(uow, AgencyDissolved, AgencyDissolvedData(code=code, effective_on=day, reason=body.reason))
        await uow.commit()
    return ended


@router.post(
    "/agencies:merge",
    response_model=AgencyData,
    tags=["reorganisation"],
    responses={404: {"description": "A source (or `into`) is not registered."}},
)
async def merge_agencies(body: MergeIn, caller: Caller, service: ServiceDep) -> AgencyData:
    """Merge `sources` into an existing agency (`into`) or a new one (`new`) from `effective_on`."""
    require(caller, Role.OPERATOR)
    if (body.into is None) == (body.new is None):
        raise HTTPException(422, detail=problem("into", "give either `into` (an existing code) or `new`"))
    async with service.uow() as uow:
        day = _today(uow, body.effective_on)
        await store.lock(uow.session, *body.sources, *([body.into] if body.into else []))
        sources = [await _current(uow, code) for code in body.sources]
        try:
            if body.new is not None and body.new.parent_code in body.sources:
                raise domain.DomainError(
                    "new.parent_code", "the successor cannot sit below an agency it replaces"
                )
            for source in body.sources:
                await _check_can_end(uow, source, day, successor=True)
            if body.new is not None:
                successor = await _register(uow, body.new.model_copy(update={"valid_from": day}), day)
                _emit(uow, AgencyRegistered, successor)
            else:
                assert body.into is not None
                found = await store.as_of(uow.session, body.into, day)
                if found is None:
                    raise domain.DomainError("into", f"{body.into} is not active on {day.isoformat()}")
                successor = found
            closed, successor = domain.merge(sources, successor, day)
        except domain.DomainError as error:
            raise _refused(error) from None
        await store.save_versions(uow.session, closed, uow.clock.now())
        for source in body.sources:
            await store.link(uow.session, store.Link.MERGED_INTO, source, successor.code, day)
            await _move_children(uow, source, successor.code, day)
        merged = AgencyMergedData(
            code=successor.code, sources=body.sources, effective_on=day, successor=successor
        )
        _emit(uow, AgencyMerged, merged)
        await uow.commit()
    return successor


@router.post("/agencies/{code:agency}:split", response_model=list[AgencyData], tags=["reorganisation"])
async def split_agency(code: Code, body: SplitIn, caller: Caller, service: ServiceDep) -> list[AgencyData]:
    require(caller, Role.OPERATOR)
    async with service.uow() as uow:
        current = await _current(uow, code)
        day = _today(uow, body.effective_on)
        try:
            new = [
                await _register(uow, part.model_copy(update={"valid_from": day}), day) for part in body.into
            ]
            closed = domain.split(current, new, day)
        except domain.DomainError as error:
            raise _refused(error) from None
        await store.save_versions(uow.session, closed, uow.clock.now())
        for part in new:
            await store.link(uow.session, store.Link.SPLIT_FROM, part.code, code, day)
            _emit(uow, AgencyRegistered, part)
        _emit(uow, AgencySplit, AgencySplitData(code=code, effective_on=day, into=new))
        await uow.commit()
    return new


@router.get("/agencies/{code:agency}/lineage", response_model=Lineage, tags=["reorganisation"])
async def get_lineage(code: Code, caller: Caller, service: ServiceDep) -> Lineage:
    """Where the agency came from and what it became, through every merge, split and rename."""
    _visible(caller, code)
    async with service.reader() as uow:
        if not await store.exists(uow.session, code):
            raise _not_found(code)
        seen, queue, found = {code}, [code], {}
        while queue:
            for link in await store.links(uow.session, queue.pop()):
                found[link["id"]] = link
                for other in (link["from_code"], link["to_code"]):
                    if other not in seen:
                        seen.add(other)
                        queue.append(other)
    ordered = sorted(found.values(), key=lambda k: (k["effective_on"], k["id"]))
    return Lineage(code=code, links=[{k: v for k, v in link.items() if k != "id"} for link in ordered])


@router.post("/agencies:import", response_model=ImportReport, tags=["agencies"])
async def import_agencies(request: Request, caller: Caller, service: ServiceDep) -> ImportReport:
    """CSV (UTF-8; English or Vietnamese headers). Valid rows are applied, each whole or not at all;
    invalid ones are reported with the reason; importing the same file again changes nothing."""
    require(caller, Role.OPERATOR)
    try:
        rows = csvimport.read(await request.body())
    except csvimport.CsvError as error:
        raise HTTPException(422, detail=problem("file", str(error))) from None
    report = [ImportRow(row=r.number, code=None, status="invalid", reason=r.error) for r in rows if r.error]
    pending, seen = [], set()
    for row in rows:
        if row.values is None:
            continue
        if row.values["code"] in seen:
            report.append(_invalid(row, "code", "code: appears more than once in the file"))
            continue
        seen.add(row.values["code"])
        pending.append(row)
    async with service.uow() as uow:
        # Parents first: retry rows whose parent is later in the file until nothing more applies.
        while pending:
            progressed = False
            for row in list(pending):
                outcome = await _import_row(uow, row)
                if outcome is None:
                    continue
                pending.remove(row)
                progressed = True
                report.append(outcome)
            if not progressed:
                for row in pending:
                    report.append(await _import_row(uow, row, last_try=True) or _invalid(row, "parent_code"))
                break
        await uow.commit()
    report.sort(key=lambda r: r.row)
    counts = {
        s: sum(1 for r in report if r.status == s) for s in ("created", "updated", "unchanged", "invalid")
    }
    return ImportReport(**counts, rows=report)


def _invalid(row: csvimport.Row, field: str, reason: str | None = None) -> ImportRow:
    code = row.values["code"] if row.values else None
    return ImportRow(row=row.number, code=code, status="invalid", reason=reason or f"{field}: not applicable")


async def _import_row(uow: UnitOfWork, row: csvimport.Row, last_try: bool = False) -> ImportRow | None:
    """Apply one row in a savepoint; None when its parent is not there yet (and may come later)."""
    assert row.values is not None
    try:
        body = AgencyIn.model_validate(row.values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        return _invalid(row, field, f"{field}: {first['msg']}")
    if body.parent_code and not last_try and not await store.exists(uow.session, body.parent_code):
        return None
    day = _today(uow, body.valid_from)
    try:
        async with uow.session.begin_nested():
            await store.lock(uow.session, body.code)
            current = await store.latest(uow.session, body.code)
            if current is None:
                data = await _register(uow, body, day)
                _emit(uow, AgencyRegistered, data)
                await uow.flush_outbox()
                return ImportRow(row=row.number, code=body.code, status="created")
            return await _update_from_row(uow, row, body, current)
    except domain.DomainError as error:
        uow.discard_events()
        return _invalid(row, error.field, f"{error.field}: {error}")


async def _update_from_row(
    uow: UnitOfWork, row: csvimport.Row, body: AgencyIn, current: AgencyData
) -> ImportRow:
    """Bring an existing agency in line with the row, touching only the columns the file has."""
    if body.level != current.level:
        raise domain.DomainError("level", f"is {current.level.value} in the registry; levels do not change")
    if clean_line(body.name) != current.name:
        raise domain.DomainError("name", f"is {current.name!r} in the registry; rename with :rename")
    day, has = local_date(uow.clock.now()), row.columns.__contains__
    wanted: dict[str, Any] = {}
    if has("obligation") and body.obligation:
        wanted["obligation"] = body.obligation
    if has("uses_eiso_software"):
        wanted["uses_eiso_software"] = body.uses_eiso_software
    given = body.contacts.to_contract()
    contacts = current.contacts.model_copy(
        update={
            role: getattr(given, role)
            for role, prefix in (("iso_officer", "officer"), ("head", "head"))
            if any(has(f"{prefix}_{k}") for k in ("name", "phone", "email"))
        }
    )
    wanted["contacts"] = contacts
    if has("parent_code") and body.parent_code != current.parent_code:
        await _reparent(uow, current, body.parent_code, day)  # refuses a missing, ended or cyclic parent
        wanted["parent_code"] = body.parent_code
    versions, changed = domain.change(current, day, **domain.differs(current, wanted))
    if not changed:
        return ImportRow(row=row.number, code=body.code, status="unchanged")
    await _save_update(uow, versions, changed)
    await uow.flush_outbox()
    return ImportRow(
        row=row.number, code=body.code, status="updated", reason="changed: " + ", ".join(changed)
    )


# --- QMS records --------------------------------------------------------------------------------------


@router.put(
    "/agencies/{code:agency}/records/{element}", status_code=201, response_model=RecordData, tags=["records"]
)
async def put_record(
    code: Code, element: Element, body: RecordIn, caller: Caller, service: ServiceDep, response: Response
) -> RecordData:
    """Store a new version of the agency's record for `element` and year; the latest is current."""
    _visible(caller, code)
    if not caller.may_write(code):
        raise HTTPException(403, detail="a system key may read, not write")
    async with service.uow() as uow:
        await store.lock(uow.session, code)
        agency = await store.as_of(uow.session, code, body.occurred_on)
        if agency is None and not await store.exists(uow.session, code):
            raise _not_found(code)
        current = await store.current_record(uow.session, code, element, body.year)
        entry = domain.RecordEntry(**body.model_dump())
        try:
            data = domain.next_version(agency, code, element, entry, current.version if current else 0, "api")
        except domain.DomainError as error:
            raise _refused(error) from None
        if current is not None and domain.same_record(current, data):
            response.status_code = status.HTTP_200_OK  # PUT is idempotent: a retry adds no version
            return current
        event = RECORD_EVENT_OF[element].create(
            source=uow.source, subject=code, data=data, time=uow.clock.now()
        )
        await store.add_record(uow.session, data, str(event.id), uow.clock.now())
        uow.emit(Topic.REGISTRY_RECORDS, event)
        await uow.commit()
    return data


@router.get("/agencies/{code:agency}/records", response_model=list[RecordData], tags=["records"])
async def get_records(
    code: Code,
    caller: Caller,
    service: ServiceDep,
    year: Annotated[CampaignYear | None, Query()] = None,
) -> list[RecordData]:
    _visible(caller, code)
    async with service.reader() as uow:
        if not await store.exists(uow.session, code):
            raise _not_found(code)
        return await store.current_records(uow.session, code, year)


# --- outside systems ----------------------------------------------------------------------------------


@router.post("/systems", status_code=201, response_model=SystemOut, tags=["systems"])
async def register_system(body: SystemIn, caller: Caller, service: ServiceDep) -> SystemOut:
    """An outside system (e-ISO software, one-stop-shop) that may publish records for `scope`."""
    require(caller, Role.OPERATOR)
    async with service.uow() as uow:
        if await store.system(uow.session, body.id):
            raise HTTPException(409, detail=problem("id", f"system {body.id} is already registered"))
        await store.add_system(uow.session, body.id, body.name, body.scope, uow.clock.now())
        await uow.commit()
    return SystemOut(**body.model_dump())


@router.get("/systems", response_model=list[SystemOut], tags=["systems"])
async def list_systems(caller: Caller, service: ServiceDep) -> list[SystemOut]:
    require(caller, Role.OPERATOR)
    async with service.reader() as uow:
        return [SystemOut(**s) for s in await store.all_systems(uow.session) if s["revoked_at"] is None]
