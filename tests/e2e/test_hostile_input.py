"""Hostile input, the way integrators and attackers send it, against the services as processes on the
real broker (and, in CI's second run, PostgreSQL): whatever a record holds, its consumer dead-letters
it with the reason and the partition moves on; whatever a request holds, the answer is a 4xx naming
the field, never a 500.

The clock is fixed at 01/06/2022 10:00 (giờ Việt Nam), so the campaign years run 2014–2023."""

import asyncio
import hashlib
import json
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from typing import Any

import httpx
import pytest

from contracts import TOPICS, Topic, dlq, to_json
from eiso_cli.processes import ROOT
from services.common.dlq import TRUNCATED, VALUE_BYTES, VALUE_SHA256
from services.common.outbox_inbox import MAX_RECORD_BYTES
from tests.brokers import broker_of_its_own
from tests.conftest import KAFKA_PORT
from tests.e2e.stack import Stack, running
from tests.event_examples import every_event_type
from tests.factories import NOW, inbound, unique_code
from tests.kafka_tools import caught_up, eventually, produce, read_to_end, read_until

pytestmark = pytest.mark.e2e
#: Kafka's default message.max.bytes (the broker's limit on one record batch).
BROKER_LIMIT = 1_048_588


@pytest.fixture(scope="module")
def hostile_kafka() -> Iterator[str]:
    """A broker of its own: what these tests put on the topics must not reach other tests' readers."""
    port = KAFKA_PORT + 200
    with broker_of_its_own(
        "broker for hostile records", port, ROOT / ".cache" / f"kafka-test-{port}"
    ) as found:
        yield found


