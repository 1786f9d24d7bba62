"""The services as separate OS processes on free ports, wired to the test broker and databases."""

import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from eiso_cli.processes import ROOT, ServiceProcess, env_prefix, portal_env


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


def new_operator_key() -> str:
    """A bootstrap operator key of its own for each stack: the stacks of a run share one broker, so
    one's revocation must not reach another's services."""
    return f"eiso_op-{secrets.token_hex(4)}_{secrets.token_urlsafe(24)}"


#: How long a credential may take to reach every service (the acceptance bound).
PROPAGATION_SECONDS = 5.0


def until(check: Callable[[], Any], what: str, timeout: float = 60.0, every: float = 0.1) -> Any:
    """Poll `check` every `every` seconds until it is truthy (and return that); fail saying `what`
    at the deadline. The synchronous twin of `tests.kafka_tools.eventually`."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(every)
    return found


@dataclass
class Stack:
    kafka: str
    processes: dict[str, ServiceProcess]
    databases: dict[str, str]
    #: Fresh for each stack; each service consumes as `<group>-<service>` (services reading the same
    #: topic must not share a group, or they would split its partitions between them).
    group: str
    #: The identity service's bootstrap operator key, accepted by every service of the stack.
    operator_key: str

    def group_of(self, name: str) -> str:
        return f"{self.group}-{name}"

    def url(self, name: str) -> str:
        return self.processes[name].url

    def client(self, name: str, key: str | None = None) -> httpx.Client:
        """An HTTP client for one service, with a bearer key (the operator's unless told)."""
        bearer = key or self.operator_key
        return httpx.Client(
            base_url=self.url(name), headers={"Authorization": f"Bearer {bearer}"}, timeout=30
        )

    def accepted_by(self, key: str) -> dict[str, int]:
        """What each running service answers `GET /me` with `key`: 200 once its replica has it. Each
        probe comes from an address of its own (198.18.0.0/15, for tests), so that a refused probe
        does not spend the failed attempts of the callers under test."""
        answers = {}
        for name in self.processes:
            probe = f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
            with self.client(name, key) as client:
                answers[name] = client.get("/me", headers={"X-Forwarded-For": probe}).status_code
        return answers

    def await_key(self, key: str, accepted: bool = True, timeout: float = 60.0) -> None:
        """Poll until every service accepts `key` (or, `accepted=False`, refuses it)."""
        deadline = time.monotonic() + timeout
        while True:
            answers = self.accepted_by(key)
            if all((status == 200) == accepted for status in answers.values()):
                return
            if time.monotonic() > deadline:
                verb = "accepts" if accepted else "refuses"
                raise AssertionError(f"after {timeout:.0f} s, not every service {verb} the key: {answers}")
            time.sleep(0.1)

    def issue_key(
        self, role: str, agency_code: str | None = None, name: str = "kiểm thử", system_id: str | None = None
    ) -> dict[str, Any]:
        """A key issued by the identity service (retried while it does not know the agency yet: its
        copy of the agencies follows the registry's topic), once every service accepts it."""
        body = {"name": name, "role": role, "agency_code": agency_code, "system_id": system_id}
        deadline = time.monotonic() + 60
        with self.client("identity") as identity:
            while (
                response := identity.post("/api-keys", json=body)
            ).status_code == 422 and "unknown" in response.text:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.1)
        assert response.status_code == 201, response.text
        issued: dict[str, Any] = response.json()
        self.await_key(issued["key"])
        return issued

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


def environment(
    name: str, database: str, kafka: str, group: str, operator_key: str, **settings: str
) -> dict[str, str]:
    """A service's environment for a test or a benchmark: its database, the broker, its own consumer
    group, the operator key (for the identity service), no daily evaluation (tests evaluate on the
    dates they choose, with POST /evaluations), and `settings` (EISO_<SERVICE>_<NAME>)."""
    prefix = env_prefix(name)
    env = {
        f"{prefix}DATABASE_URL": database,
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": kafka,
        f"{prefix}CONSUMER_GROUP": group,
        f"{prefix}DAILY_EVALUATION": "false",
        **{f"{prefix}{k.upper()}": v for k, v in settings.items()},
    }
    if name == "identity":
        env["EISO_BOOTSTRAP_OPERATOR_KEY"] = operator_key
    return env


@contextmanager
def running(
    kafka: str,
    database_url: Callable[[str], str],
    log_dir: Path,
    names: tuple[str, ...] = ("registry", "compliance"),
    **settings: str,
) -> Iterator[Stack]:
    """Start the identity service and `names` (fresh databases, a fresh consumer group), wait until
    every one accepts the stack's operator key, and stop them cleanly afterwards."""
    group = f"e2e-{uuid.uuid4().hex[:8]}"
    names = ("identity", *(name for name in names if name != "identity"))
    databases = {name: database_url(name) for name in names}
    processes = {}
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    operator_key = new_operator_key()
    for name in names:
        env = environment(
            name,
            databases[name],
            kafka,
            f"{group}-{name}",
            operator_key,
            outbox_poll_seconds="0.2",
            **settings,
        )
        env["EISO_SIGN_IN_URL"] = f"http://127.0.0.1:{ports['identity']}/sign-in"
        if name == "portal":  # a service not in this stack is nowhere (port 9 answers nothing)
            env.update(portal_env(lambda other: f"http://127.0.0.1:{ports.get(other, 9)}"))
        processes[name] = ServiceProcess(name, ports[name], log_dir / f"{name}.log", env)
    stack = Stack(kafka, processes, databases, group, operator_key)
    try:
        for process in processes.values():
            process.start()
        for process in processes.values():
            process.wait_ready()
        stack.await_key(operator_key)
        yield stack
    finally:
        for process in processes.values():
            process.stop()
