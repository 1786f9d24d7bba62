"""Faults survived: each scenario loads the platform through the inbound topic as the e-ISO software
would, damages it, and lets the ledger (ledger.py) show that nothing acknowledged was lost, nothing
applied twice, each agency's order kept and every consumer back at the end of its topics in time."""

import asyncio
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from contracts import Topic
from eiso_cli.processes import run_script
from tests.carrier import Carrier, gateway_settings, serve
from tests.conftest import KAFKA_ENV
from tests.e2e.stack import Stack
from tests.factories import inbound
from tests.faults.ledger import CONSUMERS, Ledger, phone_of, register
from tests.faults.proxy import proxied
from tests.kafka_tools import eventually, read_to_end, read_until, rewind

pytestmark = pytest.mark.faults
#: Exit statuses of a clean stop: uvicorn shuts down, then re-raises the SIGTERM it caught (a stop
#: that overran its 30 s would end in SIGKILL instead).
CLEAN = (0, -signal.SIGTERM)
OUTAGE_SECONDS = 8
BROKER_OUTAGE_SECONDS = 30
KAFKA = "deploy/kafka/kafka.sh"
REVIEW = {
    "year": 2022,
    "occurred_on": "2022-06-20",
    "document_ref": "BB-XXLĐ",
    "title": "Biên bản họp xem xét của lãnh đạo",
    "submitted_by": "Thư ký ISO",
}


async def exited(stack: Stack, name: str, timeout: float = 60.0) -> int:
    """Wait for a service's process to end (a drill kills it); its exit status."""
    process = stack.processes[name].process
    assert process is not None
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        assert time.monotonic() < deadline, f"{name} still running after {timeout:.0f}s"
        await asyncio.sleep(0.1)
    return process.returncode


async def test_a_handler_refusing_every_tenth_event_dead_letters_those_and_applies_the_rest_once(
    stack: Stack,
) -> None:
    ledger = Ledger.open(stack)
    events = ledger.events(300)
    ledger.refuse(events, every=10)
    await ledger.load(events)
    figures = await ledger.settled()
    assert (figures["acked"], figures["applied"]) == (300, 270)


@pytest.mark.parametrize("point", ["before_commit", "after_commit"])
async def test_kill_9_of_each_consuming_service_mid_batch_then_restart(stack: Stack, point: str) -> None:
    """Each service is stopped while work piles up for it, started with a drill that SIGKILLs it in
    its second batch — before or after the database commit — and started again."""
    ledger = Ledger.open(stack)
    for n, name in enumerate(CONSUMERS):
        stack.processes[name].stop()
        ledger.others += register(stack, 40) if name != "registry" else []  # agencies to read too
        await ledger.load(ledger.events(150, start=150 * n), per_second=1000)
        stack.restart(name, {"crash_at": f"{point}:2"}, wait=False)  # it may die before it is ready
        assert await exited(stack, name) == -signal.SIGKILL, f"{name} was not killed by the drill"
        stack.restart(name, {"crash_at": None})
    await ledger.settled()


async def test_sigterm_under_load_stops_cleanly_and_loses_nothing(stack: Stack) -> None:
    ledger = Ledger.open(stack)
    load = asyncio.create_task(ledger.load(ledger.events(1200), per_second=200))
    for name in CONSUMERS:
        await asyncio.sleep(0.8)  # let the load run into the service before stopping it
        assert stack.processes[name].stop() in CLEAN, f"{name} did not stop cleanly on SIGTERM"
        stack.restart(name)
    await load
    await ledger.settled()


async def test_a_second_instance_joining_and_leaving_under_load_loses_nothing(stack: Stack) -> None:
    ledger = Ledger.open(stack)
    load = asyncio.create_task(ledger.load(ledger.events(1200), per_second=200))
    seconds = {name: stack.another(name) for name in ("registry", "compliance")}
    await asyncio.sleep(2)  # both instances share the partitions for a while, under load
    for second in seconds.values():
        assert second.stop() in CLEAN
    await load
    await ledger.settled()


async def test_the_same_events_twice_and_groups_rewound_by_100_change_nothing_and_send_nothing_twice(
    stack: Stack, sms_file: Path
) -> None:
    ledger = Ledger.open(stack)
    await ledger.load(ledger.events(300))
    await ledger.settled()
    with stack.client("compliance") as api:  # the deadline has passed: these agencies lag
        assert api.post("/evaluations", json={"on": "2022-10-31"}).status_code == 200
    phones = {phone_of(code) for code in ledger.codes}
    await eventually(
        lambda: {m["to"] for m in sent(sms_file)} >= phones, timeout=60, what="a reminder to each officer"
    )
    before = await state(stack, ledger, sms_file)

    await ledger.load(ledger.acked[-100:], per_second=1000)  # the same events (same ids) again
    consumes = {name: topics_of(stack, name) for name in ("registry", "compliance", "notifier")}
    for name in ("registry", "compliance", "notifier"):
        stack.processes[name].stop()
        try:
            again = await rewind(stack.kafka, stack.group_of(name), consumes[name], by=100)
        finally:
            stack.restart(name)  # whatever happened, the next scenarios need it running
        assert again > 0, f"{name}'s group was not rewound"
    await ledger.settled()
    assert await state(stack, ledger, sms_file) == before


