"""Fixtures shared by the whole suite.

The real parts are started by the project's own scripts: Kafka (deploy/kafka/kafka.sh) and PostgreSQL
(deploy/postgres/postgres.sh), on test ports, with fresh state each run. When one cannot be started the
tests that need it fail and say why; none is skipped.
"""

import asyncio
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eiso_cli.processes import ROOT, StackError, run_script
from services.common.db import create_engine, sessionmaker
from services.common.migrations import upgrade
from tests.logscan import scan

KAFKA_PORT = int(os.environ.get("EISO_TEST_KAFKA_PORT", "19092"))
PG_PORT = int(os.environ.get("EISO_TEST_PG_PORT", "55433"))
BACKEND = os.environ.get("EISO_TEST_DB", "sqlite")
if BACKEND not in ("sqlite", "postgresql"):
    raise pytest.UsageError(f"EISO_TEST_DB must be sqlite or postgresql, not {BACKEND!r}")

KAFKA_ENV = {
    "EISO_KAFKA_PORT": str(KAFKA_PORT),
    "EISO_KAFKA_CONTROLLER_PORT": str(KAFKA_PORT + 1),
    "EISO_KAFKA_STATE_DIR": str(ROOT / ".cache" / "kafka-test"),
}
PG_ENV = {"EISO_PG_PORT": str(PG_PORT), "EISO_PG_STATE_DIR": str(ROOT / ".cache" / "postgres-test")}


def _start(what: str, script: str, env: dict[str, str]) -> None:
    try:
        run_script(script, "reset", env=env)
        run_script(script, "start", env=env)
    except (StackError, OSError) as exc:
        pytest.fail(f"cannot start the test {what}: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def kafka() -> Iterator[str]:
    """A fresh single-node KRaft broker; yields its bootstrap address."""
    _start("Kafka broker", "deploy/kafka/kafka.sh", KAFKA_ENV)
    yield f"127.0.0.1:{KAFKA_PORT}"
    run_script("deploy/kafka/kafka.sh", "stop", env=KAFKA_ENV)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Callable[[str], str]]:
    """A PostgreSQL server; yields a factory of new, empty databases (async URLs).

    EISO_TEST_POSTGRES_URL names a running server (CI starts one); otherwise the suite starts a fresh
    cluster of its own with deploy/postgres/postgres.sh.
    """
    server = os.environ.get("EISO_TEST_POSTGRES_URL")
    if not server:
        _start("PostgreSQL server", "deploy/postgres/postgres.sh", PG_ENV)
        server = f"postgresql://postgres@127.0.0.1:{PG_PORT}/postgres"
    base = make_url(server)

    def new_database(label: str) -> str:
        name = f"t_{uuid.uuid4().hex[:8]}_{label}"
        result = subprocess.run(
            ["psql", "-v", "ON_ERROR_STOP=1", "-qAt", "-d", server, "-c", f"CREATE DATABASE {name}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"cannot create test database {name} on {base.host}:{base.port}: {result.stderr}")
        return base.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)

    yield new_database
    if not os.environ.get("EISO_TEST_POSTGRES_URL"):
        run_script("deploy/postgres/postgres.sh", "stop", env=PG_ENV)


@pytest.fixture(scope="module")
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], str]:
    """New, empty databases for the services under test, on the backend EISO_TEST_DB names."""
    if BACKEND == "postgresql":
        factory: Callable[[str], str] = request.getfixturevalue("postgres")
        return factory
    folder = tmp_path_factory.mktemp("db")
    return lambda label: f"sqlite+aiosqlite:///{folder / uuid.uuid4().hex[:8]}-{label}.db"


async def migrated(url: str, service: str) -> async_sessionmaker[AsyncSession]:
    """Sessions on `url` after running `service`'s migrations."""
    await asyncio.to_thread(upgrade, ROOT / "services" / service / "migrations", url)
    return sessionmaker(create_engine(url))


@pytest.fixture
async def compliance_db(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The compliance schema on a throwaway SQLite file (for fast unit tests of the runtime)."""
    sessions = await migrated(f"sqlite+aiosqlite:///{tmp_path / 'compliance.db'}", "compliance")
    yield sessions
    await sessions.kw["bind"].dispose()


@pytest.fixture
async def training_db(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The training schema on a throwaway SQLite file."""
    sessions = await migrated(f"sqlite+aiosqlite:///{tmp_path / 'training.db'}", "training")
    yield sessions
    await sessions.kw["bind"].dispose()


@pytest.fixture
async def notifier_db(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The notifier schema on a throwaway SQLite file."""
    sessions = await migrated(f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}", "notifier")
    yield sessions
    await sessions.kw["bind"].dispose()


@pytest.fixture(scope="session", autouse=True)
def logs_leak_nothing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """At the end of the run, every service log it wrote is scanned (tests/logscan.py): no phone
    number, e-mail address, API key or password, and every line one JSON entry."""
    yield
    found = scan(tmp_path_factory.getbasetemp())
    if found:
        pytest.fail(f"{len(found)} log lines break the rules:\n" + "\n".join(found[:50]), pytrace=False)
