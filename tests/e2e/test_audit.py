"""The audit trail, end to end, every service its own process: an operator signs in as a person and
merges two agencies, revokes a key, swaps an inspection and cancels a training session; each change
is on the one trail (`GET /audit` on the identity service) with who made it, in which role, from
which address and under which request id — and nothing can edit the trail."""

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.stack import Stack, running, until
from tests.e2e.test_people import PASSWORD, invite
from tests.factories import unique_code

pytestmark = pytest.mark.e2e
REQUEST = "req-audit-0001"


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    names = ("registry", "compliance", "training", "notifier")
    with running(kafka, database_url, tmp_path_factory.mktemp("logs"), names=names) as stack:
        yield stack


def test_each_change_is_traceable_to_the_person_who_made_it(stack: Stack) -> None:
    account_id, email = invite(stack, None, role="operator")
    token = (
        stack.client("identity").post("/tokens", json={"email": email, "password": PASSWORD}).json()["token"]
    )
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": REQUEST}
    until(
        lambda: all(stack.client(n, token).get("/me").status_code == 200 for n in stack.processes),
        "token taken",
    )

    def as_person(name: str) -> httpx.Client:
        return httpx.Client(base_url=stack.url(name), headers=headers, timeout=30)

    # registry: two agencies merged, and a spare one
    first, second, spare = (unique_code(p) for p in ("MA", "MB", "SP"))
    for code in (first, second, spare):
        body = {"code": code, "name": f"Sở {code}", "level": "department", "valid_from": "2020-01-01"}
        assert as_person("registry").post("/agencies", json=body).status_code == 201
    merged = as_person("registry").post(
        "/agencies:merge", json={"sources": [second], "into": first, "effective_on": "2022-07-01"}
    )
    assert merged.status_code == 200, merged.text

    # identity: a key issued and revoked
    key = as_person("identity").post("/api-keys", json={"name": "một cửa", "role": "system"}).json()
    assert as_person("identity").delete(f"/api-keys/{key['id']}").status_code == 204

    # compliance: a plan, and one of its inspections swapped for the spare agency
    compliance = as_person("compliance")
    until(lambda: compliance.get(f"/agencies/{spare}/compliance").status_code == 200, "compliance knows them")
    # 2021: the inspection plan travels on a topic every test stack shares, and others plan 2022.
    plan_body = {"year": 2021, "inspectors": ["Bà Lan", "Ông Minh"], "as_of": "2021-05-20", "target": 2}
    plan = compliance.post("/inspection-plans", json=plan_body)
    assert plan.status_code == 201, plan.text
    removed = next(i["agency_code"] for i in plan.json()["inspections"] if i["agency_code"] != spare)
    swap = {"remove": removed, "add": spare, "reason": "Sở đã được kiểm tra đột xuất"}
    assert compliance.post("/inspection-plans/2021/swaps", json=swap).status_code == 200
    an_inspector_sees_and_records_their_own_inspections_only(
        stack, compliance.get("/inspection-plans/2021").json()
    )

    # training: a session planned, then cancelled
    training = as_person("training")
    training.post("/courses", json={"code": "ISO-AU", "title_vi": "Đánh giá nội bộ"})
    session = training.post(
        "/sessions",
        json={
            "course_code": "ISO-AU",
            "days": [{"on": "2027-05-11", "starts": "08:00", "ends": "11:30"}],
            "venue": "Hội trường Sở",
            "trainer": "Giảng viên A",
            "capacity": 5,
            "enrol_opens_on": "2027-05-01",
            "enrol_closes_on": "2027-05-10",
        },
    )
    assert session.status_code == 201, session.text
    session_id = session.json()["session_id"]
    cancelled = training.post(f"/sessions/{session_id}/cancellation", json={"reason": "Hoãn sang đợt sau"})
    assert cancelled.status_code == 200, cancelled.text

    operator = stack.client("identity")
    wanted = {
        ("registry", "reorganisation.merge_agencies"),
        ("identity", "keys.revoke_key"),
        ("compliance", "inspections.swap"),
        ("training", "sessions.cancel_session"),
    }

    def trail() -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = operator.get("/audit", params={"actor": account_id}).json()
        return entries if wanted <= {(e["service"], e["action"]) for e in entries} else []

    entries = until(trail, "every change on the one trail")
    for entry in entries:
        assert (entry["actor_name"], entry["role"], entry["actor_kind"]) == (
            "Nguyễn Thị Mai",
            "operator",
            "account",
        )
        assert entry["request_id"] == REQUEST and entry["address"] == "127.0.0.1"
    targets = {(e["action"], e["target"]) for e in entries}
    assert ("keys.revoke_key", f"api-key:{key['id']}") in targets
    assert ("sessions.cancel_session", f"session:{session_id}") in targets
    assert ("inspections.swap", "inspection-plan:2021") in targets

    by_target = operator.get("/audit", params={"target": f"agency:{first}"}).json()
    assert {e["action"] for e in by_target} >= {"agencies.register_agency", "reorganisation.merge_agencies"}
    assert operator.get("/audit", params={"actor": account_id, "to": "2022-01-01"}).json() == []

    # Nobody edits the trail, and only operators read it.
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        assert operator.request(method, "/audit").status_code == 405, method
    agency_code = unique_code("AG")
    body = {"code": agency_code, "name": "UBND xã", "level": "commune", "valid_from": "2020-01-01"}
    assert stack.client("registry").post("/agencies", json=body).status_code == 201
    agency = stack.issue_key("agency", agency_code)
    assert stack.client("identity", agency["key"]).get("/audit").status_code == 403


