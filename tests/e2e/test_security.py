"""Attacks refused at the edges: a burst from one key is cut with 429 (other keys go on), and CR/LF
in what an outside system sends cannot forge a log line. (Missing, wrong and revoked keys, other
agencies' data, unknown fields and oversized bodies: tests/e2e/test_registry.py; publishing for an
agency outside a system's scope: test_inbound_events_end_where_they_should there; the logs of the
whole run are scanned for personal data and secrets by tests/conftest.py.)"""

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from contracts import Topic, dlq
from eiso_cli.processes import ServiceProcess
from tests.e2e.conftest import SecureBroker
from tests.e2e.stack import PROPAGATION_SECONDS, Stack, free_ports, running
from tests.factories import inbound, unique_code
from tests.kafka_tools import eventually, produce, read_until

pytestmark = pytest.mark.e2e
RATE, BURST = 1, 10
POLICY = {
    "year": 2022,
    "occurred_on": "2022-02-10",
    "document_ref": "QĐ 12/QĐ-STTTT",
    "title": "Chính sách chất lượng",
    "submitted_by": "Thư ký ISO",
}


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    limits = {"rate_limit_per_second": str(RATE), "rate_limit_burst": str(BURST)}
    with running(
        kafka, database_url, tmp_path_factory.mktemp("logs"), names=("registry",), **limits
    ) as stack:
        yield stack


def test_a_burst_from_one_key_is_cut_with_429_and_other_keys_go_on(stack: Stack) -> None:
    registry = stack.client("registry")
    issued = stack.issue_key("system", name="tích hợp một cửa")
    noisy = stack.client("registry", key=issued["key"])
    answers = [noisy.get("/agencies", params={"limit": 1}) for _ in range(BURST + 5)]
    refused = [a for a in answers if a.status_code == 429]
    assert refused, "the burst went through"
    assert [a.status_code for a in answers[: BURST - 1]] == [200] * (BURST - 1), "the allowance first"
    assert int(refused[0].headers["Retry-After"]) >= 1 and "retry in" in refused[0].json()["detail"]
    assert registry.get("/agencies", params={"limit": 1}).status_code == 200, "another key is not affected"


def lines_of(log: Path) -> list[str]:
    """The log's lines: each must be one JSON entry (json.loads fails on a split one)."""
    return log.read_text(encoding="utf-8").splitlines()


async def test_cr_lf_in_an_inbound_event_cannot_forge_a_log_line(stack: Stack) -> None:
    registry, code, system = (
        stack.client("registry"),
        unique_code("SEC"),
        f"vn.test.{unique_code('S').lower()}",
    )
    body = {"code": code, "name": "UBND xã An Phú", "level": "commune", "valid_from": "2020-01-01"}
    assert registry.post("/agencies", json=body).status_code == 201
    assert registry.post("/systems", json={"id": system, "name": "S", "scope": [code]}).status_code == 201
    forged = 'X\r\n{"event":"forged","level":"error"}'
    event = inbound(code, system)  # keyed with the forgery: dead-lettered, the key quoted in the reason
    await produce(stack.kafka, Topic.INBOUND_RECORDS, [(forged, event)])
    await read_until(
        stack.kafka,
        dlq(Topic.INBOUND_RECORDS),
        lambda kept: any(str(event.id).encode() in r.value for r in kept),
    )
    entries = [json.loads(line) for line in lines_of(stack.processes["registry"].log_path)]
    assert not [e for e in entries if e.get("event") == "forged"]
    assert any("forged" in json.dumps(e) for e in entries), "the attempt is in the log, escaped"


async def test_the_services_work_over_sasl_ssl_with_scram(
    secure_broker: SecureBroker, database_url: Callable[[str], str], tmp_path: Path
) -> None:
    settings = secure_broker.settings()
    names = ("registry", "compliance")
    with running(secure_broker.bootstrap, database_url, tmp_path, names, **settings) as stack:
        code = unique_code("TLS")
        body = {
            "code": code,
            "name": "Sở Thông tin và Truyền thông",
            "level": "department",
            "valid_from": "2020-01-01",
        }
        assert stack.client("registry").post("/agencies", json=body).status_code == 201
        assert (
            stack.client("registry").put(f"/agencies/{code}/records/quality_policy", json=POLICY).status_code
            == 201
        )

        def scored() -> bool:
            answer = stack.client("compliance").get(f"/agencies/{code}/compliance", params={"year": 2022})
            return answer.status_code == 200 and answer.json()["events_applied"] == 1

        await eventually(scored, what="the record travelled registry → compliance over SASL_SSL")
        logs = ["\n".join(lines_of(process.log_path)) for process in stack.processes.values()]
    assert logs and not any(secure_broker.password in log for log in logs), "the password is never logged"


async def test_a_wrong_password_fails_fast_with_a_clear_error_and_no_secret_in_the_log(
    secure_broker: SecureBroker, database_url: Callable[[str], str], tmp_path: Path
) -> None:
    wrong = "not-the-password-4711"
    env = {f"EISO_REGISTRY_{key.upper()}": value for key, value in secure_broker.settings(wrong).items()} | {
        "EISO_REGISTRY_KAFKA_BOOTSTRAP_SERVERS": secure_broker.bootstrap,
        "EISO_REGISTRY_DATABASE_URL": database_url("registry"),
    }
    (port,) = free_ports(1)
    process = ServiceProcess("registry", port, tmp_path / "registry.log", env)
    process.start()
    assert process.process is not None
    status = await eventually(
        lambda: process.process and process.process.poll(), timeout=30, what="a fast exit"
    )
    assert status != 0
    log = "\n".join(lines_of(process.log_path))
    assert "invalid credentials" in log and "cannot use Kafka" in log, "the reason, in words"
    assert wrong not in log and secure_broker.password not in log, "no secret in the log"


