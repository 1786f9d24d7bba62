"""The local stack behind `eiso up`/`down`/`status`: Kafka from deploy/kafka and the services as
detached processes, their pids in .run/, their logs in .run/logs/, their SQLite files in .data/."""

import asyncio
import contextlib
import os
import secrets
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from eiso_cli.kafka import caught_up, kafka_bootstrap
from eiso_cli.operator import ensure_operator_account
from eiso_cli.processes import (
    DEFAULT_PORTS,
    ROOT,
    SERVICES,
    ServiceProcess,
    StackError,
    env_prefix,
    portal_env,
    run_script,
)

RUN = Path(os.environ.get("EISO_RUN_DIR", ROOT / ".run"))
KAFKA = "deploy/kafka/kafka.sh"
#: The local operator's e-mail and password (made by `up`), beside the operator key.
OPERATOR_PASSWORD = RUN / "operator.password"


def port(name: str) -> int:
    """A service's HTTP port: EISO_<SERVICE>_HTTP_PORT, as the service itself reads it, or its default."""
    return int(os.environ.get(f"{env_prefix(name)}HTTP_PORT", DEFAULT_PORTS[name]))


def url(name: str) -> str:
    return f"http://127.0.0.1:{port(name)}"


def operator_key() -> str:
    """The local operator key: EISO_BOOTSTRAP_OPERATOR_KEY, or one made once and kept in .run/."""
    if key := os.environ.get("EISO_BOOTSTRAP_OPERATOR_KEY"):
        return key
    path = RUN / "operator.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"eiso_local_{secrets.token_urlsafe(32)}\n")
        path.chmod(0o600)
    return path.read_text().strip()


#: Who runs the local stack of the sample data (Trà Vinh, 2022); a deployment sets its own.
SAMPLE_DEPARTMENT = "Sở Khoa học và Công nghệ tỉnh Trà Vinh"


def service_env(name: str) -> dict[str, str]:
    """Point the services at the broker kafka.sh starts (unless told otherwise); the identity service
    gets the operator key (the others learn it from its topic)."""
    env = {"EISO_BOOTSTRAP_OPERATOR_KEY": operator_key()} if name == "identity" else {}
    env["EISO_SIGN_IN_URL"] = os.environ.get("EISO_SIGN_IN_URL", f"{url('identity')}/sign-in")
    group = group_file(name)
    if group.exists() and f"{env_prefix(name)}CONSUMER_GROUP" not in os.environ:
        env[f"{env_prefix(name)}CONSUMER_GROUP"] = group.read_text().strip()  # set by `eiso replay`
    key = f"{env_prefix(name)}KAFKA_BOOTSTRAP_SERVERS"
    if key not in os.environ:
        env[key] = kafka_bootstrap()
    if name == "notifier":
        # Locally, messages go to files: SMS through the file gateway, e-mails as .eml files.
        env.setdefault("EISO_NOTIFIER_SMS_FILE", str(RUN / "sms" / "outbox.jsonl"))
    department = f"{env_prefix(name)}DEPARTMENT_NAME"  # the sample's department signs and runs them
    if name in ("identity", "portal") and department not in os.environ:
        env[department] = SAMPLE_DEPARTMENT
    if name == "portal":
        env.update({k: v for k, v in portal_env(url).items() if k not in os.environ})
    if name in ("notifier", "identity"):
        # Reminders and invitations alike: .eml files in one folder, unless an SMTP server is named.
        prefix = env_prefix(name)
        if f"{prefix}SMTP_HOST" not in os.environ:
            env[f"{prefix}MAIL_FOLDER"] = os.environ.get(f"{prefix}MAIL_FOLDER", str(RUN / "mail"))
    return env


def group_file(name: str) -> Path:
    """The consumer group `eiso replay` gave the service, which each later start keeps."""
    return RUN / f"{name}.group"


