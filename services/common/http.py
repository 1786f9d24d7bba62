"""HTTP behaviour every service shares: bounded bodies, JSON errors without stack traces, request
counting by route template."""

import json
import uuid
from collections.abc import Awaitable, Callable

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common import metrics
from services.common.inputs import RefuseControlCharacters, invalid_request

log = structlog.get_logger("eiso.http")


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _BodyTooLargeError
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLargeError:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": f"request body larger than {self.max_bytes} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _BodyTooLargeError(Exception):
    pass


async def count_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """eiso_http_requests_total by route template (never the raw path: it holds agency codes)."""
    response = await call_next(request)
    route = request.scope.get("route")
    template = getattr(route, "path", "unmatched")
    metrics.HTTP_REQUESTS.labels(route=template, status=f"{response.status_code // 100}xx").inc()
    return response


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug answers 500 with an id to quote, never a stack trace; the log has the details."""
    error_id = uuid.uuid4().hex[:12]
    log.error("unhandled error", error_id=error_id, path=request.url.path, exc_info=exc)
    return JSONResponse({"detail": "internal error", "error_id": error_id}, status_code=500)


async def conflict(request: Request, exc: Exception) -> JSONResponse:
    """A uniqueness race lost to a concurrent request: the client may simply send it again."""
    log.info("write conflict", path=request.url.path, error=type(exc).__name__)
    return JSONResponse({"detail": "changed by another request meanwhile; send it again"}, status_code=409)


def harden(app: FastAPI, max_body_bytes: int) -> None:
    app.middleware("http")(count_requests)
    app.add_middleware(RefuseControlCharacters)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(IntegrityError, conflict)
    app.add_exception_handler(Exception, internal_error)
