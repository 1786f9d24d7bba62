from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import pytest

from tests.brokers import broker_of_its_own
from tests.conftest import KAFKA_PORT
from tests.e2e.stack import Stack, running
from tests.event_schemas import what_services_wrote_breaks


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Registry and compliance as separate processes, shared by the tests of one module."""
    with running(kafka, database_url, tmp_path_factory.mktemp("logs")) as stack:
        yield stack


@pytest.fixture(scope="session", autouse=True)
async def events_match_their_schemas(kafka: str) -> AsyncIterator[None]:
    """At the end of the run, every event the services wrote on the test broker is checked against
    the committed JSON Schemas with jsonschema, and its record key against its subject
    (tests/event_schemas.py): what a consumer in another language would check."""
    yield
    seen, broken = await what_services_wrote_breaks(kafka)
    if broken:
        pytest.fail(
            f"{len(broken)} of {seen.total()} events the services wrote break the contract:\n"
            + "\n".join(broken[:50]),
            pytrace=False,
        )


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


@pytest.fixture(scope="session")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    """A second local broker, started by the launcher with --secure (SASL_SSL, SCRAM-SHA-512, ACLs),
    shared by the modules that test what only a secure broker does."""
    state = tmp_path_factory.mktemp("kafka-secure")
    port = KAFKA_PORT + 300
    with broker_of_its_own("secure broker", port, state, "--secure") as bootstrap:
        password = (state / "secure" / "password").read_text().strip()
        yield SecureBroker(bootstrap, password, str(state / "secure" / "ca.pem"))
