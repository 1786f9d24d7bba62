"""The refusals every route can give besides its own answer, documented on every route of every service.

The shared runtime answers some requests before a route's code runs: a control character in the path or
the query (422), a body over the limit (413), a missing or wrong key (401), a role that may not (403), a
key or an address over its rate (429), a write that lost a race (409). A client generated from the
OpenAPI document must know every answer it can get, so each route's operation lists these, with the
one body all of them have (`Refusal`), next to its own.
"""

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from services.common.auth import (
    authenticate,
    authenticate_feed,
    authenticate_form,
    authenticate_page,
    visitor,
)

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where: body, query or path, then the field's path.")
    msg: str = Field(description="What is wrong, for a person.")
    type: str = Field(description="The kind of error, for a program.")


class Refusal(BaseModel):
    """Why a request was refused: a sentence, or the fields at fault (always for 422)."""

    detail: str | list[FieldError]


def refusals(route: APIRoute) -> dict[int, str]:
    """The answers the shared runtime may give on `route`, by status code."""
    calls = _calls(route.dependant)
    found = {422: "A parameter or the body is invalid; `detail` names each field at fault."}
    if route.body_field is not None:
        found[400] = "The body cannot be read: it is not UTF-8."
        found[413] = "The body is larger than the service accepts."
    if calls & {authenticate, authenticate_page, authenticate_feed, authenticate_form}:
        found |= {
            401: "The API key or sign-in is missing, unknown, revoked or ended.",
            403: "The key's role may not do this.",
            429: "Too many requests for this key, or failed attempts from this address (Retry-After).",
        }
    if authenticate_page in calls:
        found[303] = "Not signed in: to the identity service's sign-in page (Location), and back after."
    if visitor in calls:
        found[429] = "Too many requests, or failed attempts, from this address (Retry-After)."
    if route.dependant.path_params:
        found[404] = "Nothing by that identifier (or nothing this key may see)."
    if (route.methods or set()) & WRITES:
        found[409] = "The change conflicts with the current state, or lost a race: read and try again."
    return found


def _calls(dependant: Dependant) -> set[Any]:
    """Every dependency `dependant` runs, however deep."""
    found = set()
    for dependency in dependant.dependencies:
        found |= {dependency.call} | _calls(dependency)
    return found


def document_refusals(app: FastAPI, routers: Sequence[APIRouter]) -> None:
    """Make `app`'s OpenAPI document list, on every operation of `routers` (included in `app` as they
    are), the refusals it can give."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(title=app.title, version=app.version, routes=app.routes)
        _, definitions = models_json_schema(
            [(Refusal, "serialization")], ref_template="#/components/schemas/{model}"
        )
        document.setdefault("components", {}).setdefault("schemas", {}).update(definitions["$defs"])
        refusal = {"application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}}
        for route in (route for router in routers for route in router.routes):
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            for method in route.methods or ():
                answers = document["paths"][route.path_format][method.lower()]["responses"]
                for code, description in refusals(route).items():
                    answers.setdefault(str(code), {"description": description, "content": refusal})
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def allow_every_method(app: FastAPI, routers: Sequence[APIRouter]) -> None:
    """A 405 lists in `Allow` every method the path takes (Starlette names only those of the first
    route it tried, and GET and POST of one path are two routes)."""
    routes = [route for router in routers for route in router.routes if isinstance(route, APIRoute)]

    async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
        allowed = {m for r in routes if r.path_regex.match(request.url.path) for m in r.methods or ()}
        allowed |= {"HEAD"} if "GET" in allowed else set()
        headers = {"Allow": ", ".join(sorted(allowed))}
        return JSONResponse({"detail": "Method Not Allowed"}, status_code=405, headers=headers)

    app.add_exception_handler(405, method_not_allowed)
