"""Single sign-on against a real OpenID Connect provider: Keycloak, started by the project's own script
(deploy/keycloak/keycloak.sh) with the example realm. A person signs in at Keycloak's own page, comes
back signed in to eiso with the role and agency the provider's claims give (mapped by configuration),
is taken by the other services, and signs out of both."""

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from eiso_cli.processes import ROOT
from tests.e2e.browser import Browser, chromium
from tests.e2e.stack import PROPAGATION_SECONDS, Stack, free_ports, running, until

pytestmark = pytest.mark.e2e
SCRIPT = ROOT / "deploy" / "keycloak" / "keycloak.sh"
#: In deploy/keycloak/realm-example.json.
AGENCY = "000.36.99.H59"
OFFICER = ("can.bo.iso", "Mat-khau-thu-nghiem-1")
LEADER = ("lanh.dao.ubnd", "Mat-khau-thu-nghiem-2")
ROLE_MAP = '{"so-khcn-dieu-hanh": "operator", "can-bo-iso": "agency", "theo-doi": "viewer"}'


@pytest.fixture(scope="module")
def keycloak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The issuer URL of a Keycloak of the test's own."""
    (port,) = free_ports(1)
    env = {
        "EISO_KEYCLOAK_PORT": str(port),
        "EISO_KEYCLOAK_STATE_DIR": str(tmp_path_factory.mktemp("keycloak")),
    }
    started = subprocess.run(
        [SCRIPT, "start"], env={**os.environ, **env}, capture_output=True, text=True, timeout=600, check=False
    )
    assert started.returncode == 0, f"Keycloak did not start:\n{started.stderr[-3000:]}"
    try:
        yield f"http://127.0.0.1:{port}/realms/eiso"
    finally:
        subprocess.run(
            [SCRIPT, "stop"], env={**os.environ, **env}, capture_output=True, timeout=120, check=False
        )


@pytest.fixture(scope="module")
def stack(
    keycloak: str, kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    settings = {
        "oidc_issuer": keycloak,
        "oidc_client_secret": "doi-bi-mat-nay-khi-trien-khai",
        "oidc_role_map": ROLE_MAP,
    }
    with running(
        kafka, database_url, tmp_path_factory.mktemp("logs"), names=("registry",), **settings
    ) as stack:
        body = {"code": AGENCY, "name": "UBND xã Hòa Lợi", "level": "commune", "valid_from": "2020-01-01"}
        assert stack.client("registry").post("/agencies", json=body).status_code in (201, 409)
        yield stack


def at_provider(browser: Browser, who: tuple[str, str]) -> None:
    """Fill Keycloak's own sign-in page, as the person would (a real browser: the provider's
    cookies are Secure, which browsers keep for 127.0.0.1 over plain HTTP)."""
    browser.wait_for(
        "return document.getElementById('kc-form-login') !== null", "the provider's sign-in page"
    )
    browser.run(
        "document.getElementById('username').value = arguments[0];"
        "document.getElementById('password').value = arguments[1];"
        "document.getElementById('kc-form-login').requestSubmit();",
        *who,
    )


def signed_in_as(browser: Browser, stack: Stack, who: tuple[str, str]) -> None:
    """Through the provider, back on eiso's account page."""
    browser.open(f"{stack.url('identity')}/sso?next=/account")
    at_provider(browser, who)
    browser.wait_for("return document.getElementById('who') !== null", "eiso's account page, signed in")


def me(browser: Browser, stack: Stack, service: str) -> dict[str, Any]:
    """What `service` takes the browser for (its `GET /me`, opened in the browser)."""
    browser.open(f"{stack.url(service)}/me")
    text = browser.wait_for("return document.body && document.body.innerText", f"{service}'s answer")
    found: dict[str, Any] = json.loads(text)
    return found


def test_a_person_signs_in_at_the_provider_with_its_role_and_agency_and_signs_out_of_both(
    stack: Stack,
) -> None:
    with chromium() as browser:
        signed_in_as(browser, stack, OFFICER)
        assert browser.run("return document.getElementById('name').textContent") == "Nguyễn Thị Mai"
        assert (
            browser.run("return document.getElementById('role').textContent")
            == "Cán bộ đầu mối ISO của cơ quan"
        )
        found = me(browser, stack, "registry")
        assert (found["role"], found["agency_code"]) == ("agency", AGENCY), "the registry takes the cookie"

        browser.open(f"{stack.url('identity')}/account")
        browser.wait_for("return document.getElementById('sign-out') !== null", "the sign-out button")
        browser.run("document.getElementById('sign-out').requestSubmit()")
        browser.wait_for(
            "return document.getElementById('sign-in') !== null", "eiso's sign-in page, signed out"
        )
        until(
            lambda: "missing, unknown" in str(me(browser, stack, "registry")),
            "the registry refuses it",
            PROPAGATION_SECONDS,
        )
        browser.open(f"{stack.url('identity')}/sso?next=/account")
        browser.wait_for(
            "return document.getElementById('kc-form-login') !== null",
            "the provider asks again: signed out there too",
        )
        console = [
            e
            for e in browser.console()
            if e["level"] == "SEVERE" and "Content Security Policy" in e["message"]
        ]
        assert console == [], "no page's policy blocks the way to the provider and back"

    with chromium() as browser:
        signed_in_as(browser, stack, LEADER)
        assert me(browser, stack, "registry")["role"] == "viewer", "theo-doi is mapped to viewer"
    accounts = {a["email"]: a for a in stack.client("identity").get("/accounts").json()}
    assert accounts["can.bo.iso@hoaloi.travinh.gov.vn"]["role"] == "agency"
    assert accounts["lanh.dao@ubnd.travinh.gov.vn"]["role"] == "viewer"
    assert not accounts["can.bo.iso@hoaloi.travinh.gov.vn"]["has_password"], "the provider holds the password"
