"""The local stack behind `eiso up`/`down`/`status`: Kafka from deploy/kafka and the services as
detached processes, their pids in .run/, their logs in .run/logs/, their SQLite files in .data/."""

import contextlib
import os
import signal
import time
from pathlib import Path

import httpx

from eiso_cli.processes import DEFAULT_PORTS, ROOT, SERVICES, ServiceProcess, StackError, run_script

RUN = ROOT / ".run"
KAFKA = "deploy/kafka/kafka.sh"


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
        process = ServiceProcess(name, DEFAULT_PORTS[name], RUN / "logs" / f"{name}.log")
        _pid_file(name).parent.mkdir(parents=True, exist_ok=True)
        _pid_file(name).write_text(str(process.start(detach=True)))
        started.append(process)
    for process in started:
        say(f"{process.name}: waiting until ready…")
        process.wait_ready(timeout=90)
    return {name: f"http://127.0.0.1:{DEFAULT_PORTS[name]}" for name in SERVICES}


def down(say: "Say") -> None:
    for name in reversed(SERVICES):
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
    run_script(KAFKA, "stop")
    say("kafka: stopped")


def status() -> dict[str, str]:
    states = {}
    for name in SERVICES:
        url = f"http://127.0.0.1:{DEFAULT_PORTS[name]}"
        try:
            ready = httpx.get(f"{url}/health/ready", timeout=5)
            states[name] = f"{'ready' if ready.status_code == 200 else 'not ready'} at {url}"
        except httpx.HTTPError:
            states[name] = "stopped" if not running_pid(name) else f"not answering at {url}"
    try:
        states["kafka"] = run_script(KAFKA, "status").strip().removeprefix("kafka: ")
    except StackError:
        states["kafka"] = "stopped"
    return states


class Say:
    """Progress lines for people, on stderr, so stdout keeps only results."""

    def __call__(self, text: str) -> None:
        import sys

        print(f"eiso: {text}", file=sys.stderr, flush=True)
