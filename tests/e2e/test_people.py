"""People, end to end, every service its own process: an operator makes an agency officer's account,
the officer sets a password through the one-time link and signs in; the one sign-in (a bearer token,
or the browser's cookie) is taken by all five services, sees only its own agency everywhere, needs
its CSRF token to change anything from a browser, and its end reaches every service within seconds.
Guessing a password is slowed, then locked."""

import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.stack import PROPAGATION_SECONDS, Stack, running, until
from tests.factories import unique_code

pytestmark = pytest.mark.e2e
PASSWORD = "Cán bộ ISO xã Hòa Lợi 2022"
LOCK_SECONDS = 4
RECORD = {
    "year": 2022,
    "occurred_on": "2022-04-12",
    "document_ref": "KH-DGNB-2022",
    "title": "Kết quả đánh giá nội bộ năm 2022",
    "submitted_by": "Thư ký ISO",
}


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    settings = {"sign_in_lock_seconds": str(LOCK_SECONDS), "sign_in_delay_step_seconds": "0.05"}
    names = ("registry", "compliance", "training", "notifier")
    with running(kafka, database_url, tmp_path_factory.mktemp("logs"), names=names, **settings) as stack:
        yield stack


def register(stack: Stack, code: str) -> None:
    body = {"code": code, "name": f"UBND xã {code}", "level": "commune", "valid_from": "2020-01-01"}
    assert stack.client("registry").post("/agencies", json=body).status_code == 201


def invite(
    stack: Stack, code: str | None, role: str = "agency", name: str = "Nguyễn Thị Mai"
) -> tuple[str, str]:
    """An account made by the operator, its password set through its link: (account id, e-mail)."""
    email = f"{unique_code('iso').lower()}@travinh.gov.vn"
    body = {"email": email, "name": name, "role": role, "agency_code": code}
    identity = stack.client("identity")
    made = until(
        lambda: (answer := identity.post("/accounts", json=body)).status_code == 201 and answer.json(),
        "the identity service knows the agency",
    )
    with httpx.Client(timeout=30) as browser:
        form = browser.get(made["password_link"])
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert form.status_code == 200 and csrf, form.text
        done = browser.post(made["password_link"], data={"new": PASSWORD, "csrf_token": csrf.group(1)})
        assert done.status_code == 200 and "Đã đặt mật khẩu" in done.text, done.text
        again = browser.post(made["password_link"], data={"new": PASSWORD, "csrf_token": csrf.group(1)})
        assert again.status_code == 422 and "đã được dùng" in again.text, "a link works once"
    return made["id"], email


def sign_in_browser(stack: Stack, email: str, password: str) -> tuple[httpx.Client, httpx.Response]:
    browser = httpx.Client(base_url=stack.url("identity"), timeout=30)
    form = browser.get("/sign-in")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf, form.text
    answer = browser.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": csrf.group(1)}
    )
    return browser, answer


