"""What every route module of the training API shares: the running service and its timetable, the
text fields, and how a use case's refusal becomes an HTTP answer."""

import contextlib
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from pydantic import Field

from contracts.fields import Text
from services.common.inputs import problem
from services.common.service import Service, service_of
from services.training.domain import NotFoundError, RefusalError, Timetable
from services.training.store import TrainingUnitOfWork

ServiceDep = Annotated[Service[TrainingUnitOfWork], Depends(service_of)]
Title = Annotated[Text, Field(min_length=1, max_length=300)]
Name = Annotated[Text, Field(min_length=1, max_length=200)]
#: Refusals naming these fields point at the path, the others at the body.
PATH_FIELDS = {"session_id", "enrolment_id"}


def timetable_of(request: Request) -> Timetable:
    """The running service's timetable: the training windows and the province's days off (app.py)."""
    timetable: Timetable = request.app.state.service.timetable
    return timetable


TimetableDep = Annotated[Timetable, Depends(timetable_of)]


def refused(error: RefusalError) -> HTTPException:
    where = "path" if error.field in PATH_FIELDS else "body"
    return HTTPException(409 if error.conflict else 422, detail=problem(error.field, str(error), where))


@contextlib.contextmanager
def answering() -> Iterator[None]:
    """Map what a use case refuses to HTTP: nothing by that identifier 404, a refusal 409 or 422."""
    try:
        yield
    except NotFoundError as error:
        raise HTTPException(404, detail=problem(error.field, str(error), "path")) from None
    except RefusalError as error:
        raise refused(error) from None