@pytest.fixture(scope="module")
def stack(
    hostile_kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    names = ("registry", "compliance", "training", "notifier")
    with running(
        hostile_kafka,
        database_url,
        tmp_path_factory.mktemp("logs"),
        names=names,
        clock_fixed_at=NOW.isoformat(),
        callback_token="the-gateways-token",
    ) as stack:
        yield stack


def agency_and_system(stack: Stack) -> tuple[str, str]:
    """A commune and an outside system allowed to publish for it."""
    registry, code = stack.client("registry"), unique_code("HOS")
    body = {"code": code, "name": "UBND xã Long Hòa", "level": "commune", "valid_from": "2020-01-01"}
    assert registry.post("/agencies", json=body).status_code == 201
    system = f"vn.test.{unique_code('s').lower()}"
    assert registry.post("/systems", json={"id": system, "name": "e-ISO", "scope": [code]}).status_code == 201
    return code, system


def headers_of(record: Any) -> dict[str, str]:
    return {k: v.decode() for k, v in record.headers}


def id_in(record: Any) -> str | None:
    """The id of the event a dead letter holds, if it holds a whole one."""
    try:
        return str(json.loads(record.value)["id"])
    except (ValueError, KeyError, TypeError):
        return None


def padded(code: str, system: str, size: int) -> bytes:
    """A record event of exactly `size` bytes (its notes far over their limit)."""
    event = json.loads(to_json(inbound(code, system)))
    event["data"]["notes"] = ""
    bare = len(json.dumps(event).encode())
    event["data"]["notes"] = "x" * (size - bare)
    value = json.dumps(event).encode()
    assert len(value) == size
    return value


async def letters_for(stack: Stack, key: bytes, count: int) -> list[Any]:
    return await read_until(
        stack.kafka, dlq(Topic.INBOUND_RECORDS), lambda kept: len(kept) >= count, keep=lambda r: r.key == key
    )


async def canonical_of(stack: Stack, code: str, event_id: uuid.UUID) -> dict[str, Any]:
    """The registry's canonical event caused by the inbound `event_id`: proof the partition moved on."""
    found = await read_until(
        stack.kafka,
        Topic.REGISTRY_RECORDS,
        bool,
        keep=lambda r: r.key == code.encode() and json.loads(r.value)["causationid"] == str(event_id),
    )
    return dict(json.loads(found[0].value))


async def test_records_up_to_the_brokers_limit_are_dead_lettered_and_the_partition_moves_on(
    stack: Stack,
) -> None:
    code, system = agency_and_system(stack)
    sizes = [899_000, 950_000, BROKER_LIMIT - 200]
    values = [padded(code, system, size) for size in sizes]
    after = inbound(code, system)
    await produce(stack.kafka, Topic.INBOUND_RECORDS, [*[(code, v) for v in values], (code, after)])

    assert (await canonical_of(stack, code, after.id))["data"]["agency_code"] == code
    letters = await letters_for(stack, code.encode(), len(sizes))
    for value, letter in zip(values, letters, strict=True):
        said = headers_of(letter)
        assert (
            said["eiso-dlq-reason"].startswith("invalid event: data.notes: ")
            and "4000" in said["eiso-dlq-reason"]
        )
        assert len(letter.value) + sum(len(k) + len(v) for k, v in said.items()) <= MAX_RECORD_BYTES
        assert said[TRUNCATED] == "value" and value.startswith(letter.value)
        assert int(said[VALUE_BYTES]) == len(value)
        assert said[VALUE_SHA256] == hashlib.sha256(value).hexdigest()
    assert stack.client("registry").get("/health/ready").status_code == 200


async def test_nul_and_control_characters_are_dead_lettered_with_the_field_named(stack: Stack) -> None:
    code, system = agency_and_system(stack)
    plain = json.loads(to_json(inbound(code, system)))
    hostile = [
        {**plain, "id": str(uuid.uuid4()), "subject": f"{code}\u0000"},
        {**plain, "id": str(uuid.uuid4()), "source": f"{system}\u0000"},
        {**plain, "id": str(uuid.uuid4()), "data": {**plain["data"], "title": "Đánh giá\u0000 nội bộ"}},
        {**plain, "id": str(uuid.uuid4()), "data": {**plain["data"], "submitted_by": "Thư ký\u001b[31m"}},
    ]
    after = inbound(code, system)
    await produce(
        stack.kafka,
        Topic.INBOUND_RECORDS,
        [*[(code, json.dumps(e).encode()) for e in hostile], (code, after)],
        headers=[("trace", b"\x00\xff binary")],
    )
    await canonical_of(stack, code, after.id)
    reasons = [headers_of(r)["eiso-dlq-reason"] for r in await letters_for(stack, code.encode(), 4)]
    assert [r.split(":")[1].strip() for r in reasons] == [
        "subject",
        "source",
        "data.title",
        "data.submitted_by",
    ]
    assert all("contains a control character (U+00" in r for r in reasons), reasons
    assert "position" in reasons[2]


async def test_keys_times_and_reused_ids_that_break_the_contract_are_dead_lettered(stack: Stack) -> None:
    code, system = agency_and_system(stack)
    keyless, miskeyed = inbound(code, system), inbound(code, system)
    future = inbound(code, system).model_copy(update={"time": NOW + timedelta(minutes=30)})
    first = inbound(code, system)
    reused = first.model_copy(update={"data": first.data.model_copy(update={"title": "Nội dung khác"})})
    after = inbound(code, system)
    await produce(
        stack.kafka,
        Topic.INBOUND_RECORDS,
        [(None, keyless), ("someone-else", miskeyed), (code, future), (code, first), (code, reused)],
    )
    await produce(stack.kafka, Topic.INBOUND_RECORDS, [(code, first), (code, after)])  # a true repeat
    await canonical_of(stack, code, after.id)

    ids = {str(e.id) for e in (keyless, miskeyed, future, first)}
    letters = await read_to_end(  # all there: each was written before the canonical event above
        stack.kafka, dlq(Topic.INBOUND_RECORDS), keep=lambda r: id_in(r) in ids
    )
    reasons = {id_in(r): headers_of(r)["eiso-dlq-reason"] for r in letters}
    assert "the record has no key: it must be the event's subject" in reasons[str(keyless.id)]
    assert "the record's key 'someone-else' is not the event's subject" in reasons[str(miskeyed.id)]
    assert "ahead of the registry's clock" in reasons[str(future.id)]
    assert reasons[str(first.id)].startswith("id reused with different content")
    records = stack.client("registry").get(f"/agencies/{code}/records", params={"year": 2022}).json()
    assert [r["title"] for r in records] == ["Đánh giá nội bộ 2022"], "the first content stays"
    assert len(letters) == 4, "the true repeat is no dead letter"


def test_nul_in_a_name_or_a_query_is_a_422_naming_it(stack: Stack) -> None:
    registry = stack.client("registry")
    body = {"code": unique_code("NUL"), "name": "UBND xã\u0000 An Phú", "level": "commune"}
    answer = registry.post("/agencies", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "name"]
    assert "control character (U+0000)" in answer.json()["detail"][0]["msg"]
    searched = registry.get("/agencies", params={"q": "An\x00Phú"})
    assert searched.status_code == 422 and searched.json()["detail"][0]["loc"] == ["query", "q"]
    for service in ("identity", "compliance", "training", "notifier"):
        odd = stack.client(service).delete("/api-keys/%00x")  # a route or not: refused before routing
        assert odd.status_code == 422 and odd.json()["detail"][0]["loc"] == ["path"], service


def test_invisible_characters_are_stripped_and_an_invisible_name_is_refused(stack: Stack) -> None:
    registry, code = stack.client("registry"), unique_code("ZW")
    sneaky = "UBND\u200b xã \u202eHòa\u202c Lợi\ufeff"  # zero-width space, bidi override, BOM
    assert (
        registry.post("/agencies", json={"code": code, "name": sneaky, "level": "commune"}).status_code == 201
    )
    assert registry.get(f"/agencies/{code}").json()["name"] == "UBND xã Hòa Lợi"
    found = registry.get("/agencies", params={"q": "hoa loi"}).json()["items"]
    assert code in [a["code"] for a in found]
    blank = {"code": unique_code("ZW"), "name": "\u200b\u2060\u3164", "level": "commune"}
    answer = registry.post("/agencies", json=blank)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "name"]
    assert "no visible character" in answer.json()["detail"][0]["msg"]


