"""Invitations as an ISO officer receives them: the registry and the identity service as processes, a
real local SMTP server (aiosmtpd). An operator invites an agency by its code; the officer's e-mail —
the registry's, in Vietnamese — carries the one-time link (and nothing else does); the officer sets a
password through it, signs in and sees the agency's own data. A re-sent invitation kills the first
link; a busy mail server is retried, a refusing one is reported; an identity service killed while
the mail server holds the e-mail sends it again after its restart, under the same Message-ID."""

import asyncio
import email
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.e2e.stack import Stack, free_ports, running, until
from tests.factories import unique_code

pytestmark = pytest.mark.e2e
PASSWORD = "Cán bộ đầu mối ISO phường 7"
LINK = re.compile(r"(http://\S+/password-links/(\w+)\.(\S+))")


@dataclass
class Mailbox:
    """What the SMTP server received. An address with `busy` is refused with 451 the first time, one
    with `nouser` always with 550; one with `hang` is held unanswered the first time (its message
    kept), as a server that received it and has not said so yet."""

    messages: list[Message] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's name)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if "nouser" in address:
            return "550 5.1.1 no such user here"
        if "busy" in address and address not in self.refused:
            self.refused.append(address)
            return "451 4.3.2 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content)
        self.messages.append(message)
        if "hang" in str(message["To"]) and len(self.to(str(message["To"]))) == 1:
            await asyncio.sleep(120)  # cancelled when the client goes away
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


@dataclass
class World:
    stack: Stack
    mailbox: Mailbox


