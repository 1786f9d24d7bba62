"""The API documentation pages (`/docs`, `/redoc`) and the static assets every service serves.

FastAPI's own pages load Swagger UI and ReDoc from a CDN and start them with an inline script: on a
provincial intranet without internet they stay blank, and an inline script would force the page's
Content-Security-Policy to allow inline scripts. Here the assets are vendored
(`static/vendor/`, see `static/README.md`) and each page is started by a script file of ours
(`static/eiso/`), so the CSP of `services.common.http` can forbid inline scripts.
"""

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

#: Where every service serves its static assets.
STATIC_PREFIX: Final = "/static"
#: The common assets (vendored Swagger UI and ReDoc, the pages' start scripts).
STATIC_DIR: Final = Path(__file__).parent / "static"
SWAGGER_UI: Final = "vendor/swagger-ui-5.35.0"
REDOC: Final = "vendor/redoc-2.5.4"
#: The inline styles the vendored viewers insert, allowed by hash in the pages' CSP (any other inline
#: style stays refused): an empty `<style>` that ReDoc's styled-components fills through the CSSOM
#: (which CSP does not govern), and the perfect-scrollbar stylesheet ReDoc 2.5.4 inserts as text. A
#: new ReDoc may change the second: tests/e2e/test_api_docs.py then fails naming the new hash.
INLINE_STYLE_HASHES: Final = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
)
#: A vendored asset never changes under its URL (the version is in the folder's name): browsers may
#: keep it a year. Our own files may change with any release: kept, but revalidated (ETag) each time.
VENDOR_CACHE: Final = "public, max-age=31536000, immutable"
OWN_CACHE: Final = "no-cache"


class Assets(StaticFiles):
    """Static files with the caching policy above; `directories` are searched in order, so a
    service adds its own folder (e.g. compliance's board stylesheet) after the common one."""

    def __init__(self, directories: list[Path]) -> None:
        super().__init__(directory=directories[0])
        self.all_directories = [os.fspath(d) for d in directories]

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        vendored = self.get_path(scope).startswith("vendor" + os.sep)
        response.headers["Cache-Control"] = VENDOR_CACHE if vendored else OWN_CACHE
        return response


def static_url(request: Request) -> str:
    """Where a page links its assets from, behind a reverse proxy's root path too."""
    return _root(request) + STATIC_PREFIX


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def serve_docs(app: FastAPI, static_dirs: list[Path]) -> None:
    """Mount the assets and the two documentation pages on `app` (built with docs_url=None and
    redoc_url=None, so FastAPI's CDN pages are off); `/openapi.json` stays FastAPI's."""
    app.mount(STATIC_PREFIX, Assets([STATIC_DIR, *static_dirs]), name="static")
    app.include_router(_docs_router(app.title))


@dataclass(frozen=True)
class Viewer:
    """A documentation page: its root element and its assets (under /static, in order)."""

    element: str
    stylesheets: tuple[str, ...]
    scripts: tuple[str, ...]


SWAGGER_PAGE: Final = Viewer(
    "swagger-ui",
    (f"{SWAGGER_UI}/swagger-ui.css",),
    (f"{SWAGGER_UI}/swagger-ui-bundle.js", "eiso/swagger-ui-init.js"),
)
REDOC_PAGE: Final = Viewer("redoc", (), (f"{REDOC}/redoc.standalone.js", "eiso/redoc-init.js"))


def _docs_router(title: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    async def swagger_ui(request: Request) -> HTMLResponse:
        return HTMLResponse(_page(request, title, SWAGGER_PAGE))

    @router.get("/redoc")
    async def redoc(request: Request) -> HTMLResponse:
        return HTMLResponse(_page(request, title, REDOC_PAGE))

    return router


def _page(request: Request, title: str, viewer: Viewer) -> str:
    """A page with no inline script or style: the viewer's assets, then our start script, which reads
    where the OpenAPI document is from the root element's data attribute."""
    static = static_url(request)
    openapi = html.escape(_root(request) + request.app.openapi_url)
    links = "".join(f'<link rel="stylesheet" href="{static}/{css}">\n' for css in viewer.stylesheets)
    scripts = "".join(f'<script src="{static}/{js}"></script>\n' for js in viewer.scripts)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} — API</title>
<link rel="icon" type="image/png" href="{static}/{SWAGGER_UI}/favicon-32x32.png">
{links}</head>
<body>
<div id="{viewer.element}" data-openapi-url="{openapi}"></div>
{scripts}</body>
</html>
"""