def raw_post(client: httpx.Client, path: str, text: str) -> httpx.Response:
    """A JSON body exactly as written (Python's own JSON writer would refuse NaN)."""
    return client.post(path, content=text.encode(), headers={"content-type": "application/json"})


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_in_any_body_are_a_422_naming_the_field(stack: Stack, number: str) -> None:
    asked = [
        ("registry", f"/agencies/{unique_code('N')}/records/internal_audit", '{"year": %s}', "year"),
        ("compliance", "/inspection-plans", '{"year": %s, "inspectors": ["Bà Lan"]}', "year"),
        (
            "training",
            "/courses",
            '{"code": "ISO-X", "title_vi": "Khóa", "required_days": %s}',
            "required_days",
        ),
        ("identity", "/api-keys", '{"name": "x", "role": "operator", "agency_code": %s}', "agency_code"),
    ]
    for service, path, template, field in asked:
        client = stack.client(service)
        put = client.put if service == "registry" else client.post
        answer = put(path, content=(template % number).encode(), headers={"content-type": "application/json"})
        assert answer.status_code == 422, (service, answer.status_code, answer.text)
        assert ["body", field] in [e["loc"] for e in answer.json()["detail"]], (service, answer.text)
        assert all(set(e) == {"loc", "msg", "type"} for e in answer.json()["detail"])


