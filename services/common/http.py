"""HTTP behaviour every service shares: bounded bodies, JSON errors without stack traces, request
counting and timing by route template, security headers on every answer."""

import json
import time
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, urlsplit

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contracts.fields import forbidden_in
from services.common import metrics
from services.common.docs import INLINE_STYLE_HASHES, STATIC_PREFIX
from services.common.inputs import error, invalid_request

log = structlog.get_logger("eiso.http")


class HttpMiddleware:
    """An ASGI middleware that acts on HTTP requests only: lifespan messages pass through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.http(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class BodyLimit(HttpMiddleware):
    """Refuse request bodies over `max_bytes` with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
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
    """eiso_http_requests_total and eiso_http_request_duration_seconds (until the answer's headers) by
    route template (never the raw path: it holds agency codes). A request that crashed is counted
    as the 5xx it answers."""
    started = time.perf_counter()
    arrived = dict(request.scope)  # before routing changes it (a mount moves the path to root_path)
    status = 500
    try:
        response = await call_next(request)
        status = response.status_code
        return response
    finally:
        template = route_template(request.app, arrived, request.scope.get("route"))
        metrics.HTTP_REQUESTS.labels(route=template, status=f"{status // 100}xx").inc()
        metrics.HTTP_SECONDS.labels(route=template, method=metrics.method_label(request.method)).observe(
            time.perf_counter() - started
        )


def route_template(app: FastAPI, arrived: Scope, route: BaseRoute | None) -> str:
    """The template of the route that answered ("unmatched" for none). FastAPI names its own routes in
    the scope; Starlette's (`/openapi.json`, the `/static` mount) are found again by matching the
    request as it arrived."""
    if route is None:
        route = next((r for r in app.routes if r.matches(arrived)[0] == Match.FULL), None)
    return str(getattr(route, "path_format", None) or getattr(route, "path", "unmatched"))


#: HTML pages run our scripts and styles only, from files (no inline script; no inline style but
#: the vendored viewers' few known ones), talk only to their own service, and can neither be framed
#: (clickjacking) nor post forms elsewhere. ReDoc runs its search in a worker made from a blob: URL.
PAGE_POLICY = (
    f"default-src 'self'; script-src 'self'; style-src 'self' {' '.join(INLINE_STYLE_HASHES)}; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def origin_of(url: str | None) -> str | None:
    """scheme://host[:port] of an absolute URL (None for a path or nothing)."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def page_policy(form_targets: list[str]) -> str:
    """`PAGE_POLICY` for a page whose form leads on to other origins (the sign-in form, which goes
    back to the page the person came from: the board, on another eiso service of the same host).
    A page that sets its own Content-Security-Policy keeps it."""
    return PAGE_POLICY.replace("form-action 'self'", " ".join(["form-action 'self'", *form_targets]))


#: Anything else (JSON, metrics, assets) is no document: if a browser ever renders one, it may load
#: nothing and not be framed.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"


def security_headers(path: str, content_type: str, cache_control: str | None = None) -> dict[str, str]:
    """The headers every answer carries.

    `Referrer-Policy: no-referrer`, not `same-origin`: the board is opened as `/board?key=…`, and a
    same-origin Referer would repeat the key on each asset request, into any proxy's access log; no
    page of ours needs the Referer. `Cache-Control: no-store` on everything but the static assets
    (which set their own, `services.common.docs.Assets`): answers carry agency data and keys in
    URLs, and must stay neither in a shared cache nor on a shared office computer's disk.
    """
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
        "Content-Security-Policy": PAGE_POLICY if content_type.startswith("text/html") else DATA_POLICY,
    }
    if not (path.startswith(f"{STATIC_PREFIX}/") and cache_control):
        headers["Cache-Control"] = "no-store"
    return headers


class SecurityHeaders(HttpMiddleware):
    """Add `security_headers` to every answer, errors and refusals (413) included. (A crash's 500 is
    sent outside every middleware by Starlette: `internal_error` adds them itself.)"""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                found = security_headers(path, headers.get("content-type", ""), headers.get("cache-control"))
                if "content-security-policy" in headers:  # a page's own (`page_policy`)
                    del found["Content-Security-Policy"]
                headers.update(found)
            await send(message)

        await self.app(scope, receive, send_hardened)


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug answers 500 with an id to quote, never a stack trace; the log has the details."""
    error_id = uuid.uuid4().hex[:12]
    route = route_template(request.app, request.scope, request.scope.get("route"))
    # The route's template, not the path: a path may hold a secret (a one-time password link).
    log.error("unhandled error", error_id=error_id, route=route, exc_info=exc)
    headers = security_headers(request.url.path, "application/json")
    return JSONResponse({"detail": "internal error", "error_id": error_id}, status_code=500, headers=headers)


async def conflict(request: Request, exc: Exception) -> JSONResponse:
    """A uniqueness race lost to a concurrent request: the client may simply send it again."""
    route = route_template(request.app, request.scope, request.scope.get("route"))
    log.info("write conflict", route=route, error=type(exc).__name__)
    return JSONResponse({"detail": "changed by another request meanwhile; send it again"}, status_code=409)


def harden(app: FastAPI, max_body_bytes: int) -> None:
    app.middleware("http")(count_requests)
    app.add_middleware(RefuseControlCharacters)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_middleware(SecurityHeaders)  # added last: the outermost, so it also covers BodyLimit's 413
    app.add_exception_handler(IntegrityError, conflict)
    app.add_exception_handler(Exception, internal_error)


class RefuseControlCharacters(HttpMiddleware):
    """422 for a control character in the path or a query parameter, before any route runs (a NUL
    reaching PostgreSQL is a 500, not an answer)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        texts: list[tuple[list[str | int], str]] = [(["path"], scope.get("path", ""))]
        texts += [(["query", _printable(name)], text) for name, value in query for text in (name, value)]
        for where, text in texts:
            if reason := forbidden_in(text):
                await JSONResponse({"detail": [error(where, reason)]}, status_code=422)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _printable(name: str) -> str:
    """A parameter's name as an error may quote it."""
    return name if forbidden_in(name) is None else name.encode("unicode_escape").decode("ascii")
