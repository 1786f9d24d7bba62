"""What the training tests (and the portal's trainer test) set up: agencies training knows, a session
in May 2022, and how to read what the training topic carried."""

import json
from typing import Any

import httpx

from tests.e2e.stack import PROPAGATION_SECONDS, Stack, until
from tests.factories import unique_code
from tests.kafka_tools import eventually

#: The training stacks' clock: the second day of the May 2022 sessions.
NOW = "2022-05-11T03:00:00Z"


async def agencies(stack: Stack, count: int, level: str = "department") -> list[str]:
    """Agencies registered in the registry and known to training."""
    codes = [unique_code("TR") for _ in range(count)]
    for code in codes:
        body = {"code": code, "name": f"Sở {code}", "level": level, "valid_from": "2020-01-01"}
        assert stack.client("registry").post("/agencies", json=body).status_code == 201
    training = stack.client("training")
    await eventually(
        lambda: all(training.get(f"/agencies/{c}/calendar.ics").status_code == 200 for c in codes),
        what="training knows the agencies",
    )
    return codes


def new_session(stack: Stack, **overrides: Any) -> dict[str, Any]:
    body = {
        "course_code": "ISO-NT",
        "days": [
            {"on": "2022-05-10", "starts": "08:00", "ends": "11:30"},
            {"on": "2022-05-11", "starts": "08:00", "ends": "11:30"},
        ],
        "venue": f"Hội trường {unique_code('P')}",
        "trainer": f"Giảng viên {unique_code('G')}",
        "capacity": 5,
        "enrol_opens_on": "2022-05-01",
        "enrol_closes_on": "2022-05-11",
    } | overrides
    response = stack.client("training").post("/sessions", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def anonymous(stack: Stack, path: str) -> httpx.Response:
    """A request without any key, as a member of the public makes it."""
    return httpx.get(f"{stack.url('training')}{path}", timeout=30)


def types_for(records: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(e["type"], e["data"]) for e in (json.loads(r.value) for r in records)]


def calendar_app_subscribes_with_a_feed_token_until_it_is_revoked(
    stack: Stack, code: str, calendar: bytes
) -> None:
    """The agency's officer makes a feed token; a calendar app fetches the URL alone (no header, no
    cookie) and gets the same calendar; the token opens nothing else, and a revocation closes it on
    the training service within seconds."""
    officer = stack.issue_key("agency", code)
    feed = stack.client("identity", officer["key"]).post("/feed-tokens", json={"agency_code": code})
    assert feed.status_code == 201, feed.text
    url = f"{stack.url('training')}{feed.json()['calendar_path']}"
    token = feed.json()["calendar_path"].split("token=")[1]
    fetched = until(
        lambda: (answer := httpx.get(url, timeout=30)).status_code == 200 and answer, "the feed opens"
    )
    assert fetched.content == calendar, "the same calendar as the officer sees"
    other = f"{stack.url('training')}/agencies/{unique_code('X')}/calendar.ics?token={token}"
    assert httpx.get(other, timeout=30).status_code == 404, "another agency's calendar is not there"
    as_bearer = {"Authorization": f"Bearer {token}"}
    assert (
        httpx.get(f"{stack.url('registry')}/agencies/{code}", headers=as_bearer, timeout=30).status_code
        == 401
    )
    key_in_url = f"{stack.url('training')}/agencies/{code}/calendar.ics?token={officer['key']}"
    assert httpx.get(key_in_url, timeout=30).status_code == 401, "no other key belongs in a URL"
    elsewhere = unique_code("Y")
    body = {"code": elsewhere, "name": f"Sở {elsewhere}", "level": "department", "valid_from": "2020-01-01"}
    assert stack.client("registry").post("/agencies", json=body).status_code == 201
    someone = stack.client("identity", stack.issue_key("agency", elsewhere)["key"])
    assert someone.post("/feed-tokens", json={"agency_code": code}).status_code == 404, "not their agency"
    assert (
        stack.client("identity", officer["key"]).delete(f"/feed-tokens/{feed.json()['id']}").status_code
        == 204
    )
    until(
        lambda: httpx.get(url, timeout=30).status_code == 401, "the revoked feed closes", PROPAGATION_SECONDS
    )
