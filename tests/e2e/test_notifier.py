"""Reminders as agencies receive them: real broker, services as processes, a real local SMTP server
and a local carrier over HTTP that honours request ids. The clock starts at Friday 30/09/2022
09:00 giờ Việt Nam, inside the sending window, and runs (so retries elapse)."""

import email
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from contracts import Topic
from tests.carrier import Carrier, gateway_settings, serve
from tests.e2e.stack import Stack, free_ports, running
from tests.factories import unique_code
from tests.kafka_tools import caught_up, eventually, read_until

pytestmark = pytest.mark.e2e
CALLBACK_TOKEN = "callback-secret"


@dataclass
class Mailbox:
    messages: list[email.message.Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[email.message.Message]:
        return [m for m in self.messages if m["To"] == address]


@dataclass
class World:
    stack: Stack
    carrier: Carrier
    mailbox: Mailbox


@pytest.fixture(scope="module")
def world(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    carrier = Carrier()
    server, url = serve(carrier)
    mailbox = Mailbox()
    (smtp_port,) = free_ports(1)
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    settings = {
        **gateway_settings(carrier, url),
        "clock_starts_at": "2022-09-30T02:00:00Z",
        "smtp_port": str(smtp_port),
        "digest_seconds": "0",
        "lease_seconds": "3",
        "callback_token": CALLBACK_TOKEN,
    }
    names = ("registry", "compliance", "notifier")
    try:
        with running(kafka, database_url, tmp_path_factory.mktemp("logs"), names=names, **settings) as stack:
            yield World(stack, carrier, mailbox)
    finally:
        smtp.stop()
        server.shutdown()


async def agency_with_contacts(world: World, phone: str) -> str:
    code = unique_code("NT")
    body = {
        "code": code,
        "name": f"UBND xã Đông Hải {code[-4:]}",
        "level": "commune",
        "valid_from": "2020-01-01",
        "contacts": {
            "iso_officer": {"name": "Nguyễn Thị Mai", "phone": phone, "email": f"{code.lower()}@xa.vn"}
        },
    }
    assert world.stack.client("registry").post("/agencies", json=body).status_code == 201
    for service in ("compliance", "notifier"):  # both must know it before a reminder can be sent
        await eventually(knows(world.stack, service), what=f"{service} knows the agency")
    return code


def knows(stack: Stack, service: str) -> Callable[[], Awaitable[bool]]:
    """Whether `service` has read every agency event published so far (the new agency's among them)."""

    async def check() -> bool:
        return await caught_up(stack.kafka, stack.group_of(service), [Topic.REGISTRY_AGENCIES])

    return check


def evaluate(world: World, day: str) -> None:
    assert world.stack.client("compliance").post("/evaluations", json={"on": day}).status_code == 200


def deliveries(records: list[Any]) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in records]


async def test_a_reminder_arrives_once_by_sms_and_email_in_good_vietnamese(world: World) -> None:
    phone = "+84912000001"
    code = await agency_with_contacts(world, phone)
    evaluate(world, "2022-09-30")  # 30 days before the deadline
    await eventually(lambda: world.carrier.to(phone), what="the SMS arrived")
    await eventually(lambda: world.mailbox.to(f"{code.lower()}@xa.vn"), what="the e-mail arrived")

    ((gateway, request_id, _, text),) = world.carrier.to(phone)
    assert gateway == "esms" and text.isascii()
    assert text.startswith(f"UBND xa Dong Hai {code[-4:]}: con 30 ngay den han 30/10/2022 cap nhat HTQLCL")
    # The 2022 campaign's deadline is a Sunday: both messages say so, and name the Friday before.
    assert (
        "Han chot 30/10/2022 la ngay nghi (Chu nhat), de nghi hoan thanh cham nhat ngay 28/10/2022." in text
    )
    (mail,) = world.mailbox.to(f"{code.lower()}@xa.vn")
    assert str(make_header(decode_header(mail["Subject"]))) == "Còn 30 ngày đến hạn cập nhật HTQLCL năm 2022"
    plain = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    body = bytes(plain.get_payload(decode=True)).decode("utf-8")
    assert "Kính gửi Nguyễn Thị Mai" in body and "(giờ Việt Nam)" in body
    assert "Hạn chót 30/10/2022 là ngày nghỉ (Chủ nhật)" in body and "chậm nhất trong ngày 28/10/2022" in body

    sent = deliveries(
        await read_until(
            world.stack.kafka,
            Topic.NOTIFIER_DELIVERIES,
            lambda kept: len(kept) >= 2,
            keep=lambda r: r.key == code.encode(),
        )
    )
    assert sorted(e["data"]["channel"] for e in sent) == ["email", "sms"]
    assert {e["type"] for e in sent} == {"notification-sent"}
    assert request_id in {e["data"]["request_id"] for e in sent}
    assert phone not in json.dumps(sent) and "xa.vn" not in json.dumps(sent), "no contact data in events"

    notifier = world.stack.client("notifier")
    listed = notifier.get("/notifications", params={"agency": code}).json()
    assert sorted(n["recipient"] for n in listed) == sorted(["***001", f"{code.lower()[0]}***@xa.vn"])

    callback = {"RequestId": request_id, "SendStatus": "5"}
    assert notifier.post("/callbacks/esms", json=callback).status_code == 401, "no token, no update"
    assert notifier.post(f"/callbacks/esms?token={CALLBACK_TOKEN}", json=callback).status_code == 204
    listed = notifier.get("/notifications", params={"agency": code}).json()
    assert [n["delivery"] for n in listed if n["channel"] == "sms"] == ["delivered"]
    costs = notifier.get("/notifications/cost-preview").json()
    esms = next(line for line in costs["sent"] if line["gateway"] == "esms")
    assert esms["messages"] >= 1 and esms["segments"] >= esms["messages"]


async def test_an_officer_with_a_landline_gets_the_email_and_no_sms(world: World) -> None:
    code = await agency_with_contacts(world, "(0294) 3862 123")  # accepted by the registry as a landline
    evaluate(world, "2022-09-30")  # again: only this new agency has a reminder still to make
    await eventually(lambda: world.mailbox.to(f"{code.lower()}@xa.vn"), what="the e-mail arrived")
    listed = world.stack.client("notifier").get("/notifications", params={"agency": code}).json()
    assert [n["channel"] for n in listed] == ["email"], "no SMS is made for a landline"
    assert world.carrier.to("+842943862123") == []


async def test_a_notifier_killed_between_the_gateway_call_and_its_commit_sends_the_sms_once(
    world: World,
) -> None:
    phone = "+84912000002"
    code = await agency_with_contacts(world, phone)
    world.carrier.faults["esms:84912000002"] = ["hang:30"]  # accepted at once, answered after 30 s
    evaluate(world, "2022-10-16")  # 14 days before the deadline
    await eventually(lambda: world.carrier.to(phone), what="the carrier received the SMS")
    world.stack.processes["notifier"].kill()  # before the answer, so before the commit
    world.stack.restart("notifier")

    def sent() -> bool:
        rows = world.stack.client("notifier").get("/notifications", params={"agency": code}).json()
        return any(r["channel"] == "sms" and r["status"] == "sent" for r in rows)

    await eventually(sent, what="the resent SMS is recorded as sent")
    assert len(world.carrier.to(phone)) == 1, "one message reached the person"
    (request_id,) = {d[1] for d in world.carrier.to(phone)}
    assert request_id in world.carrier.duplicates, "the retry carried the same request id"


async def test_a_failing_gateway_fails_over_and_an_http_200_error_is_detected(world: World) -> None:
    over, refused = "+84912000003", "+84912000004"
    code_over = await agency_with_contacts(world, over)
    code_refused = await agency_with_contacts(world, refused)
    world.carrier.faults["esms:84912000003"] = ["always500"]
    world.carrier.faults["esms:84912000004"] = ["always500"]
    world.carrier.faults["speedsms:84912000004"] = ["alwayserror200"]
    evaluate(world, "2022-10-24")  # 7 days before the deadline
    await eventually(lambda: world.carrier.to(over), what="the fallback delivered")
    assert [d[0] for d in world.carrier.to(over)] == ["speedsms"]

    def sms_outcome(kept: list[Any]) -> bool:
        return any(json.loads(r.value)["data"]["channel"] == "sms" for r in kept)

    sent = deliveries(
        await read_until(
            world.stack.kafka,
            Topic.NOTIFIER_DELIVERIES,
            sms_outcome,
            keep=lambda r: r.key == code_over.encode(),
        )
    )
    sms = next(e for e in sent if e["data"]["channel"] == "sms")
    assert (sms["type"], sms["data"]["gateway"], sms["data"]["attempts"]) == (
        "notification-sent",
        "speedsms",
        1,
    )
    failed = deliveries(
        await read_until(
            world.stack.kafka,
            Topic.NOTIFIER_DELIVERIES,
            sms_outcome,
            keep=lambda r: r.key == code_refused.encode(),
        )
    )
    sms = next(e for e in failed if e["data"]["channel"] == "sms")
    assert (sms["type"], sms["data"]["error"]) == ("notification-failed", "error 007: invalid phone")
    assert world.carrier.to(refused) == [], "nothing delivered, and no endless retries"


def arrived(world: World, phone: str, count: int) -> Callable[[], bool]:
    return lambda: len(world.carrier.to(phone)) == count


async def test_a_fourth_sms_in_a_day_waits_and_the_operator_board_counts_it(world: World) -> None:
    phone = "+84912000005"
    code = await agency_with_contacts(world, phone)
    for sent, day in enumerate(("2022-09-30", "2022-10-16", "2022-10-24"), start=1):
        evaluate(world, day)  # one at a time: due together, they would go as one digest
        await eventually(arrived(world, phone, sent), what=f"SMS {sent} arrived")
    evaluate(world, "2022-10-31")  # the deadline has passed: the overdue findings follow

    def held(kept: list[Any]) -> bool:
        return any(json.loads(r.value)["type"] == "notification-held" for r in kept)

    records = await read_until(
        world.stack.kafka, Topic.NOTIFIER_DELIVERIES, held, keep=lambda r: r.key == code.encode()
    )
    (event,) = [e for e in deliveries(records) if e["type"] == "notification-held"]
    assert (event["data"]["channel"], event["data"]["cause"]) == ("sms", "throttle")
    assert "agency-lagging" in event["data"]["reasons"] and phone not in json.dumps(event)
    assert len(world.carrier.to(phone)) == 3, "three SMS a day, no more"

    board = world.stack.client("compliance")

    def agree() -> bool:
        waiting = world.stack.client("notifier").get("/notifications/summary").json()["held"]
        shown = re.search(r'data-held="(\d+)"', board.get("/board", params={"year": 2022}).text)
        return waiting >= 1 and shown is not None and int(shown.group(1)) == waiting

    await eventually(agree, what="the board's held messages are the notifier's")
