from collections.abc import AsyncIterator, Callable, Iterator

import pytest

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
