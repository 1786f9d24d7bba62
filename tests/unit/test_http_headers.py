"""What every HTTP answer of every service carries, whatever it is: the security headers (JSON, HTML,
errors 401/404/413/422/500, static assets), caching only for the static assets, API documentation
pages that need no inline script and nothing from a CDN. (In a real browser, cut off from outside:
tests/e2e/test_api_docs.py.)"""

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.common.http import harden
from services.registry.app import build
from services.registry.settings import RegistrySettings

#: What a browser accepts for each asset once told `nosniff`.
TYPES = {".js": {"text/javascript", "application/javascript"}, ".css": {"text/css"}, ".png": {"image/png"}}
EVERY_ANSWER = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.fixture
async def registry(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The registry's real app, in process (not started: nothing here needs its database or Kafka)."""
    settings = RegistrySettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}")
    async with client_of(build(settings).app()) as client:
        yield client


@pytest.fixture
async def hardened() -> AsyncIterator[httpx.AsyncClient]:
    """An app hardened like every service's, with routes that fail the ways a service can."""
    app = FastAPI()
    harden(app, max_body_bytes=1_000)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("a bug")

    @app.get("/typed")
    async def typed(n: int) -> dict[str, int]:
        return {"n": n}

    @app.post("/echo")
    async def echo(body: dict[str, str]) -> dict[str, str]:
        return body

    async with client_of(app) as client:
        yield client


def client_of(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")


def assert_hardened(answer: httpx.Response) -> None:
    for name, value in EVERY_ANSWER.items():
        assert answer.headers.get(name) == value, f"{answer.request.url.path}: {name}"
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy


def assert_not_stored(answer: httpx.Response) -> None:
    assert answer.headers["cache-control"] == "no-store", answer.request.url.path


async def test_json_answers_and_errors_carry_the_headers_and_are_never_stored(
    registry: httpx.AsyncClient, hardened: httpx.AsyncClient
) -> None:
    answers = {
        200: await registry.get("/health/live"),
        401: await registry.get("/agencies", params={"key": "eiso_x_y"}),
        404: await registry.get("/nowhere"),
        413: await hardened.post("/echo", content=b'{"a": "' + b"x" * 2_000 + b'"}'),
        422: await hardened.get("/typed", params={"n": "many"}),
        500: await hardened.get("/crash"),
    }
    for status, answer in answers.items():
        assert answer.status_code == status
        assert answer.headers["content-type"].startswith("application/json")
        assert_hardened(answer)
        assert_not_stored(answer)
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")
    assert "error_id" in answers[500].json() and "Traceback" not in answers[500].text


async def test_metrics_and_the_openapi_document_carry_them_too(registry: httpx.AsyncClient) -> None:
    for path in ("/metrics", "/openapi.json"):
        answer = await registry.get(path)
        assert answer.status_code == 200
        assert_hardened(answer)
        assert_not_stored(answer)


class Page(HTMLParser):
    """What an HTML page loads, and whatever it has inline."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self._in_script = True
            if found.get("src"):
                self.scripts.append(str(found["src"]))
            else:
                self.inline.append("a <script> without src")
        if tag == "style":
            self.inline.append("a <style> element")
        if tag == "link" and found.get("rel") in ("stylesheet", "icon"):
            self.stylesheets.append(str(found["href"]))
        if "style" in found or any(name.startswith("on") for name in found):
            self.inline.append(f"an inline style or handler on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("script text")


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_the_api_docs_pages_load_only_local_files_under_a_csp_without_inline_script(
    registry: httpx.AsyncClient, path: str
) -> None:
    answer = await registry.get(path)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert_hardened(answer)
    assert_not_stored(answer)
    policy = answer.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'", "no inline script, nothing from outside"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["base-uri"] == "'none'" and directives["form-action"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["connect-src"] == "'self'"
    page = Page()
    page.feed(answer.text)
    assert page.inline == [], f"{path} has inline code the CSP would refuse"
    assert page.scripts, f"{path} starts no viewer"
    assert "cdn" not in answer.text and "http" not in answer.text.split("<body>")[1]
    for asset in page.scripts + page.stylesheets:
        assert asset.startswith("/static/"), f"{asset} is not served by the service itself"
        served = await registry.get(asset)
        assert served.status_code == 200, asset
        assert_hardened(served)
        kind = served.headers["content-type"].split(";")[0]
        assert kind in TYPES[Path(asset).suffix], f"{asset}: nosniff makes the browser refuse a {kind}"


async def test_static_assets_may_be_cached_vendored_ones_for_good(registry: httpx.AsyncClient) -> None:
    vendored = await registry.get("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js")
    assert vendored.status_code == 200
    assert_hardened(vendored)
    assert vendored.headers["cache-control"] == "public, max-age=31536000, immutable"
    own = await registry.get("/static/eiso/swagger-ui-init.js")
    assert own.headers["cache-control"] == "no-cache", "ours may change with a release: revalidated"
    again = await registry.get(
        "/static/eiso/swagger-ui-init.js", headers={"If-None-Match": own.headers["etag"]}
    )
    assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"
    assert_hardened(again)
    missing = await registry.get("/static/vendor/nothing.js")
    assert missing.status_code == 404
    assert_not_stored(missing)


async def test_fastapis_cdn_pages_are_off(registry: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        text = (await registry.get(path)).text
        assert "jsdelivr" not in text and "fonts.googleapis" not in text
    assert (await registry.get("/docs/oauth2-redirect")).status_code == 404


async def test_metrics_have_the_process_series_and_a_latency_histogram_by_route_template(
    registry: httpx.AsyncClient, hardened: httpx.AsyncClient
) -> None:
    await registry.get("/agencies/000.00.14.H59")  # 401: no key; the code must not become a label
    await registry.request("BREW", "/health/live")
    await hardened.get("/crash")
    text = (await registry.get("/metrics")).text
    for series in ("process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds"):
        assert re.search(rf"^{series} \d", text, re.M), f"{series} missing"
    assert "python_info{" in text
    assert re.search(
        r'^eiso_http_request_duration_seconds_count\{method="GET",route="/agencies/\{code\}"\} [1-9]',
        text,
        re.M,
    )
    assert re.search(
        r'eiso_http_request_duration_seconds_bucket\{le="0.1",method="GET",route="/docs"\}', text
    ), "every route has its series from the start"
    assert "H59" not in text, "no agency code as a label"
    assert re.search(r'method="other",route="/health/live"', text), "an invented method is not a label"
    assert re.search(r'^eiso_http_requests_total\{route="/crash",status="5xx"\} [1-9]', text, re.M), (
        "a crash is counted"
    )
