"""The parts a benchmark runs on: its own broker and PostgreSQL (the project's scripts, bench ports),
fresh databases and consumer groups, services as processes, and the waits a measurement needs."""

import asyncio
import os
import subprocess
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer

from contracts import CloudEvent, to_json
from eiso_cli.kafka import caught_up
from eiso_cli.processes import ROOT, ServiceProcess, run_script
from tests.e2e.stack import environment, free_ports, new_operator_key
from tests.faults.ledger import unsent

KAFKA_PORT = int(os.environ.get("EISO_BENCH_KAFKA_PORT", "39092"))
PG_PORT = int(os.environ.get("EISO_BENCH_PG_PORT", "55434"))
KAFKA_ENV = {
    "EISO_KAFKA_PORT": str(KAFKA_PORT),
    "EISO_KAFKA_CONTROLLER_PORT": str(KAFKA_PORT + 1),
    "EISO_KAFKA_STATE_DIR": str(ROOT / ".cache" / f"kafka-bench-{KAFKA_PORT}"),
    "EISO_KAFKA_HEAP": "1g",
}
PG_ENV = {
    "EISO_PG_PORT": str(PG_PORT),
    "EISO_PG_STATE_DIR": str(ROOT / ".cache" / f"postgres-bench-{PG_PORT}"),
}
BOOTSTRAP = f"127.0.0.1:{KAFKA_PORT}"
LOGS = ROOT / ".cache" / "bench-logs"
#: Every service a benchmark started, stopped at the end of the run whatever happened.
RUNNING: list[ServiceProcess] = []
#: The identity service of the broker now running (each fresh broker needs its own: the topic its
#: credentials are on starts empty), which gives every service the operator key.
IDENTITY: list[ServiceProcess] = []
OPERATOR_KEY = new_operator_key()
#: Rows per CSV file the registry imports (it takes at most 5,000 rows a file).
IMPORT_ROWS = 5_000


@dataclass
class Infra:
    """A fresh broker and PostgreSQL for one benchmark run."""

    postgres: str = ""
    started: list[str] = field(default_factory=list)

    def __enter__(self) -> "Infra":
        self.fresh_broker()
        self.started.append("kafka")
        self.postgres = os.environ.get("EISO_BENCH_POSTGRES_URL", "")
        if not self.postgres:
            run_script("deploy/postgres/postgres.sh", "reset", env=PG_ENV)
            run_script("deploy/postgres/postgres.sh", "start", env=PG_ENV)
            self.started.append("postgres")
            self.postgres = f"postgresql://postgres@127.0.0.1:{PG_PORT}/postgres"
        return self

    def fresh_broker(self) -> None:
        """An empty broker for the next measurement. A service started with a fresh consumer group reads
        its topics from the beginning, so what an earlier measurement left there would be counted
        (and waited for) too."""
        for identity in IDENTITY:
            identity.stop()
        IDENTITY.clear()
        run_script("deploy/kafka/kafka.sh", "reset", env=KAFKA_ENV)  # stops it first
        run_script("deploy/kafka/kafka.sh", "start", env=KAFKA_ENV)

    def __exit__(self, *exc: object) -> None:
        for process in RUNNING:  # a measurement that failed half-way leaves its services behind
            if process.process is not None and process.process.poll() is None:
                process.stop()
        if "postgres" in self.started:
            run_script("deploy/postgres/postgres.sh", "stop", env=PG_ENV)
        run_script("deploy/kafka/kafka.sh", "stop", env=KAFKA_ENV)

    def database(self, label: str) -> str:
        name = f"b_{uuid.uuid4().hex[:8]}_{label}"
        subprocess.run(
            ["psql", "-v", "ON_ERROR_STOP=1", "-qAt", "-d", self.postgres, "-c", f"CREATE DATABASE {name}"],
            check=True,
            capture_output=True,
        )
        return self.postgres.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0] + f"/{name}"


def service(name: str, database: str, **settings: str) -> ServiceProcess:
    """A service on the bench broker with a fresh consumer group, started, ready, and taking the
    operator key (from the broker's identity service, started with the first service)."""
    if name != "identity" and not IDENTITY:
        LOGS.mkdir(parents=True, exist_ok=True)
        IDENTITY.append(
            service("identity", f"sqlite+aiosqlite:///{LOGS / f'identity-{uuid.uuid4().hex[:6]}.db'}")
        )
    quiet = {"log_level": "WARNING", "rate_limit_per_second": "100000", "rate_limit_burst": "100000"}
    group = f"bench-{uuid.uuid4().hex[:8]}-{name}"
    env = environment(name, database, BOOTSTRAP, group, OPERATOR_KEY, **quiet | settings)
    (port,) = free_ports(1)
    process = ServiceProcess(name, port, LOGS / f"{name}-{uuid.uuid4().hex[:6]}.log", env)
    RUNNING.append(process)
    process.start()
    process.wait_ready(timeout=120)
    takes_key(process)
    return process


def takes_key(process: ServiceProcess, timeout: float = 60) -> None:
    """Wait until `process` accepts the operator key (its replica has read the identity topic)."""
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {OPERATOR_KEY}"}
    while httpx.get(f"{process.url}/me", headers=headers, timeout=10).status_code != 200:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{process.name} does not take the operator key after {timeout:.0f}s")
        time.sleep(0.2)


async def produce(topic: str, events: Iterable[CloudEvent | tuple[str, bytes]]) -> int:
    """Publish as fast as the client allows (acks=all, idempotent); how many."""
    producer = AIOKafkaProducer(
        bootstrap_servers=BOOTSTRAP, acks="all", enable_idempotence=True, linger_ms=5, max_batch_size=262144
    )
    await producer.start()
    count = 0
    try:
        pending = []
        for event in events:
            key, value = (event.subject, to_json(event)) if isinstance(event, CloudEvent) else event
            pending.append(await producer.send(topic, value, key=(key or "").encode()))
            count += 1
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return count


async def until_caught_up(
    group: str, topics: list[str], timeout: float, database: str | None = None
) -> float:
    """Seconds until `group` has committed the end of `topics` (and, given its database, its outbox is
    empty): the end of a measurement."""
    started = time.monotonic()
    while True:
        done = await caught_up(BOOTSTRAP, group, topics)
        if done and database is not None:
            done = await unsent(database) == 0
        if done:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{group} not caught up on {topics} within {timeout:.0f}s")
        await asyncio.sleep(0.25)


async def import_province(registry: str, all_codes: list[str]) -> str:
    """The agencies as communes of one district, and an outside system allowed to speak for that
    district (so for all of them), through the registry's API; the system's id."""
    system, parent = "vn.bench.eiso", "BENCH-PARENT"
    lines = ["code,name,level,parent_code,valid_from", f"{parent},UBND huyện Thử nghiệm,district,,2020-01-01"]
    lines += [f"{c},UBND xã {c},commune,{parent},2020-01-01" for c in all_codes]
    headers = {"Authorization": f"Bearer {OPERATOR_KEY}"}
    async with httpx.AsyncClient(base_url=registry, headers=headers, timeout=600) as api:
        for start in range(1, len(lines), IMPORT_ROWS):  # the parent goes with the first file
            content = "\n".join([lines[0], *lines[start : start + IMPORT_ROWS]]).encode()
            imported = await api.post(
                "/agencies:import", content=content, headers={"content-type": "text/csv"}
            )
            imported.raise_for_status()
        body = {"id": system, "name": "Phần mềm ISO điện tử", "scope": [parent]}
        (await api.post("/systems", json=body)).raise_for_status()
    return system


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0
