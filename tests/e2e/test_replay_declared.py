"""`eiso replay` does what each service declares: a service whose state is not on the topics is
refused with the reason, before anything is touched; compliance is rebuilt with what no topic carries
(the notices it has sent) copied from the database it replaces, and its replica of the credentials
read again from the identity service's topic."""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from eiso_cli import stack as local
from eiso_cli.processes import SERVICES, env_prefix
from tests.e2e.scores import CONSUMED, register
from tests.e2e.stack import eiso, free_ports, new_operator_key, running
from tests.factories import unique_code
from tests.kafka_tools import caught_up, eventually

pytestmark = pytest.mark.e2e
OPERATOR_KEY = new_operator_key()
REFUSED = {
    "training": "courses, sessions, enrolments, attendance and certificates are entered through its API",
    "notifier": "its escalation ladders",
    "registry": "it is the source of record",
    "identity": "it is the source of record of credentials",
}


@dataclass
class Local:
    """`eiso up`'s bookkeeping (.run/) in a folder of the test's, the services on free ports, their
    databases beside it: what `eiso replay` acts on."""

    folder: Path
    env: dict[str, str]

    def database(self, name: str) -> Path:
        return self.folder / f"{name}.db"

    def launch(self, name: str) -> int:
        """Start a service as `eiso up` does; its pid."""
        local.group_file(name).write_text(f"cli-{unique_code()}-{name}\n")  # not the default group
        local.launch(name).wait_ready()
        pid = local.running_pid(name)
        assert pid is not None
        return pid


@pytest.fixture
def cli(kafka: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Local]:
    run = tmp_path / "run"
    run.mkdir()
    monkeypatch.setattr(local, "RUN", run)
    settings = {"EISO_RUN_DIR": str(run), "EISO_KAFKA_PORT": kafka.rsplit(":", 1)[1]}
    settings["EISO_BOOTSTRAP_OPERATOR_KEY"] = OPERATOR_KEY  # for the identity service alone
    for name, port in zip(SERVICES, free_ports(len(SERVICES)), strict=True):
        settings[f"{env_prefix(name)}HTTP_PORT"] = str(port)
        settings[f"{env_prefix(name)}DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / name}.db"
        settings[f"{env_prefix(name)}DAILY_EVALUATION"] = "false"
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    try:
        yield Local(tmp_path, dict(os.environ))
    finally:
        for name in SERVICES:
            local.stop(name, local.Say())


def test_a_service_whose_state_is_not_on_the_topics_is_refused_and_left_running(cli: Local) -> None:
    pid = cli.launch("training")
    database = cli.database("training").stat()
    for name, reason in REFUSED.items():
        refused = eiso(cli.env, "replay", name)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        (line,) = refused.stderr.splitlines()
        assert line.startswith(f"eiso: error: {name} cannot be rebuilt from the topics: {reason}"), line
    assert local.running_pid("training") == pid, "training was not stopped"
    assert httpx.get(f"{local.url('training')}/health/ready", timeout=10).status_code == 200
    assert cli.database("training").stat().st_ino == database.st_ino, "its database stays where it was"
    assert not list(cli.folder.glob("*.bak")) and not local.group_file("notifier").exists()


def client(url: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30)


async def test_a_rebuilt_compliance_takes_the_keys_identity_issued_and_keeps_the_notices_it_sent(
    cli: Local, kafka: str, database_url: Callable[[str], str]
) -> None:
    code = unique_code("KEY")
    with running(kafka, database_url, cli.folder / "registry", names=("registry",)) as stack:
        register(stack, code)  # no record: lagging once the 2022 deadline has passed
    cli.launch("identity")
    cli.launch("compliance")
    group = local.group_file("compliance").read_text().strip()
    await eventually(lambda: caught_up(kafka, group, CONSUMED), what="compliance read every topic")
    identity = client(local.url("identity"), OPERATOR_KEY)
    body = {"role": "agency", "agency_code": code, "name": "Cán bộ ISO"}
    issued = await eventually(
        lambda: (answer := identity.post("/api-keys", json=body)).status_code == 201 and answer,
        what="identity knows the agency and issues its key",
    )
    assert isinstance(issued, httpx.Response)
    agency = client(local.url("compliance"), issued.json()["key"])
    await eventually(lambda: agency.get("/me").status_code == 200, what="compliance takes the new key")
    operator = client(local.url("compliance"), OPERATOR_KEY)
    assert agency.get(f"/agencies/{code}/compliance", params={"year": 2022}).status_code == 200
    first = operator.post("/evaluations", json={"on": "2022-12-20"}).json()["notices"]
    assert first.get("agency-lagging", 0) >= 1, first

    replayed = eiso(cli.env, "replay", "compliance")
    assert replayed.returncode == 0, replayed.stderr
    assert "compliance: rebuilt from the topics; the old database is kept at" in replayed.stdout
    assert local.group_file("compliance").read_text().strip() != group, "a fresh consumer group"

    answer = agency.get(f"/agencies/{code}/compliance", params={"year": 2022})
    assert answer.status_code == 200, "the agency's key works on the rebuilt compliance (from the topic)"
    assert answer.json()["status"] == "not_updated"
    again = operator.post("/evaluations", json={"on": "2022-12-20"}).json()["notices"]
    assert again == {}, "nothing said twice: the notices sent before the rebuild are remembered"
    assert "compliance: kept from the old database: notices (" in replayed.stderr
