"""Certificates, verified by anyone who holds one's code (a person's employer, an inspector)."""

from services.training.domain import NotFoundError
from services.training.entities import Certificate
from services.training.store import TrainingUnitOfWork


async def verify_certificate(uow: TrainingUnitOfWork, code: str) -> Certificate:
    """The certificate of `code` as printed or typed (spaces around it and case do not matter)."""
    found = await uow.certificates.get(code.strip().upper())
    if found is None:
        raise NotFoundError("code", f"chứng nhận {code}")
    return found
