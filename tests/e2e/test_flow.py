"""Registry and compliance as separate OS processes on the real broker: the skeleton flow a user sees."""

import json
import re
from typing import Any

import httpx
import pytest

from contracts import Topic
from tests.e2e.stack import Stack
from tests.factories import ONE_RULE, agency_registered, objective_updated, unique_code
from tests.kafka_tools import eventually, produce, read_until

pytestmark = pytest.mark.e2e

OBJECTIVES = {
    "year": 2022,
    "occurred_on": "2022-01-20",
    "document_ref": "Số 15/QĐ-SKHCN",
    "title": "Mục tiêu chất lượng năm 2022",
    "submitted_by": "Trần Thị B",
}


def compliance(stack: Stack, code: str, year: int = 2022) -> dict[str, Any] | None:
    response = stack.client("compliance").get(f"/agencies/{code}/compliance", params={"year": year})
    return response.json() if response.status_code == 200 else None


async def test_register_update_and_see_the_score_change(stack: Stack) -> None:
    code = unique_code("SKHCN")
    registry = stack.client("registry")
    created = registry.post(
        "/agencies",
        json={
            "code": code,
            "name": "Sở Khoa học và Công nghệ",
            "level": "department",
            "valid_from": "2020-01-01",
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["obligation"] == "mandatory"

    before = await eventually(lambda: compliance(stack, code), what="compliance knows the agency")
    assert before["score"] == 0 and before["status"] == "not_updated"  # type: ignore[index]

    stored = registry.put(f"/agencies/{code}/records/quality_objectives", json=OBJECTIVES)
    assert stored.status_code == 201, stored.text
    assert stored.json()["version"] == 1

    after = await eventually(
        lambda: (s := compliance(stack, code)) and s["events_applied"] == 1 and s, what="score changed"
    )
    assert after["score"] == ONE_RULE  # type: ignore[index]
    assert after["status"] == "lagging"  # type: ignore[index]
    [objective_rule] = [r for r in after["breakdown"] if r["met"]]  # type: ignore[index]
    assert (objective_rule["rule_id"], objective_rule["title_vi"]) == (
        "R02",
        "Mục tiêu chất lượng năm và kế hoạch thực hiện",
    )

    [record_event] = await read_until(
        stack.kafka,
        Topic.REGISTRY_RECORDS,
        lambda kept: len(kept) == 1,
        keep=lambda r: r.key == code.encode(),
    )
    record = json.loads(record_event.value)
    assert objective_rule["evidence"] == [record["id"]], "the score cites the event behind it"
    [status_event] = await read_until(
        stack.kafka,
        Topic.COMPLIANCE_STATUS,
        lambda kept: len(kept) == 1,
        keep=lambda r: r.key == code.encode(),
    )
    changed = json.loads(status_event.value)
    assert changed["type"] == "compliance-score-changed"
    assert changed["source"] == "/eiso/compliance"
    assert (changed["causationid"], changed["correlationid"]) == (record["id"], record["correlationid"])
    assert changed["data"]["score"] == after["score"]  # type: ignore[index]

    listed = registry.get(f"/agencies/{code}/records", params={"year": 2022}).json()
    assert [(r["element"], r["title"]) for r in listed] == [
        ("quality_objectives", "Mục tiêu chất lượng năm 2022")
    ]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/agencies", {"code": "X1", "name": "Sở X", "level": "province"}, "level"),
        ("post", "/agencies", {"code": "bad code!", "name": "Sở X", "level": "department"}, "code"),
        ("post", "/agencies", {"code": "X1", "name": "", "level": "department"}, "name"),
        (
            "post",
            "/agencies",
            {"code": "X1", "name": "Sở X", "level": "department", "colour": "red"},
            "colour",
        ),
        (
            "post",
            "/agencies",
            {"code": "X1", "name": "Sở X", "level": "commune", "parent_code": "NONE1"},
            "parent_code",
        ),
        ("put", "/agencies/{known}/records/quality_objectives", {**OBJECTIVES, "year": "năm nay"}, "year"),
        (
            "put",
            "/agencies/{known}/records/quality_objectives",
            {**OBJECTIVES, "occurred_on": "2025-01-01"},
            "occurred_on",
        ),
        ("put", "/agencies/{known}/records/policy", OBJECTIVES, "element"),
        (
            "put",
            "/agencies/{known}/records/internal_audit",
            {**OBJECTIVES, "occurred_on": "2019-05-01"},
            "occurred_on",
        ),
    ],
)
def test_bad_input_gets_422_naming_the_field(
    stack: Stack, known_agency: str, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    response = stack.client("registry").request(method, path.format(known=known_agency), json=body)
    assert response.status_code == 422, response.text
    assert field in {str(part) for error in response.json()["detail"] for part in error["loc"]}


def test_unknown_agencies_get_404_and_a_second_registration_409(stack: Stack, known_agency: str) -> None:
    registry, missing = stack.client("registry"), unique_code("NONE")
    assert registry.get(f"/agencies/{missing}").status_code == 404
    put = registry.put(f"/agencies/{missing}/records/quality_objectives", json=OBJECTIVES)
    assert put.status_code == 404 and missing in put.json()["detail"]
    assert registry.get(f"/agencies/{missing}/records").status_code == 404
    assert stack.client("compliance").get(f"/agencies/{missing}/compliance").status_code == 404
    assert httpx.get(f"{stack.url('compliance')}/agencies/{missing}/compliance").status_code == 401
    again = registry.post("/agencies", json={"code": known_agency, "name": "Sở Y", "level": "department"})
    assert again.status_code == 409


async def test_the_same_event_delivered_twice_changes_the_score_once(stack: Stack) -> None:
    code = unique_code()
    update = objective_updated(code)
    await produce(stack.kafka, Topic.REGISTRY_AGENCIES, [(code, agency_registered(code))])
    await produce(
        stack.kafka,
        Topic.REGISTRY_RECORDS,
        [(code, update), (code, update), (code, objective_updated(code, year=2023))],  # marker last
    )
    await eventually(
        lambda: (s := compliance(stack, code, 2023)) and s["events_applied"] == 1, what="marker event applied"
    )
    score = compliance(stack, code, 2022)
    assert score is not None
    assert score["events_applied"] == 1
    assert [r["evidence"] for r in score["breakdown"] if r["met"]] == [[str(update.id)]]


async def test_a_poison_message_lands_on_the_dlq_and_the_next_event_is_processed(stack: Stack) -> None:
    code = unique_code()
    poison = b'{"specversion": "1.0", "type": "objective-updated", "subject": "' + code.encode() + b'"}'
    await produce(stack.kafka, Topic.REGISTRY_RECORDS, [(code, poison), (code, objective_updated(code))])
    score = await eventually(
        lambda: (s := compliance(stack, code)) and s["events_applied"] == 1 and s,
        what="the valid event applied",
    )
    assert score
    [letter] = await read_until(
        stack.kafka,
        "eiso.registry.records.dlq",
        lambda kept: len(kept) == 1,
        keep=lambda r: r.key == code.encode(),
    )
    headers = {k: v.decode() for k, v in letter.headers}
    assert letter.value == poison
    assert headers["eiso-dlq-topic"] == "eiso.registry.records"
    assert headers["eiso-dlq-consumer"] == "compliance"
    assert "data: Field required" in headers["eiso-dlq-reason"]


@pytest.fixture(scope="module")
def known_agency(stack: Stack) -> str:
    code = unique_code("KNOWN")
    response = stack.client("registry").post(
        "/agencies", json={"code": code, "name": "Sở Z", "level": "department", "valid_from": "2020-01-01"}
    )
    assert response.status_code == 201
    return code


def test_probes_and_metrics_show_what_an_operator_needs(stack: Stack) -> None:
    for name in ("registry", "compliance"):
        assert httpx.get(f"{stack.url(name)}/health/live").json() == {"status": "ok"}
        ready = httpx.get(f"{stack.url(name)}/health/ready")
        assert ready.status_code == 200
        assert {"database", "broker", "outbox_relay"} <= set(ready.json()["checks"])
    assert (
        httpx.get(f"{stack.url('compliance')}/health/ready").json()["checks"]["consumer:compliance"] == "ok"
    )
    stack.client("registry").get("/agencies/NOPE")
    registry = httpx.get(f"{stack.url('registry')}/metrics").text
    assert 'eiso_http_requests_total{route="/agencies/{code}",status="4xx"}' in registry
    assert "NOPE" not in registry, "no ids as labels"
    compliance_metrics = httpx.get(f"{stack.url('compliance')}/metrics").text
    assert 'eiso_events_consumed_total{consumer="compliance",outcome="dead_lettered"}' in compliance_metrics
    assert "eiso_ready_ratio 1.0" in compliance_metrics


async def test_the_gauges_dashboards_read_are_exposed_without_agency_ids(stack: Stack) -> None:
    def exposed() -> str | None:
        text = httpx.get(f"{stack.url('compliance')}/metrics").text
        lag = re.search(r'^eiso_consumer_lag_messages\{consumer="compliance"\} (\S+)$', text, re.M)
        return text if lag and "eiso_compliance_days_to_deadline" in text else None

    text = str(await eventually(exposed, what="the lag and programme gauges"))
    levels = set(re.findall(r'^eiso_compliance_agencies\{level="(\w+)",status="updated"\}', text, re.M))
    assert levels == {"department", "district", "commune", "unit"}
    assert not re.search(r"eiso_compliance_agencies\{[^}]*code", text), "no agency ids as labels"
