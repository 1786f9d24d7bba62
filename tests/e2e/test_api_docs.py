"""The API documentation of running services, as a person on a closed provincial network sees it: a
real Chromium that can reach nothing but the local host opens `/docs` and `/redoc`, which must show
every operation, ask for nothing outside and break none of the page's Content-Security-Policy."""

import httpx
import pytest

from tests.e2e.browser import PAGE_SECONDS, Browser, chromium, csp_violations, outside
from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def operations(origin: str) -> int:
    document = httpx.get(f"{origin}/openapi.json", timeout=30).json()
    return sum(1 for item in document["paths"].values() for method in item if method in METHODS)


def assert_clean(browser: Browser, origin: str, page: str) -> None:
    """Nothing refused by the CSP, no error at all in the console, nothing asked of the outside."""
    console = browser.console()
    assert csp_violations(console) == [], f"{page}: the CSP refused something"
    assert [e["message"] for e in console if e["level"] == "SEVERE"] == [], f"{page}: errors in the console"
    requested = browser.requested()
    assert outside(requested, origin) == [], f"{page} needs something from outside"
    assert f"{origin}/openapi.json" in requested, f"{page} read the service's own OpenAPI document"


@pytest.mark.parametrize("name", ["registry", "compliance"])
def test_swagger_ui_and_redoc_show_every_operation_offline_and_within_the_csp(
    stack: Stack, name: str
) -> None:
    origin = stack.url(name)
    expected = operations(origin)
    assert expected > 5, "the service documents its operations"
    with chromium() as browser:
        browser.open(f"{origin}/docs")
        shown = browser.wait_for(
            f"const n = document.querySelectorAll('.opblock').length; return n >= {expected} ? n : 0",
            f"the {expected} operations in Swagger UI",
        )
        assert shown == expected
        assert browser.run("return document.querySelector('.info .title').textContent").startswith(
            f"eiso {name}"
        )
        assert_clean(browser, origin, "/docs")

        browser.open(f"{origin}/redoc")
        shown = browser.wait_for(
            "const n = document.querySelectorAll('[data-section-id^=\"operation/\"]').length;"
            f"return n >= {expected} ? n : 0",
            f"the {expected} operations in ReDoc",
            seconds=PAGE_SECONDS,
        )
        assert shown == expected
        assert_clean(browser, origin, "/redoc")