def test_dates_and_years_outside_the_campaign_years_are_refused(stack: Stack) -> None:
    compliance, registry = stack.client("compliance"), stack.client("registry")
    asked: list[dict[str, str | int]] = [
        {"year": 2022, "as_of": "0"},
        {"year": 150},
        {"year": 4009},
        {"year": 2022, "as_of": "2096-01-01"},
    ]
    for params in asked:
        answer = compliance.get("/reports/progress", params=params)
        assert answer.status_code == 422, params
        assert answer.json()["detail"][0]["loc"][0] == "query", params
    assert "YYYY-MM-DD" in compliance.get("/reports/progress", params={"year": 2022, "as_of": "0"}).text
    for on in (0, "0150-01-01", "4009-06-01"):
        answer = compliance.post("/evaluations", json={"on": on})
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "on"], on
    plan = compliance.post("/inspection-plans", json={"year": 2096, "inspectors": ["Bà Lan"]})
    assert plan.status_code == 422 and "năm 2096 nằm ngoài các năm có kế hoạch ISO (2014–2023)" in plan.text
    assert registry.get("/agencies", params={"as_of": 0}).status_code == 422
    assert compliance.get("/reports/progress", params={"year": 2023}).status_code == 200, "next year's plan"


def hostile_sample(topic: str) -> list[tuple[str | bytes | None, bytes]]:
    """What anyone with a Kafka client could put on an eiso topic: bytes, NULs, odd numbers, deep
    nesting, a value near the broker's limit, no key, a binary key."""
    valid = next(e for e in every_event_type() if type(e) in TOPICS[Topic(topic)].events)
    plain = {**json.loads(to_json(valid)), "source": "vn.someone.else"}

    def variant(**changes: Any) -> dict[str, Any]:
        return {**plain, "id": str(uuid.uuid4()), **changes}

    near_limit = json.dumps(variant(padding="", specversion="0.3")).encode()  # invalid, and large
    odd = [
        b"\x00\xff\xfe not json",
        b"",
        json.dumps(variant(subject="a\u0000b")).encode(),
        json.dumps(variant(source="\u202e\u200b")).encode(),
        json.dumps(variant(data="[" * 3_000 + "]" * 3_000)).encode(),
        json.dumps(variant()).replace('"1.0"', "NaN", 1).encode(),
        near_limit.replace(
            b'"padding": ""', b'"padding": "' + b"x" * (BROKER_LIMIT - 500 - len(near_limit)) + b'"'
        ),
    ]
    keys = [valid.kafka_key(), None, b"\x00\xff"] * 3
    return list(zip(keys, odd, strict=False))


async def test_every_consumer_group_reads_past_hostile_records_on_every_topic(stack: Stack) -> None:
    for topic in TOPICS:
        await produce(stack.kafka, topic, hostile_sample(topic), headers=[("trace", b"\x00\xff")])
    consumed = {name: stack.client(name).get("/health/ready").json()["consumes"] for name in stack.processes}
    for name, topics in consumed.items():
        group = stack.group_of(name)
        await eventually(
            partial(caught_up, stack.kafka, group, topics),
            timeout=90,
            what=f"{name} reading past every hostile record of {', '.join(topics)}",
        )
        assert stack.client(name).get("/health/ready").status_code == 200, name


def kcat() -> str:
    found = shutil.which("kcat")
    if found is None:
        pytest.fail("kcat (librdkafka's command-line client) is needed: apt-get install kcat", pytrace=False)
    return found


async def test_a_header_key_that_is_not_utf8_sent_with_kcat_is_dead_lettered_and_the_partition_moves_on(
    stack: Stack,
) -> None:
    """librdkafka sends header keys as bytes; aiokafka's own reader refuses to read such a record and
    would stop the consumer's fetch on it for good."""
    code, system = agency_and_system(stack)
    bad, after = inbound(code, system), inbound(code, system)
    command: list[str | bytes] = [kcat(), "-P", "-b", stack.kafka, "-t", Topic.INBOUND_RECORDS, "-K", "\t"]
    line = f"{code}\t{json.dumps(json.loads(to_json(bad)))}\n".encode()
    produced = await asyncio.to_thread(
        partial(subprocess.run, capture_output=True, check=False, timeout=60),
        [*command, "-H", b"\xff\xfe=v"],
        input=line,
    )
    assert produced.returncode == 0, produced.stderr
    await produce(stack.kafka, Topic.INBOUND_RECORDS, [(code, after)])
    await canonical_of(stack, code, after.id)
    applied = await canonical_of(stack, code, bad.id)  # read whole, it is a valid event: applied
    assert applied["data"]["agency_code"] == code