@pytest.fixture(scope="module")
def guarded(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Registry, training and notifier with a small allowance of failed attempts per address."""
    limits = {"failed_attempts_burst": str(ATTEMPTS), "failed_attempts_per_minute": "1"}
    names = ("registry", "training", "notifier")
    with running(
        kafka,
        database_url,
        tmp_path_factory.mktemp("logs"),
        names=names,
        callback_token="the-token",
        **limits,
    ) as stack:
        yield stack


ATTEMPTS = 5


def from_address(client: httpx.Client, address: str) -> httpx.Client:
    """The same client as seen from `address` (the services trust X-Forwarded-For from 127.0.0.1, as
    they would from the province's reverse proxy: the setting forwarded_allow_ips)."""
    client.headers["X-Forwarded-For"] = address
    return client


def test_the_bootstrap_key_and_the_last_operator_key_stay_and_a_restart_restores_the_bootstrap_key(
    guarded: Stack,
) -> None:
    bootstrap, registry = guarded.operator_key, guarded.client("registry")
    identity, bootstrap_id = guarded.client("identity"), bootstrap.split("_")[1]
    refused = identity.delete(f"/api-keys/{bootstrap_id}")
    assert refused.status_code == 409 and "bootstrap operator key cannot be revoked" in refused.text
    second = guarded.issue_key("operator", name="Sở KH&CN – vận hành")

    process = guarded.processes["identity"]
    process.stop()
    process.env = {k: v for k, v in process.env.items() if k != "EISO_BOOTSTRAP_OPERATOR_KEY"}
    guarded.restart("identity")  # the bootstrap key is now an ordinary operator key
    operator = guarded.client("identity", key=second["key"])
    assert operator.delete(f"/api-keys/{bootstrap_id}").status_code == 204
    guarded.await_key(bootstrap, accepted=False, timeout=PROPAGATION_SECONDS)
    assert registry.get("/agencies").status_code == 401
    last = operator.delete(f"/api-keys/{second['id']}")
    assert last.status_code == 409 and "last active operator key" in last.text

    process.stop()
    process.env = {**process.env, "EISO_BOOTSTRAP_OPERATOR_KEY": bootstrap}
    guarded.restart("identity")
    guarded.await_key(bootstrap, timeout=PROPAGATION_SECONDS)
    assert registry.get("/agencies").status_code == 200, "valid again after a restart with the setting"
    said = [json.loads(line) for line in lines_of(process.log_path)]
    assert any(
        e.get("event") == "bootstrap operator key restored" and e["key_id"] == bootstrap_id for e in said
    )


def test_knowing_a_key_id_does_not_get_its_holder_refused_and_guessing_is_cut_per_address(
    guarded: Stack,
) -> None:
    holder = guarded.issue_key("system", name="một cửa")
    guess = f"eiso_{holder['id']}_not-the-secret"
    attacker = from_address(guarded.client("registry", key=guess), "203.0.113.9")
    answers = [attacker.get("/agencies").status_code for _ in range(3 * ATTEMPTS)]
    assert answers[:ATTEMPTS] == [401] * ATTEMPTS and set(answers[ATTEMPTS:]) == {429}, answers
    cut = attacker.get("/agencies")
    assert "too many failed attempts from this address" in cut.text and int(cut.headers["Retry-After"]) >= 1
    assert from_address(guarded.client("registry"), "203.0.113.9").get("/agencies").status_code == 429
    real = guarded.client("registry", key=holder["key"])
    assert [real.get("/agencies").status_code for _ in range(20)] == [200] * 20, "the holder goes on"
    elsewhere = from_address(guarded.client("registry", key=holder["key"]), "198.51.100.7")
    assert elsewhere.get("/agencies").status_code == 200


def test_the_endpoints_that_need_no_key_are_limited_per_address(guarded: Stack) -> None:
    callbacks = from_address(httpx.Client(base_url=guarded.url("notifier"), timeout=30), "203.0.113.20")
    tokens = [
        callbacks.post(f"/callbacks/esms?token=guess{i}", json={}).status_code for i in range(3 * ATTEMPTS)
    ]
    assert tokens[:ATTEMPTS] == [401] * ATTEMPTS and set(tokens[ATTEMPTS:]) == {429}, tokens
    certificates = from_address(httpx.Client(base_url=guarded.url("training"), timeout=30), "203.0.113.21")
    codes = [certificates.get(f"/certificates/GUESS{i:04d}").status_code for i in range(3 * ATTEMPTS)]
    assert codes[:ATTEMPTS] == [404] * ATTEMPTS and set(codes[ATTEMPTS:]) == {429}, codes
    other = from_address(httpx.Client(base_url=guarded.url("training"), timeout=30), "203.0.113.22")
    assert other.get("/certificates/GUESS9999").status_code == 404, "another address is not affected"
