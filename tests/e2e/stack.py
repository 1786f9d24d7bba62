"""The services as separate OS processes on free ports, wired to the test broker and databases."""

import secrets
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from eiso_cli.processes import ROOT, ServiceProcess, env_prefix


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports (all held open while choosing, so none is handed out twice)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def eiso(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command line, as a person runs it, with environment `env`."""
    return subprocess.run(
        [sys.executable, "-m", "eiso_cli.main", *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


OPERATOR_KEY = f"eiso_test_{secrets.token_urlsafe(24)}"


@dataclass
class Stack:
    kafka: str
    processes: dict[str, ServiceProcess]
    databases: dict[str, str]
    #: Fresh for each stack; each service consumes as `<group>-<service>` (services reading the same
    #: topic must not share a group, or they would split its partitions between them).
    group: str

    def group_of(self, name: str) -> str:
        return f"{self.group}-{name}"

    def url(self, name: str) -> str:
        return self.processes[name].url

    def client(self, name: str, key: str = OPERATOR_KEY) -> httpx.Client:
        """An HTTP client for one service, with a bearer key (the operator's unless told)."""
        return httpx.Client(base_url=self.url(name), headers={"Authorization": f"Bearer {key}"}, timeout=30)

    def restart(self, name: str, settings: Mapping[str, str | None] | None = None, wait: bool = True) -> None:
        """Start a stopped service again (and wait until ready); `settings` change its environment
        (None removes one)."""
        process = self.processes[name]
        if settings:
            env = dict(process.env)
            for key, value in settings.items():
                full = f"{env_prefix(name)}{key.upper()}"
                if value is None:
                    env.pop(full, None)
                else:
                    env[full] = value
            process.env = env
        process.start()
        if wait:
            process.wait_ready()

    def another(self, name: str) -> ServiceProcess:
        """A second instance of a running service: same database and consumer group, its own port."""
        first = self.processes[name]
        (port,) = free_ports(1)
        second = ServiceProcess(name, port, first.log_path.with_suffix(".2.log"), first.env)
        second.start()
        second.wait_ready()
        return second


def environment(name: str, database: str, kafka: str, group: str, **settings: str) -> dict[str, str]:
    """A service's environment for a test or a benchmark: its database, the broker, its own consumer
    group, the operator key, no daily evaluation (tests evaluate on the dates they choose, with
    POST /evaluations), and `settings` (EISO_<SERVICE>_<NAME>)."""
    prefix = env_prefix(name)
    return {
        f"{prefix}DATABASE_URL": database,
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": kafka,
        f"{prefix}CONSUMER_GROUP": group,
        f"{prefix}DAILY_EVALUATION": "false",
        "EISO_BOOTSTRAP_OPERATOR_KEY": OPERATOR_KEY,
        **{f"{prefix}{k.upper()}": v for k, v in settings.items()},
    }


@contextmanager
def running(
    kafka: str,
    database_url: Callable[[str], str],
    log_dir: Path,
    names: tuple[str, ...] = ("registry", "compliance"),
    **settings: str,
) -> Iterator[Stack]:
    """Start `names` (fresh databases, a fresh consumer group) and stop them cleanly afterwards."""
    group = f"e2e-{uuid.uuid4().hex[:8]}"
    databases = {name: database_url(name) for name in names}
    processes = {}
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    for name in names:
        env = environment(
            name, databases[name], kafka, f"{group}-{name}", outbox_poll_seconds="0.2", **settings
        )
        processes[name] = ServiceProcess(name, ports[name], log_dir / f"{name}.log", env)
    stack = Stack(kafka, processes, databases, group)
    try:
        for process in processes.values():
            process.start()
        for process in processes.values():
            process.wait_ready()
        yield stack
    finally:
        for process in processes.values():
            process.stop()
