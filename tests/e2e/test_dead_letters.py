"""Dead letters an operator can act on: an inbound record for an agency the registry does not know yet
is refused and kept with its system and reason; re-driven in the portal before the agency exists, it
is refused again with today's reason; once the agency is registered, the re-drive takes it."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from contracts import Topic
from tests.e2e.browser import chromium
from tests.e2e.stack import PROPAGATION_SECONDS, Stack, running, until
from tests.e2e.test_people import PASSWORD, invite
from tests.e2e.test_portal import checked
from tests.factories import inbound, unique_code
from tests.kafka_tools import produce

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    names = ("registry", "portal")
    with running(kafka, database_url, tmp_path_factory.mktemp("logs"), names=names) as stack:
        yield stack


async def test_an_operator_redrives_a_dead_letter_once_its_agency_is_registered(stack: Stack) -> None:
    registry = stack.client("registry")
    code, system = unique_code("DLQ"), f"vn.test.{unique_code('s').lower()}"
    assert (
        registry.post("/systems", json={"id": system, "name": "Phần mềm ISO", "scope": [code]}).status_code
        == 201
    )
    event = inbound(code, system)
    await produce(stack.kafka, Topic.INBOUND_RECORDS, [(code, event)])

    def kept() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = registry.get("/dead-letters", params={"system": system}).json()
        return found

    (letter,) = until(kept, "the refused record kept with its system")
    assert letter["event_id"] == str(event.id) and f"unknown agency {code}" in letter["reason"]
    assert letter["status"] == "open"

    _, email = invite(stack, None, role="operator", name="Trần Thị Vận Hành")
    portal = stack.url("portal")
    with chromium() as browser:
        browser.open(f"{portal}/dead-letters?system={system}")
        browser.sign_in(email, PASSWORD)
        browser.shows("letter-1", "the dead letter")
        assert f"unknown agency {code}" in browser.text("#letter-1 .reason")
        assert browser.text("#letter-1 .meaning") == f"Mã định danh {code} chưa có trong danh mục cơ quan."
        checked(browser, "portal-operator-dead-letters")
        browser.click("#letter-1 button")
        browser.shows("refused", "the re-drive refused: the agency is still unknown")
        assert f"unknown agency {code}" in browser.text("#refused")

        body = {"code": code, "name": "UBND xã Mỹ Long", "level": "commune", "valid_from": "2020-01-01"}
        assert registry.post("/agencies", json=body).status_code == 201
        browser.open(f"{portal}/dead-letters?system={system}")
        browser.shows("letter-1", "the dead letter")
        browser.click("#letter-1 button")
        browser.shows("notice", "the re-drive taken")
        assert "đã gửi lại thành công" in browser.text("#letter-1")
        checked(browser, "portal-operator-dead-letter-redriven")

    records = registry.get(f"/agencies/{code}/records", params={"year": 2022}).json()
    assert [(r["element"], r["channel"]) for r in records] == [("internal_audit", system)]
    again = registry.post(f"/dead-letters/{letter['id']}/redrive")
    assert again.status_code == 409, "re-driven once only"

    def audited() -> bool:
        entries = (
            stack.client("identity").get("/audit", params={"target": f"dead-letter:{letter['id']}"}).json()
        )
        return len(entries) >= 2 and all(e["actor_name"] == "Trần Thị Vận Hành" for e in entries)

    until(audited, "both re-drives on the audit trail, by the operator", PROPAGATION_SECONDS)