def an_inspector_sees_and_records_their_own_inspections_only(stack: Stack, plan: dict[str, Any]) -> None:
    scheduled = [i for i in plan["inspections"] if i["status"] == "scheduled"]
    hers = [i for i in scheduled if i["inspector"] == "Bà Lan"]
    others = [i for i in scheduled if i["inspector"] != "Bà Lan"]
    assert hers and others, "the plan shares its inspections between the two inspectors"
    _, email = invite(stack, None, role="inspector", name="Bà Lan")
    token = (
        stack.client("identity").post("/tokens", json={"email": email, "password": PASSWORD}).json()["token"]
    )
    inspector = stack.client("compliance", token)
    until(lambda: inspector.get("/me").status_code == 200, "compliance takes the inspector's sign-in")
    seen = inspector.get("/inspection-plans/2021").json()["inspections"]
    assert {i["inspector"] for i in seen} == {"Bà Lan"}, "their own inspections only"
    own = inspector.get(f"/agencies/{others[0]['agency_code']}/inspections", params={"year": 2021}).json()
    assert all(i["inspector"] == "Bà Lan" for i in own)
    result = {"held_on": "2021-06-15", "findings": [], "corrective_actions": []}
    assert (
        inspector.post(f"/inspections/{others[0]['inspection_id']}/results", json=result).status_code == 404
    )
    recorded = inspector.post(f"/inspections/{hers[0]['inspection_id']}/results", json=result)
    assert recorded.status_code == 200, recorded.text
    assert (
        inspector.post(
            "/inspection-plans/2021/swaps", json={"remove": "x", "add": "y", "reason": "z"}
        ).status_code
        == 403
    )


def test_a_refused_change_leaves_no_entry(stack: Stack) -> None:
    code = unique_code("NO")
    merge = {"sources": [code], "into": code, "effective_on": "2022-07-01"}
    refused = stack.client("registry").post("/agencies:merge", json=merge)
    assert refused.status_code == 404, refused.text
    body = {"code": code, "name": "Sở Mới", "level": "department", "valid_from": "2020-01-01"}
    assert stack.client("registry").post("/agencies", json=body).status_code == 201
    identity = stack.client("identity")
    entries = until(
        lambda: identity.get("/audit", params={"target": f"agency:{code}"}).json(), "the registration's entry"
    )
    assert [e["action"] for e in entries] == ["agencies.register_agency"], "the refused merge left nothing"
