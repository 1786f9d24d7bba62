from collections.abc import Callable, Iterator

import pytest

from tests.e2e.stack import Stack, running


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Registry and compliance as separate processes, shared by the tests of one module."""
    with running(kafka, database_url, tmp_path_factory.mktemp("logs")) as stack:
        yield stack
