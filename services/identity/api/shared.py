"""What the identity service's routes share: the service, and how its refusals become answers."""

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException

from services.common.inputs import problem
from services.common.service import service_of
from services.identity.broker_accounts import BrokerNotSecureError, BrokerUnavailableError
from services.identity.keys import KeyRefusedError

if TYPE_CHECKING:
    from services.identity.app import IdentityService

ServiceDep = Annotated["IdentityService", Depends(service_of)]


@contextlib.contextmanager
def unavailable() -> Iterator[None]:
    """A broker configured without passwords holds no principals (409: the request cannot be met as
    things are set up); one that does not answer is the server's fault (503)."""
    try:
        yield
    except BrokerNotSecureError as refused:
        raise HTTPException(409, detail=str(refused)) from None
    except BrokerUnavailableError as failed:
        raise HTTPException(503, detail=str(failed)) from None


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """A refused input answers 422 naming its field."""
    try:
        yield
    except KeyRefusedError as refused:
        raise HTTPException(422, detail=problem(refused.field, str(refused))) from None
