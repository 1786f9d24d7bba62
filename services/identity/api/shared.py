"""What the identity service's routes share: the service, and how its refusals become answers."""

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException

from services.common.inputs import problem
from services.common.service import service_of
from services.identity.keys import KeyRefusedError

if TYPE_CHECKING:
    from services.identity.app import IdentityService

ServiceDep = Annotated["IdentityService", Depends(service_of)]


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """A refused input answers 422 naming its field."""
    try:
        yield
    except KeyRefusedError as refused:
        raise HTTPException(422, detail=problem(refused.field, str(refused))) from None