async def test_a_stale_version_arriving_after_a_newer_one_is_dead_lettered_and_the_newer_stays(
    stack: Stack,
) -> None:
    """The e-ISO software numbers its versions 1–5; its retries overtake each other (a producer
    without idempotence): version 3 arrives after 4, and version 2 arrives twice."""
    ledger = Ledger.open(stack)
    numbered = {
        code: [inbound(code, ledger.system, version=v, occurred_on=f"2022-0{v}-10") for v in range(1, 6)]
        for code in ledger.codes
    }
    arriving = []
    for v1, v2, v3, v4, v5 in numbered.values():
        arriving += [v1, v2, v4, v3, v5, v2]
        ledger.refused[str(v3.id)] = (
            f"stale: version 3 of internal_audit 2022 from {ledger.system} arrived after its version 4"
        )
    await ledger.load(arriving)
    figures = await ledger.settled()
    assert (figures["acked"], figures["applied"]) == (6 * len(ledger.codes), 4 * len(ledger.codes))
    with stack.client("registry") as registry:
        for code, versions in numbered.items():
            current = registry.get(f"/agencies/{code}/records", params={"year": 2022}).json()
            newest = versions[-1].data
            assert [(r["record_id"], r["occurred_on"], r["version"]) for r in current] == [
                (str(newest.record_id), "2022-05-10", 4)
            ], f"{code}: the newer version is not the current one"


def topics_of(stack: Stack, name: str) -> list[str]:
    with stack.client(name) as api:
        return list(api.get("/health/ready").json()["consumes"])


def sent(sms_file: Path) -> list[dict[str, str]]:
    if not sms_file.exists():
        return []
    return [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines()]


async def state(stack: Stack, ledger: Ledger, sms_file: Path) -> dict[str, object]:
    """What people and other systems see of these agencies: scores, status events, messages."""
    with stack.client("compliance") as api:
        scores = [api.get(f"/agencies/{c}/compliance", params={"year": 2022}).json() for c in ledger.codes]
    codes = {c.encode() for c in ledger.codes}
    statuses = await read_to_end(stack.kafka, Topic.COMPLIANCE_STATUS, keep=lambda r: r.key in codes)
    phones = {phone_of(code) for code in ledger.codes}
    return {
        "scores": scores,
        "status events": len(statuses),
        "sms": sorted(m["request_id"] for m in sent(sms_file) if m["to"] in phones),
    }


def readiness(stack: Stack, name: str) -> int:
    try:
        return httpx.get(f"{stack.url(name)}/health/ready", timeout=10).status_code
    except httpx.HTTPError:
        return 0


async def test_the_database_away_for_seconds_turns_readiness_red_and_no_offset_passes_an_unapplied_event(
    stack: Stack,
) -> None:
    ledger = Ledger.open(stack)
    direct = make_url(stack.databases["compliance"])
    assert direct.host and direct.port
    with proxied(direct.host, direct.port) as proxy:
        stack.processes["compliance"].stop()
        through = direct.set(port=proxy.port).render_as_string(hide_password=False)
        stack.restart("compliance", {"database_url": through})
        load = asyncio.create_task(ledger.load(ledger.events(800), per_second=100))
        await asyncio.sleep(2)  # the load runs into compliance before the database goes
        proxy.cut()
        await eventually(lambda: readiness(stack, "compliance") == 503, timeout=30, what="readiness red")
        await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself: the fault, not a wait for a result
        proxy.restore()
        await eventually(lambda: readiness(stack, "compliance") == 200, timeout=90, what="readiness green")
        await load
        await ledger.settled()
        stack.processes["compliance"].stop()
    stack.restart("compliance", {"database_url": direct.render_as_string(hide_password=False)})


