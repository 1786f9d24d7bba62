"""Attacks refused at the edges: a burst from one key is cut with 429 (other keys go on), and CR/LF
in what an outside system sends cannot forge a log line. (Missing, wrong and revoked keys, other
agencies' data, unknown fields and oversized bodies: tests/e2e/test_registry.py; publishing for an
agency outside a system's scope: test_inbound_events_end_where_they_should there; the logs of the
whole run are scanned for personal data and secrets by tests/conftest.py.)"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from contracts import Topic, dlq
from eiso_cli.processes import ServiceProcess, StackError, run_script
from tests.e2e.stack import Stack, free_ports, running
from tests.factories import inbound, unique_code
from tests.kafka_tools import eventually, produce, read_until

pytestmark = pytest.mark.e2e
RATE, BURST = 1, 10
KAFKA = "deploy/kafka/kafka.sh"
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
    issued = registry.post("/api-keys", json={"name": "tích hợp một cửa", "role": "system"})
    assert issued.status_code == 201
    noisy = stack.client("registry", key=issued.json()["key"])
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
        lambda kept: any(json.loads(r.value).get("id") == str(event.id) for r in kept),
    )
    entries = [json.loads(line) for line in lines_of(stack.processes["registry"].log_path)]
    assert not [e for e in entries if e.get("event") == "forged"]
    assert any("forged" in json.dumps(e) for e in entries), "the attempt is in the log, escaped"


@dataclass(frozen=True)
class SecureBroker:
    bootstrap: str
    password: str
    cafile: str

    def settings(self, password: str | None = None) -> dict[str, str]:
        return {
            "kafka_security_protocol": "SASL_SSL",
            "kafka_sasl_mechanism": "SCRAM-SHA-512",
            "kafka_username": "eiso",
            "kafka_password": password or self.password,
            "kafka_ssl_cafile": self.cafile,
        }


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    """A second local broker, started by the launcher with --secure (SASL_SSL, SCRAM-SHA-512)."""
    state = tmp_path_factory.mktemp("kafka-secure")
    port, controller, internal = free_ports(3)
    env = {
        "EISO_KAFKA_PORT": str(port),
        "EISO_KAFKA_CONTROLLER_PORT": str(controller),
        "EISO_KAFKA_INTERNAL_PORT": str(internal),
        "EISO_KAFKA_STATE_DIR": str(state),
    }
    try:
        run_script(KAFKA, "start", "--secure", env=env)
    except StackError as exc:
        pytest.fail(f"cannot start the secure broker: {exc}", pytrace=False)
    try:
        password = (state / "secure" / "password").read_text().strip()
        yield SecureBroker(f"127.0.0.1:{port}", password, str(state / "secure" / "ca.pem"))
    finally:
        run_script(KAFKA, "stop", env=env)


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
