"""The registry's HTTP API: direct entry by agencies and operators."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from contracts import Topic
from contracts.agencies import AGENCY_CODE, AgencyData
from contracts.records import RecordData
from contracts.vocabulary import Element, Level, Obligation
from services.common.clock import local_date
from services.common.service import Service, service_of
from services.registry import domain, store

router = APIRouter()
ServiceDep = Annotated[Service, Depends(service_of)]
CodePath = Annotated[str, Field(pattern=AGENCY_CODE)]

#: Elements that can be entered today; the others arrive with their event types.
RecordElement = StrEnum(  # type: ignore[misc]
    "RecordElement", {e.name: e.value for e in domain.RECORD_EVENTS}
)


class AgencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=AGENCY_CODE, examples=["000.00.22.H59"])
    name: str = Field(min_length=1, max_length=300, examples=["Sở Khoa học và Công nghệ"])
    level: Level
    parent_code: str | None = Field(default=None, pattern=AGENCY_CODE)
    obligation: Obligation | None = Field(default=None, description="Defaults by level.")
    uses_eiso_software: bool = False
    valid_from: date | None = Field(default=None, description="Defaults to today (giờ Việt Nam).")


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    year: int = Field(ge=2000, le=2100)
    occurred_on: date
    document_ref: str = Field(min_length=1, max_length=200, examples=["Số 12/QĐ-SKHCN"])
    title: str = Field(min_length=1, max_length=500)
    notes: str | None = Field(default=None, max_length=4000)
    submitted_by: str = Field(min_length=1, max_length=200)


def _refuse(error: domain.DomainError, code: int = status.HTTP_422_UNPROCESSABLE_CONTENT) -> HTTPException:
    return HTTPException(code, detail=[{"loc": ["body", error.field], "msg": str(error)}])


@router.post("/agencies", status_code=status.HTTP_201_CREATED, response_model=AgencyData)
async def register_agency(body: AgencyIn, service: ServiceDep) -> AgencyData:
    async with service.uow() as uow:
        cmd = domain.NewAgency(
            **body.model_dump(exclude={"valid_from"}),
            valid_from=body.valid_from or local_date(uow.clock.now()),
        )
        exists = await store.agency(uow.session, body.code) is not None
        parent = (
            body.parent_code is not None and await store.agency(uow.session, body.parent_code) is not None
        )
        try:
            data = domain.register(cmd, exists=exists, parent_exists=parent)
        except domain.DomainError as error:
            raise _refuse(error, status.HTTP_409_CONFLICT if error.field == "code" else 422) from None
        now = uow.clock.now()
        try:
            await store.add_agency(uow.session, data, now)
            uow.emit(Topic.REGISTRY_AGENCIES, domain.agency_registered(data, uow.source, now))
            await uow.commit()
        except IntegrityError:  # registered by a concurrent request
            raise HTTPException(409, detail=f"agency {body.code} is already registered") from None
    return data


@router.get("/agencies/{code}", response_model=AgencyData)
async def get_agency(code: CodePath, service: ServiceDep) -> AgencyData:
    async with service.reader() as uow:
        data = await store.agency(uow.session, code)
    if data is None:
        raise HTTPException(404, detail=f"agency {code} is not registered")
    return data


@router.put("/agencies/{code}/records/{element}", status_code=201, response_model=RecordData)
async def put_record(
    code: CodePath, element: RecordElement, body: RecordIn, service: ServiceDep
) -> RecordData:
    """Store a new version of the agency's record for `element` and year; the latest is current."""
    async with service.uow() as uow:
        if await store.agency(uow.session, code) is None:
            raise HTTPException(404, detail=f"agency {code} is not registered")
        element_ = Element(element.value)
        latest = await store.latest_version(uow.session, code, element_, body.year)
        try:
            data = domain.next_version(code, element_, domain.RecordEntry(**body.model_dump()), latest, "api")
        except domain.DomainError as error:
            raise _refuse(error) from None
        now = uow.clock.now()
        event = domain.record_event(data, uow.source, now)
        try:
            await store.add_record(uow.session, data, str(event.id), now)
            uow.emit(Topic.REGISTRY_RECORDS, event)
            await uow.commit()
        except IntegrityError:  # a concurrent request took this version number
            raise HTTPException(409, detail="the record changed meanwhile; send it again") from None
    return data


@router.get("/agencies/{code}/records", response_model=list[RecordData])
async def get_records(
    code: CodePath, service: ServiceDep, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[RecordData]:
    async with service.reader() as uow:
        if await store.agency(uow.session, code) is None:
            raise HTTPException(404, detail=f"agency {code} is not registered")
        return await store.current_records(uow.session, code, year)
