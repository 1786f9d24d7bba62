"""The department reads its messages in the portal, in Debian's Chromium, against the services as
processes with a local carrier and SMTP server: what was sent and why, what waits and why (the
throttle: three SMS a day to one person), what failed and why (a number the carriers refuse); and the
officer of the agency whose message waits reads the same on the agency's page. The clock starts at
Friday 30/09/2022 09:00 giờ Việt Nam and runs."""

from collections.abc import Callable, Iterator

import pytest
from aiosmtpd.controller import Controller

from contracts.deliveries import HOLD_CAUSE_VI, HoldCause
from tests.carrier import Carrier, gateway_settings, serve
from tests.e2e.browser import chromium
from tests.e2e.stack import free_ports, running
from tests.e2e.test_notifier import Mailbox, World, agency_with_contacts, arrived, evaluate
from tests.e2e.test_people import PASSWORD, invite
from tests.e2e.test_portal import checked
from tests.kafka_tools import eventually

pytestmark = pytest.mark.e2e
PATIENT, REFUSED = "+84912000051", "+84912000052"


@pytest.fixture(scope="module")
def world(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    carrier, mailbox = Carrier(), Mailbox()
    server, url = serve(carrier)
    (smtp_port,) = free_ports(1)
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    settings = {
        **gateway_settings(carrier, url),
        "clock_starts_at": "2022-09-30T02:00:00Z",
        "smtp_port": str(smtp_port),
        "digest_seconds": "0",
    }
    names = ("registry", "compliance", "notifier", "portal")
    try:
        with running(kafka, database_url, tmp_path_factory.mktemp("logs"), names=names, **settings) as stack:
            yield World(stack, carrier, mailbox)
    finally:
        smtp.stop()
        server.shutdown()


def held(world: World, code: str) -> bool:
    listed = world.stack.client("notifier").get("/notifications", params={"agency": code}).json()
    return any(n["held_for"] == HoldCause.THROTTLE for n in listed)


async def test_an_operator_sees_sent_held_and_failed_messages_with_why_and_the_officer_sees_the_wait(
    world: World,
) -> None:
    patient = await agency_with_contacts(world, PATIENT)
    refused = await agency_with_contacts(world, REFUSED)
    world.carrier.faults[f"esms:{REFUSED.removeprefix('+')}"] = ["always500"]  # then the fallback refuses
    world.carrier.faults[f"speedsms:{REFUSED.removeprefix('+')}"] = ["alwayserror200"]
    for sent, day in enumerate(("2022-09-30", "2022-10-16", "2022-10-24"), start=1):
        evaluate(world, day)  # one at a time: due together, they would go as one digest
        await eventually(arrived(world, PATIENT, sent), what=f"SMS {sent} arrived")
    evaluate(world, "2022-10-31")  # overdue now: a fourth SMS in a day waits for the next
    await eventually(lambda: held(world, patient), what="the fourth SMS held by the throttle")
    _, operator = invite(world.stack, None, role="operator", name="Nguyễn Văn Điều Hành")
    _, officer = invite(world.stack, patient, name="Nguyễn Thị Mai")
    portal = world.stack.url("portal")

    with chromium() as browser:
        browser.open(f"{portal}/notifications?agency={patient}")
        browser.sign_in(operator, PASSWORD)
        browser.shows("notifications", "the operator's notifications page")
        table = browser.text("#notifications")
        assert table.count("đã gửi") >= 3 and "nhắc hạn cập nhật hồ sơ" in table, table
        waiting = f"đang chờ gửi: {HOLD_CAUSE_VI[HoldCause.THROTTLE]}, sẽ gửi lúc"
        assert waiting in table and "đã quá hạn mà chưa cập nhật đủ" in table, table
        assert PATIENT not in table and "***051" in table, "numbers are masked"
        checked(browser, "portal-operator-notifications")

        browser.fill({"agency": refused})
        browser.run("document.getElementById('status').value = 'failed'")
        browser.click("#notification-filters button[type=submit]")
        browser.wait_for(
            "return location.search.includes('status=failed')", "the failed messages of the agency"
        )
        table = browser.text("#notifications")
        assert "gửi không thành công: error 007: invalid phone" in table, table
        assert "đã gửi" not in table, "only the failed ones"
        assert int(browser.text("#summary-failed")) >= 1

    with chromium() as browser:
        browser.open(f"{portal}/my-agency", width=390, height=1400)
        browser.sign_in(officer, PASSWORD)
        browser.shows("messages", "the officer's agency page")
        assert waiting in browser.text("#messages"), "the officer reads why the message waits"
