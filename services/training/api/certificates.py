"""Certificates: verified by anyone, without a key, and limited per address."""

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from services.common.auth import Anonymous
from services.training.api.common import ServiceDep, answering
from services.training.usecases import certificates

router = APIRouter()


class CertificateOut(BaseModel):
    """What verifying a certificate needs — no phone, no e-mail."""

    code: str
    person_name: str
    agency_name: str
    course_title_vi: str
    completed_on: date
    valid: bool = True


@router.get("/certificates/{code}", response_model=CertificateOut, tags=["certificates"])
async def verify_certificate(code: str, service: ServiceDep, visitor: Anonymous) -> CertificateOut:
    """Anyone can verify a certificate by its code, without a key; only what verifying needs is shown.
    Codes that do not exist count as failed attempts of the caller's address (no enumerating)."""
    with answering():  # a 404 is a failed attempt of the caller's address
        found = await service.query(certificates.verify_certificate, code)
    visitor.succeeded()
    return CertificateOut(
        code=found.code,
        person_name=found.person_name,
        agency_name=found.agency_name,
        course_title_vi=found.course_title_vi,
        completed_on=found.completed_on,
    )