def me_everywhere(stack: Stack, headers: dict[str, str] | None = None, **request: Any) -> dict[str, int]:
    """What every service answers `GET /me`; each probe from an address of its own (the services take
    X-Forwarded-For from 127.0.0.1), so that refused probes spend no other caller's failed attempts."""
    answers = {}
    for name in stack.processes:
        probe = {"X-Forwarded-For": f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"}
        answer = httpx.get(
            f"{stack.url(name)}/me", timeout=30, headers={**(headers or {}), **probe}, **request
        )
        answers[name] = answer.status_code
    return answers


def test_one_sign_in_is_taken_by_every_service_sees_its_own_agency_and_its_end_reaches_all(
    stack: Stack,
) -> None:
    own, other = unique_code("OWN"), unique_code("OTHER")
    register(stack, own)
    register(stack, other)
    account_id, email = invite(stack, own)

    token = (
        stack.client("identity").post("/tokens", json={"email": email, "password": PASSWORD}).json()["token"]
    )
    bearer = {"Authorization": f"Bearer {token}"}
    until(
        lambda: set(me_everywhere(stack, headers=bearer).values()) == {200},
        "every service takes the token",
    )
    me = httpx.get(f"{stack.url('notifier')}/me", timeout=30, headers=bearer).json()
    assert me == {"key_id": account_id, "role": "agency", "agency_code": own, "name": "Nguyễn Thị Mai"}

    browser, signed = sign_in_browser(stack, email, PASSWORD)
    assert signed.status_code == 303 and signed.headers["location"] == "/account"
    cookie = signed.headers.get_list("set-cookie")
    assert any(
        "eiso_session=" in c and "HttpOnly" in c and "SameSite=lax" in c.replace("Lax", "lax") for c in cookie
    )
    jar = {"eiso_session": browser.cookies["eiso_session"]}
    assert set(me_everywhere(stack, cookies=jar).values()) == {200}, "the browser's cookie, on every service"
    assert "Nguyễn Thị Mai" in browser.get("/account").text

    # Its own agency only, on each service that has agency data.
    session = httpx.Client(cookies=jar, timeout=30)
    registry, compliance = stack.url("registry"), stack.url("compliance")
    assert session.get(f"{registry}/agencies/{other}").status_code == 404
    assert session.get(f"{registry}/agencies/{own}").status_code == 200
    assert session.get(f"{compliance}/agencies/{other}/compliance", params={"year": 2022}).status_code == 404
    assert session.get(f"{compliance}/agencies/{own}/inspections", params={"year": 2022}).status_code == 200
    assert session.post(f"{compliance}/evaluations", json={}).status_code == 403
    training, notifier = stack.url("training"), stack.url("notifier")
    assert session.get(f"{training}/agencies/{other}/calendar.ics").status_code == 404
    assert session.get(f"{training}/agencies/{own}/calendar.ics").status_code == 200
    assert session.get(f"{notifier}/notifications", params={"agency": other}).status_code == 404
    assert session.get(f"{notifier}/notifications").status_code == 200, "its own agency's messages"

    # A change from the browser needs the sign-in's CSRF token; a bearer token needs none.
    put = f"{registry}/agencies/{own}/records/internal_audit"
    refused = session.put(put, json=RECORD)
    assert refused.status_code == 403 and "CSRF" in refused.text
    csrf = browser.cookies["eiso_csrf"]
    assert session.put(put, json=RECORD, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert httpx.put(put, json={**RECORD, "title": "Lần 2"}, timeout=30, headers=bearer).status_code == 201

    # Signing out ends this sign-in everywhere, within seconds; the script's token goes on.
    page = browser.get("/account").text
    form_csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert form_csrf
    assert browser.post("/sign-out", data={"csrf_token": "not-it"}).status_code == 403
    out = browser.post("/sign-out", data={"csrf_token": form_csrf.group(1)})
    assert out.status_code == 303 and out.headers["location"] == "/sign-in"
    until(
        lambda: set(me_everywhere(stack, cookies=jar).values()) == {401},
        "every service refuses the signed-out browser",
        PROPAGATION_SECONDS,
    )
    assert set(me_everywhere(stack, headers=bearer).values()) == {200}

    # An operator disables the account: every sign-in of it is refused everywhere, within seconds.
    assert (
        stack.client("identity").patch(f"/accounts/{account_id}", json={"active": False}).status_code == 200
    )
    until(
        lambda: set(me_everywhere(stack, headers=bearer).values()) == {401},
        "every service refuses the disabled account",
        PROPAGATION_SECONDS,
    )
    _, refused_page = sign_in_browser(stack, email, PASSWORD)
    assert refused_page.status_code == 403 and "đã bị khóa" in refused_page.text


def test_guessing_is_slowed_then_locked_and_the_right_password_works_after_the_lock(stack: Stack) -> None:
    _, email = invite(stack, None, role="viewer")
    identity = stack.client("identity")
    answers = [identity.post("/tokens", json={"email": email, "password": f"đoán lần {n}"}) for n in range(9)]
    assert [a.status_code for a in answers] == [401] * 8 + [423], [a.text for a in answers]
    assert "Thư điện tử hoặc mật khẩu không đúng" in answers[0].json()["detail"]
    tenth = identity.post("/tokens", json={"email": email, "password": PASSWORD})
    assert tenth.status_code == 423, "the tenth, the right password, is refused without being checked"
    assert "tạm bị khóa" in tenth.json()["detail"] and "giờ Việt Nam" in tenth.json()["detail"]
    _, page = sign_in_browser(stack, email, PASSWORD)
    assert page.status_code == 423 and "tạm bị khóa" in page.text, "the page says the same, in Vietnamese"
    until(
        lambda: identity.post("/tokens", json={"email": email, "password": PASSWORD}).status_code == 200,
        "the right password works once the lock ends",
        LOCK_SECONDS + 30,
        every=1.0,  # each refused try is a failed attempt of this address: a few, not dozens
    )


def test_the_sign_in_form_must_come_from_its_own_page_and_no_other_site_is_a_next_step(stack: Stack) -> None:
    _, email = invite(stack, None, role="viewer")
    forged = httpx.post(
        f"{stack.url('identity')}/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": "x"},
        timeout=30,
    )
    assert forged.status_code == 403, "a form posted from another site is refused"
    browser = httpx.Client(base_url=stack.url("identity"), timeout=30)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/sign-in").text)
    assert csrf
    data = {"email": email, "password": PASSWORD, "csrf_token": csrf.group(1), "next": "//evil.example/x"}
    assert browser.post("/sign-in", data=data).headers["location"] == "/account"
