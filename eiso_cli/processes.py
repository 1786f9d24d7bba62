"""Starting, probing and stopping the services as OS processes: used by `eiso up` and by the tests."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("identity", "registry", "compliance", "training", "notifier", "portal")
DEFAULT_PORTS = {
    "portal": 8000,
    "registry": 8001,
    "compliance": 8002,
    "training": 8003,
    "notifier": 8004,
    "identity": 8005,
}
#: The services whose APIs the portal's pages call.
PORTAL_CALLS = ("registry", "compliance", "training", "notifier", "identity")


class StackError(RuntimeError):
    """Something the stack could not do; the message is one line a person can act on."""


def env_prefix(service: str) -> str:
    return f"EISO_{service.upper()}_"


def portal_env(url_of: Callable[[str], str], names: Iterable[str] = PORTAL_CALLS) -> dict[str, str]:
    """Where the portal finds each service's API (`EISO_PORTAL_<SERVICE>_URL`)."""
    return {
        f"{env_prefix('portal')}{name.upper()}_URL": url_of(name) for name in names if name in PORTAL_CALLS
    }


@dataclass
class ServiceProcess:
    """One service run as `python -m services.<name>`, its output appended to `log_path`."""

    name: str
    port: int
    log_path: Path
    env: Mapping[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, detach: bool = False) -> int:
        """Start the process; with `detach` it outlives this one (own session, no pipes)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env, f"{env_prefix(self.name)}HTTP_PORT": str(self.port)}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"services.{self.name}"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=detach,
            )
        return self.process.pid

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Poll /health/ready until it answers 200; fail early, with the log's tail, if the process dies."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise StackError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                response = httpx.get(f"{self.url}/health/ready", timeout=5)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise StackError(f"{self.name} not ready after {timeout:.0f}s ({last}):\n{self.log_tail()}")

    def signal(self, sig: int) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)

    def kill(self) -> None:
        """SIGKILL: the crash no shutdown code runs for."""
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(10)

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait for a clean exit; SIGKILL after `timeout`."""
        if self.process is None:
            return None
        self.signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.process.returncode

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def run_script(script: str, *args: str, env: Mapping[str, str] | None = None, timeout: float = 600) -> str:
    """Run one of the project's deploy scripts; raise `StackError` with its output when it fails."""
    result = subprocess.run(
        ["bash", str(ROOT / script), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        output = (result.stderr.strip() or result.stdout.strip()).splitlines()
        errors = [line for line in output if ": error: " in line]
        first = errors[-1] if errors else f"{script} {' '.join(args)} failed"
        raise StackError("\n".join([first, *output]))
    return result.stdout + result.stderr
