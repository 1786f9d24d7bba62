"""What the registry's routes share: the service and agency-code parameters, who sees which agency, and
how the use cases' refusals become HTTP answers."""

import contextlib
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, status

from contracts.fields import AGENCY_CODE
from services.common.auth import Principal
from services.common.inputs import problem
from services.common.service import Service, service_of
from services.registry import domain
from services.registry.unit_of_work import RegistryUnitOfWork

ServiceDep = Annotated[Service[RegistryUnitOfWork], Depends(service_of)]
Code = Annotated[str, Path(pattern=AGENCY_CODE, max_length=64)]


def not_found(code: str) -> HTTPException:
    return HTTPException(404, detail=str(domain.AgencyNotFoundError(code)))


def visible(caller: Principal, code: str) -> None:
    """An agency key sees its own agency only; anything else is, to it, not there."""
    if not caller.may_read(code):
        raise not_found(code)


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """A refused command answers 409 (a conflict with what the registry holds) or 422 (the input), with
    the field at fault; an agency it names that is not there answers 404."""
    try:
        yield
    except domain.DomainError as error:
        code = status.HTTP_409_CONFLICT if error.conflict else status.HTTP_422_UNPROCESSABLE_CONTENT
        raise HTTPException(code, detail=problem(error.field, str(error))) from None
    except domain.AgencyNotFoundError as error:
        raise HTTPException(404, detail=str(error)) from None