@pytest.fixture(scope="module")
def world(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    mailbox = Mailbox()
    (smtp_port,) = free_ports(1)
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    settings = {
        "smtp_port": str(smtp_port),
        "smtp_sender": "eiso@sokhcn.travinh.gov.vn",
        "department_name": "Sở Khoa học và Công nghệ tỉnh Trà Vinh",
        "mail_backoff_base_seconds": "0.2",
        "mail_poll_seconds": "0.2",
    }
    try:
        with running(
            kafka, database_url, tmp_path_factory.mktemp("logs"), names=("registry",), **settings
        ) as stack:
            yield World(stack, mailbox)
    finally:
        smtp.stop()


def register(stack: Stack, mailbox_name: str, email_address: bool = True) -> tuple[str, str, str]:
    """An agency whose ISO officer has an e-mail (unless told): (code, name, e-mail)."""
    code = unique_code("MOI")
    name = f"UBND phường 7 ({code[-4:]})"
    address = f"{mailbox_name}.{code.lower()}@phuong7.travinh.gov.vn"
    officer = {
        "name": "Trần Thị Thu Hà",
        "phone": "+84912000777",
        **({"email": address} if email_address else {}),
    }
    body = {
        "code": code,
        "name": name,
        "level": "commune",
        "valid_from": "2020-01-01",
        "contacts": {"iso_officer": officer},
    }
    assert stack.client("registry").post("/agencies", json=body).status_code == 201
    return code, name, address


def invite(stack: Stack, code: str) -> httpx.Response:
    """`POST /invitations`, once the identity service's copy knows the agency."""
    identity = stack.client("identity")

    def answered() -> httpx.Response | None:
        answer = identity.post("/invitations", json={"agency_code": code})
        return None if answer.status_code == 422 and "unknown" in answer.text else answer

    found: httpx.Response = until(answered, "the identity service knows the agency")
    return found


def text_of(message: Message, kind: str = "text/plain") -> str:
    part = next(p for p in message.walk() if p.get_content_type() == kind)
    assert part.get_content_charset() == "utf-8"
    return bytes(part.get_payload(decode=True)).decode("utf-8")


def set_password(link: str) -> httpx.Response:
    """The officer opens the link and sets a password on its page."""
    with httpx.Client(timeout=30) as browser:
        form = browser.get(link)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert form.status_code == 200 and csrf, form.text
        return browser.post(link, data={"new": PASSWORD, "csrf_token": csrf.group(1)})


def assert_closed(link: str) -> None:
    """The link's page says at once that it can no longer be used, with no form to fill in."""
    stale = httpx.get(link, timeout=30)
    assert stale.status_code == 410 and "đã được dùng hoặc đã hết hạn" in stale.text
    assert 'name="new"' not in stale.text


def test_an_invited_officer_sets_a_password_from_the_email_signs_in_and_sees_the_agency_s_own_data(
    world: World,
) -> None:
    stack, mailbox = world.stack, world.mailbox
    other, _, _ = register(stack, "khac")
    code, name, address = register(stack, "thuha")
    answer = invite(stack, code)
    assert answer.status_code == 202, answer.text
    sent = answer.json()
    assert (sent["agency_code"], sent["status"]) == (code, "pending")
    assert sent["sent_to"] == f"t***@{address.split('@')[1]}" and sent["valid_until"]
    assert "password-links" not in answer.text and "thuha" not in answer.text

    (message,) = until(lambda: mailbox.to(address), "the invitation arrived")
    assert str(make_header(decode_header(message["Subject"]))) == (
        f"Mời sử dụng Hệ thống quản lý ISO điện tử — {name}"
    )
    assert message["Message-ID"] == f"<{sent['id']}@eiso>" and parsedate_to_datetime(message["Date"])
    assert "Sở Khoa học và Công nghệ tỉnh Trà Vinh (eiso)" in str(make_header(decode_header(message["From"])))
    plain, html = text_of(message), text_of(message, "text/html")
    assert plain.startswith("Kính gửi Ông/Bà Trần Thị Thu Hà,")
    assert f"cán bộ đầu mối ISO của {name}" in plain and "(giờ Việt Nam)" in plain
    assert "\nSỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH TRÀ VINH\n" in plain
    found = LINK.search(plain)
    assert found and f'href="{found.group(1)}"' in html
    link, secret = found.group(1), found.group(3)
    assert secret not in answer.text, "the e-mail is the only place the link goes"

    done = set_password(link)
    assert done.status_code == 200 and "Đã đặt mật khẩu" in done.text, done.text
    signed = stack.client("identity").post("/tokens", json={"email": address, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    officer = {"Authorization": f"Bearer {signed.json()['token']}"}
    registry = stack.url("registry")
    own = until(
        lambda: (
            (r := httpx.get(f"{registry}/agencies/{code}", headers=officer, timeout=30)).status_code == 200
            and r
        ),
        "the registry takes the officer's sign-in",
    )
    assert own.json()["name"] == name
    assert httpx.get(f"{registry}/agencies/{other}", headers=officer, timeout=30).status_code == 404
    listed = stack.client("identity").get("/invitations", params={"agency_code": code}).json()
    assert [(i["id"], i["status"], i["password_set"]) for i in listed] == [(sent["id"], "sent", True)]
    assert "password-links" not in str(listed)


def test_an_invitation_is_refused_naming_the_agency_when_the_registry_has_no_email_or_an_account_exists(
    world: World,
) -> None:
    identity = world.stack.client("identity")
    unknown = identity.post("/invitations", json={"agency_code": "000.00.99.H59"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "agency_code"]
    code, _, _ = register(world.stack, "none", email_address=False)
    answer = invite(world.stack, code)
    assert answer.status_code == 422 and "contacts.iso_officer.email" in answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", "agency_code"]
    code, _, _ = register(world.stack, "twice")
    first = invite(world.stack, code).json()
    again = identity.post("/invitations", json={"agency_code": code})
    assert again.status_code == 422 and f"/invitations/{first['account_id']}/resend" in again.text
    agency_key = world.stack.issue_key("agency", code)["key"]
    refused = world.stack.client("identity", agency_key).post("/invitations", json={"agency_code": code})
    assert refused.status_code == 403, "operators invite"


def test_a_resent_invitation_is_a_new_link_and_the_first_one_stops_working(world: World) -> None:
    stack, mailbox = world.stack, world.mailbox
    code, _, address = register(stack, "resend")
    first = invite(stack, code).json()
    until(lambda: mailbox.to(address), "the first invitation arrived")
    resent = stack.client("identity").post(f"/invitations/{first['account_id']}/resend")
    assert resent.status_code == 202 and "password-links" not in resent.text
    first_mail, second_mail = until(
        lambda: len(mailbox.to(address)) == 2 and mailbox.to(address), "the second arrived"
    )
    assert second_mail["Message-ID"] == f"<{resent.json()['id']}@eiso>" != first_mail["Message-ID"]
    old, new = (LINK.search(text_of(m)) for m in (first_mail, second_mail))
    assert old and new and old.group(1) != new.group(1)
    assert_closed(old.group(1))
    assert set_password(new.group(1)).status_code == 200
    assert_closed(new.group(1))
    taken = stack.client("identity").post(f"/invitations/{first['account_id']}/resend")
    assert taken.status_code == 409 and "password already" in taken.text


def test_a_busy_mail_server_is_tried_again_and_a_refusal_is_reported_to_the_operator(world: World) -> None:
    stack, mailbox = world.stack, world.mailbox
    busy, _, busy_address = register(stack, "busy")
    refused, _, _ = register(stack, "nouser")
    invite(stack, busy)
    invite(stack, refused)
    until(lambda: mailbox.to(busy_address), "the invitation arrived at the second try")
    identity = stack.client("identity")

    def status(code: str) -> dict[str, Any] | None:
        (invitation,) = identity.get("/invitations", params={"agency_code": code}).json()
        return invitation if invitation["status"] in ("sent", "failed") else None

    delivered = until(lambda: status(busy), "the delivery is recorded")
    assert (delivered["status"], delivered["attempts"], delivered["error"]) == ("sent", 2, None)
    failed = until(lambda: status(refused), "the refusal is recorded")
    assert (failed["status"], failed["attempts"], failed["error"]) == (
        "failed",
        1,
        "SMTP recipient refused: [550]",
    )


def test_an_identity_service_killed_while_sending_sends_again_with_the_same_message_id(world: World) -> None:
    stack, mailbox = world.stack, world.mailbox
    code, _, address = register(stack, "hang")
    sent = invite(stack, code).json()
    until(lambda: mailbox.to(address), "the mail server has the e-mail, and has not answered")
    stack.processes["identity"].kill()  # before the answer, so before the e-mail is marked sent
    stack.restart("identity")
    first, second = until(lambda: len(mailbox.to(address)) == 2 and mailbox.to(address), "sent again")
    assert first["Message-ID"] == second["Message-ID"] == f"<{sent['id']}@eiso>", "recognisably the same"
    identity = stack.client("identity")
    until(
        lambda: identity.get("/invitations", params={"agency_code": code}).json()[0]["status"] == "sent",
        "recorded as sent",
    )
    assert len(mailbox.to(address)) == 2
