"""Brokers of their own, for the tests that must not share the suite's (a secure listener, retention of
seconds, topics filled with hostile records): started by the project's own launcher, stopped after."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from eiso_cli.processes import StackError, run_script

KAFKA = "deploy/kafka/kafka.sh"


@contextmanager
def broker_of_its_own(
    what: str, port: int, state: Path, *options: str, properties: Mapping[str, str] | None = None
) -> Iterator[str]:
    """A fresh broker on `port` (controller and inter-broker listener on the next two) keeping its
    data in `state`, started with `options` (e.g. --secure) and extra broker `properties`; yields its
    bootstrap address. A broker that cannot start fails the test, saying why."""
    env = {
        "EISO_KAFKA_PORT": str(port),
        "EISO_KAFKA_CONTROLLER_PORT": str(port + 1),
        "EISO_KAFKA_INTERNAL_PORT": str(port + 2),
        "EISO_KAFKA_STATE_DIR": str(state),
        "EISO_KAFKA_EXTRA_PROPERTIES": "\n".join(f"{k}={v}" for k, v in (properties or {}).items()),
    }
    try:
        run_script(KAFKA, "reset", env=env)
        run_script(KAFKA, "start", *options, env=env)
    except StackError as exc:
        pytest.fail(f"cannot start the {what}: {exc}", pytrace=False)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        run_script(KAFKA, "stop", env=env)
