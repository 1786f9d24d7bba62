"""Record events over HTTP (`POST /events` on the registry), sent with the CloudEvents SDK's HTTP
binding as a provincial system would: structured, binary and batched; the source is the key's system,
and an event claiming another system is refused with the reason while the rest of the batch goes on."""

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from cloudevents.core.bindings.http import to_binary, to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent as SdkEvent

from tests.e2e.stack import Stack, running, until
from tests.factories import unique_code

pytestmark = pytest.mark.e2e
#: The event type of each element these tests send (contracts/schemas).
TYPES = {"internal_audit": "internal-audit-completed", "quality_policy": "policy-updated"}


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with running(kafka, database_url, tmp_path_factory.mktemp("logs"), names=("registry",)) as stack:
        yield stack


def record(
    code: str, system: str, element: str = "internal_audit", title: str = "Báo cáo đánh giá nội bộ"
) -> SdkEvent:
    """A record event as a publisher builds it from the published schema, with the SDK alone."""
    return SdkEvent(
        attributes={
            "id": str(uuid.uuid4()),
            "source": system,
            "type": f"{element.replace('_', '-')}-completed"
            if element == "internal_audit"
            else "policy-updated",
            "subject": code,
            "datacontenttype": "application/json",
            "specversion": "1.0",
        },
        data={
            "record_id": str(uuid.uuid4()),
            "agency_code": code,
            "element": element,
            "year": 2022,
            "occurred_on": "2022-05-10",
            "document_ref": "BC-2022",
            "title": title,
            "submitted_by": "Phần mềm ISO điện tử tỉnh",
        },
    )


def systems(stack: Stack, code: str) -> tuple[str, str]:
    registry = stack.client("registry")
    ours, theirs = (f"vn.travinh.{name}-{uuid.uuid4().hex[:6]}" for name in ("eiso", "motcua"))
    for system in (ours, theirs):
        body = {"id": system, "name": "Hệ thống của tỉnh", "scope": [code]}
        assert registry.post("/systems", json=body).status_code == 201
    return ours, theirs


def post(stack: Stack, key: str, headers: dict[str, str], body: bytes) -> httpx.Response:
    return httpx.post(
        f"{stack.url('registry')}/events",
        content=body,
        headers={**headers, "Authorization": f"Bearer {key}"},
        timeout=30,
    )


def test_a_system_publishes_over_http_as_itself_and_no_other(stack: Stack) -> None:
    code = unique_code("HT")
    body = {"code": code, "name": "UBND xã Hòa Thuận", "level": "commune", "valid_from": "2020-01-01"}
    assert stack.client("registry").post("/agencies", json=body).status_code == 201
    ours, theirs = systems(stack, code)
    key = stack.issue_key("system", name="Phần mềm ISO điện tử", system_id=ours)

    structured = to_structured(record(code, ours), JSONFormat())
    answer = post(stack, key["key"], dict(structured.headers), structured.body)
    assert answer.status_code == 202, answer.text
    assert answer.json()["results"][0]["status"] == "accepted"

    binary = to_binary(record(code, ours, "quality_policy", "Chính sách chất lượng"), JSONFormat())
    answer = post(stack, key["key"], dict(binary.headers), binary.body)
    assert answer.status_code == 202, answer.text

    posing = record(code, theirs, title="Giả danh hệ thống khác")
    refused = post(
        stack,
        key["key"],
        dict(to_structured(posing, JSONFormat()).headers),
        to_structured(posing, JSONFormat()).body,
    )
    assert refused.status_code == 422
    assert (
        f"source {theirs} is not the system this key publishes as ({ours})"
        in refused.json()["results"][0]["reason"]
    )

    events = [
        json.loads(to_structured(e, JSONFormat()).body) for e in (record(code, ours, title="Lần 2"), posing)
    ]
    events.append({**events[0], "id": str(uuid.uuid4()), "data": {**events[0]["data"], "year": "hai nghìn"}})
    batch = post(
        stack, key["key"], {"content-type": "application/cloudevents-batch+json"}, json.dumps(events).encode()
    )
    assert batch.status_code == 200, batch.text
    results = batch.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "refused", "refused"], results
    assert "data.year" in results[2]["reason"]
    assert (batch.json()["accepted"], batch.json()["refused"]) == (1, 2)

    stored = stack.client("registry").get(f"/agencies/{code}/records", params={"year": 2022}).json()
    titles = {r["title"] for r in stored}
    assert {"Chính sách chất lượng", "Lần 2"} <= titles, "the current version of each element"
    assert "Giả danh hệ thống khác" not in titles, "nothing stored under another system's name"

    def audited() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (
            stack.client("identity").get("/audit", params={"actor": key["id"]}).json()
        )
        return found if len(found) >= 3 else []

    entries = until(audited, "the three accepted events on the audit trail")
    assert {(e["actor_kind"], e["role"], e["action"]) for e in entries} == {
        ("key", "system", "inbound.inbound_record")
    }
    assert {e["target"] for e in entries} == {
        f"agency:{code}/records/internal_audit",
        f"agency:{code}/records/quality_policy",
    }


def test_reading_keys_cannot_publish_and_what_is_not_cloudevents_is_refused(stack: Stack) -> None:
    reader = stack.issue_key("system", name="chỉ đọc")
    answer = post(stack, reader["key"], {"content-type": "application/cloudevents+json"}, b"{}")
    assert answer.status_code == 403 and "system_id" in answer.text
    ours, _ = systems(stack, unique_code("X"))
    key = stack.issue_key("system", system_id=ours)
    assert post(stack, key["key"], {"content-type": "text/plain"}, b"hello").status_code == 415
    assert (
        post(stack, key["key"], {"content-type": "application/cloudevents+json"}, b"{not json").status_code
        == 400
    )
    too_many: list[Any] = [{}] * 501
    huge = post(
        stack,
        key["key"],
        {"content-type": "application/cloudevents-batch+json"},
        json.dumps(too_many).encode(),
    )
    assert huge.status_code == 400 and "1 to 500" in huge.text
    operator = stack.client("registry").post(
        "/events", content=b"{}", headers={"content-type": "application/cloudevents+json"}
    )
    assert operator.status_code == 403, "an operator key is not a system"