@pytest.mark.parametrize("how", ["stopped", "killed"])
async def test_the_broker_down_for_30_seconds_then_back_loses_nothing_and_needs_no_restart(
    stack: Stack, how: str
) -> None:
    ledger = Ledger.open(stack)
    await ledger.load(ledger.events(200), per_second=400)
    if how == "stopped":
        run_script(KAFKA, "stop", env=KAFKA_ENV)
    else:
        pid = int((Path(KAFKA_ENV["EISO_KAFKA_STATE_DIR"]) / "kafka.pid").read_text())
        os.kill(pid, signal.SIGKILL)
    try:
        with stack.client("registry") as registry:  # it still takes writes, into its outbox
            for code in ledger.codes:
                answer = registry.put(f"/agencies/{code}/records/management_review", json=REVIEW)
                assert answer.status_code == 201, answer.text
                ledger.written.add(answer.json()["record_id"])
        await eventually(lambda: readiness(stack, "registry") == 503, timeout=30, what="broker seen as down")
        await asyncio.sleep(BROKER_OUTAGE_SECONDS)  # the outage itself
    finally:
        run_script(KAFKA, "start", env=KAFKA_ENV)
    figures = await ledger.settled()
    assert figures["applied"] == 200 + len(ledger.codes)
    for name in CONSUMERS:
        process = stack.processes[name].process
        assert process is not None and process.poll() is None, f"{name} had to be restarted"


async def test_a_gateway_timing_out_failing_refusing_or_erring_in_200_never_sends_two_messages(
    stack: Stack,
) -> None:
    """Timeout: retried with the same request id (the carrier delivers once). 5xx: failed over to the
    fallback. 4xx: failed, never retried. An error inside HTTP 200: detected, failed. Nobody gets one
    message twice."""
    carrier = Carrier()
    server, url = serve(carrier)
    notifier = stack.processes["notifier"]
    saved = dict(notifier.env)
    try:
        notifier.stop()
        stack.restart("notifier", gateways(carrier, url))
        ledger = Ledger.open(stack)
        await ledger.load(ledger.events(40))
        await ledger.settled()
        timeout, busy, refused, erring = (phone_of(code).removeprefix("+") for code in ledger.codes[:4])
        carrier.faults |= {
            f"esms:{timeout}": [f"hang:{GATEWAY_TIMEOUT + 2}"],
            f"esms:{busy}": ["always500"],
            f"esms:{refused}": ["always400"],
            f"esms:{erring}": ["alwayserror200"],
        }
        with stack.client("compliance") as api:  # the deadline has passed: these agencies lag
            assert api.post("/evaluations", json={"on": "2022-10-31"}).status_code == 200
        outcomes = await sms_outcomes(stack, ledger.codes)
        by_phone = {phone_of(code).removeprefix("+"): outcomes[code] for code in ledger.codes}

        assert [d[0] for d in carrier.to(timeout)] == ["esms"] and carrier.duplicates, "retried, same id"
        assert [d[0] for d in carrier.to(busy)] == ["speedsms"] and by_phone[busy]["gateway"] == "speedsms"
        for phone in (refused, erring):
            assert by_phone[phone]["type"] == "notification-failed" and carrier.to(phone) == []
            # Never retried, never failed over: each message (request id) asked once, of esms only. (Two
            # reasons not digested together are two messages, each asked once.)
            asked = {k: n for k, n in carrier.attempts_by_id.items() if k.split(":")[1] == phone}
            assert asked and set(asked.values()) == {1} and all(k.startswith("esms:") for k in asked), asked
        for code in ledger.codes:
            phone = phone_of(code).removeprefix("+")
            # One message per key (its request id); two reasons not digested together are two keys.
            ids = [d[1] for d in carrier.to(phone)]
            assert len(ids) == len(set(ids)), f"one message delivered twice to {phone}"
            if phone not in (refused, erring):
                assert ids and by_phone[phone]["type"] == "notification-sent"
    finally:
        notifier.stop()
        notifier.env = saved
        stack.restart("notifier")
        server.shutdown()


GATEWAY_TIMEOUT = 2


def gateways(carrier: Carrier, url: str) -> dict[str, str | None]:
    return {
        **gateway_settings(carrier, url),
        "gateway_timeout_seconds": str(GATEWAY_TIMEOUT),
        "lease_seconds": str(GATEWAY_TIMEOUT + 3),
    }


async def sms_outcomes(stack: Stack, codes: list[str]) -> dict[str, dict[str, str]]:
    """Each agency's SMS outcome on the deliveries topic: its type and gateway."""
    wanted = {code.encode() for code in codes}

    def sms(kept: list[Any]) -> dict[str, dict[str, str]]:
        found = {}
        for record in kept:
            event = json.loads(record.value)
            if event["type"] != "notification-held" and event["data"]["channel"] == "sms":
                found[event["subject"]] = {"type": event["type"], "gateway": event["data"]["gateway"]}
        return found

    records = await read_until(
        stack.kafka,
        Topic.NOTIFIER_DELIVERIES,
        lambda kept: len(sms(kept)) == len(codes),
        keep=lambda r: r.key in wanted,
        timeout=90,
    )
    return sms(records)
