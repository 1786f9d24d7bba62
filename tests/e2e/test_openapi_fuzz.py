"""Schemathesis, an outside fuzzer, against the four OpenAPI documents of the services as processes:
no 5xx whatever it sends, every status code and body it gets documented (422 bodies with the `type`
the documents promise), every content type and `Allow` header as documented, nothing accepted that the
schema forbids, no route open without a key. Stateful runs follow the documented links.

Left out: `positive_data_acceptance` (schema-valid input must be accepted) — business rules refuse
valid-looking input on purpose (an agency code nobody registered, a year outside the campaign years,
which are a setting and a date, not a schema), and those 422s name the field at fault.
"""

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import Stack, running

pytestmark = pytest.mark.e2e
SERVICES = ("identity", "registry", "compliance", "training", "notifier")
#: Enough to cover each operation's examples, boundaries and a fuzzed sample; a fixed seed, so a
#: failure is reproduced by running the same command.
EXAMPLES, SEED = "40", "20221030"


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    # The fuzzer sends wrong keys on purpose and fast: lift the limits it would otherwise (rightly) hit.
    limits = {
        "failed_attempts_burst": "1000000",
        "rate_limit_burst": "1000000",
        "anonymous_burst": "1000000",
    }
    with running(
        kafka,
        database_url,
        tmp_path_factory.mktemp("logs"),
        names=SERVICES,
        callback_token="a-callback-token",
        **limits,
    ) as stack:
        yield stack


@pytest.mark.parametrize("service", SERVICES)
def test_the_fuzzer_finds_nothing_the_openapi_document_does_not_say(stack: Stack, service: str) -> None:
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", f"{stack.url(service)}/openapi.json",
        "-H", f"Authorization: Bearer {stack.operator_key}",
        "--checks", "all", "--exclude-checks", "positive_data_acceptance",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", EXAMPLES, "--seed", SEED, "--workers", "1",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    report = done.stdout[-12_000:] + done.stderr[-2_000:]
    assert done.returncode == 0, f"schemathesis found failures on {service}:\n{report}"