def await_caught_up(name: str, timeout: float) -> None:
    """Wait until a running service has read every topic it consumes to the end."""
    ready = httpx.get(f"{url(name)}/health/ready", timeout=10).json()
    group, topics = ready["consumer_group"], ready["consumes"]
    deadline = time.monotonic() + timeout
    while not asyncio.run(caught_up(kafka_bootstrap(), group, topics)):
        if time.monotonic() > deadline:
            raise StackError(f"{name} has not read {', '.join(topics)} to the end after {timeout:.0f}s")
        time.sleep(1)


def relaunch(name: str, say: "Say", **settings: str) -> None:
    """Stop a service and start it again with these environment settings, once it is ready and has
    caught up (the demo moves the training service's clock so)."""
    stop(name, say)
    launch(name, settings).wait_ready(timeout=90)
    await_caught_up(name, timeout=120)


def _pid_file(name: str) -> Path:
    return RUN / f"{name}.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_pid(name: str) -> int | None:
    try:
        pid = int(_pid_file(name).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) else None


def up(say: "Say") -> dict[str, str]:
    """Start Kafka and every service not already running; return once all are ready."""
    say("starting Kafka (the first run fetches it from Maven Central)…")
    run_script(KAFKA, "start")
    started = []
    for name in SERVICES:
        if running_pid(name):
            say(f"{name}: already running")
            continue
        started.append(launch(name))
    for process in started:
        say(f"{process.name}: waiting until ready…")
        process.wait_ready(timeout=90)
    await_key_accepted(operator_key(), timeout=60)
    if ensure_operator_account(url("identity"), operator_key(), OPERATOR_PASSWORD):
        say(f"identity: made the local operator account (e-mail and password in {OPERATOR_PASSWORD})")
    return {name: url(name) for name in SERVICES}


def await_key_accepted(key: str, timeout: float) -> None:
    """Wait until every service takes `key` (each has it once its replica has read the identity
    service's topic: within seconds of a start)."""
    deadline = time.monotonic() + timeout
    for name in SERVICES:
        while (
            httpx.get(f"{url(name)}/me", headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code
            != 200
        ):
            if time.monotonic() > deadline:
                raise StackError(
                    f"{name} does not accept the operator key after {timeout:.0f}s (see .run/logs/)"
                )
            time.sleep(0.2)


def launch(name: str, settings: Mapping[str, str] | None = None) -> ServiceProcess:
    """Start one service in the background (it outlives this command) and remember its pid."""
    env = service_env(name) | dict(settings or {})
    process = ServiceProcess(name, port(name), RUN / "logs" / f"{name}.log", env)
    _pid_file(name).parent.mkdir(parents=True, exist_ok=True)
    _pid_file(name).write_text(str(process.start(detach=True)))
    return process


def stop(name: str, say: "Say") -> None:
    """SIGTERM, a clean stop within 30 s, else SIGKILL."""
    pid = running_pid(name)
    if pid:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        say(f"{name}: stopped")
    with contextlib.suppress(FileNotFoundError):
        _pid_file(name).unlink()


def down(say: "Say") -> None:
    for name in reversed(SERVICES):
        stop(name, say)
    run_script(KAFKA, "stop")
    say("kafka: stopped")


def status() -> dict[str, str]:
    states = {}
    for name in SERVICES:
        try:
            ready = httpx.get(f"{url(name)}/health/ready", timeout=5)
            states[name] = f"{'ready' if ready.status_code == 200 else 'not ready'} at {url(name)}"
        except httpx.HTTPError:
            states[name] = "stopped" if not running_pid(name) else f"not answering at {url(name)}"
    try:
        states["kafka"] = run_script(KAFKA, "status").strip().removeprefix("kafka: ")
    except StackError:
        states["kafka"] = "stopped"
    return states


class Say:
    """Progress lines for people, on stderr, so stdout keeps only results."""

    def __call__(self, text: str) -> None:
        print(f"eiso: {text}", file=sys.stderr, flush=True)
