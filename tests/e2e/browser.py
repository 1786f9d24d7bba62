"""A real browser for the tests: Debian's headless Chromium driven by its chromedriver over the W3C
WebDriver protocol (plain HTTP, so no client library), cut off from everything but the local host.

Every request the browser would send anywhere but 127.0.0.1 goes to a proxy that does not exist and
fails, so a page that renders here needs nothing from outside. What the page logged (CSP violations
among it) and every URL it requested are kept for the test to check.
"""

import base64
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.stack import free_ports

#: How long a page may take to show what a test waits for.
PAGE_SECONDS = 60.0
#: The accessibility engine the tests run in each page they check (vendored: tests/e2e/vendor/README.md).
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
#: The impacts a page may not have (axe-core's four: minor, moderate, serious, critical).
BLOCKING = {"serious", "critical"}
#: Where the browser tests keep their screenshots (EISO_TEST_ARTEFACTS, or .artefacts/ in the checkout).
ARTEFACTS = Path(os.environ.get("EISO_TEST_ARTEFACTS", Path(__file__).resolve().parents[2] / ".artefacts"))


class BrowserError(AssertionError):
    pass


@dataclass
class Browser:
    session: httpx.Client

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.session.request(method, path, json=body)
        value = answer.json().get("value")
        if answer.status_code != 200:
            raise BrowserError(f"webdriver {method} {path}: {value}")
        return value

    def open(self, url: str, width: int = 1366, height: int = 900) -> None:
        self._call("POST", "/window/rect", {"width": width, "height": height})
        self._call("POST", "/url", {"url": url})

    def run(self, script: str, *args: Any) -> Any:
        """Run `script` (a function body: `return …`) in the page."""
        return self._call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def wait_for(self, script: str, what: str, seconds: float = PAGE_SECONDS) -> Any:
        """Poll `script` until it returns something truthy, and return that."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.run(script)
            if value:
                return value
            time.sleep(0.2)
        where = self.run("return location.href + ' — ' + document.body.innerText.slice(0, 600)")
        raise BrowserError(
            f"the page never showed {what} within {seconds:.0f} s; at {where}; console: {self.console()}"
        )

    def source(self) -> str:
        return str(self._call("GET", "/source"))

    def screenshot(self) -> bytes:
        return base64.b64decode(self._call("GET", "/screenshot"))

    def keep(self, name: str) -> Path:
        """A screenshot of the page as it is, kept as an artefact of the run (`ARTEFACTS`/name.png)."""
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTEFACTS / f"{name}.png"
        shot.write_bytes(self.screenshot())
        return shot

    def sign_in(self, email: str, password: str) -> None:
        """Fill the identity service's sign-in form, as a person would, and send it."""
        self.wait_for("return document.getElementById('sign-in') !== null", "the sign-in form")
        self.run(
            "document.getElementById('email').value = arguments[0];"
            "document.getElementById('password').value = arguments[1];"
            "document.getElementById('sign-in').requestSubmit();",
            email,
            password,
        )

    def fill(self, values: dict[str, str]) -> None:
        """Type `values` into the fields with those ids (what a person types, replacing what was there)."""
        for field_id, value in values.items():
            self.run(
                "const field = document.getElementById(arguments[0]); field.value = arguments[1];"
                "field.dispatchEvent(new Event('input', {bubbles: true}));",
                field_id,
                value,
            )

    def click(self, selector: str) -> None:
        """Click the element `selector` finds (a link, a button), as a person would."""
        found = self._call("POST", "/element", {"using": "css selector", "value": selector})
        element = next(iter(found.values()))
        self._call("POST", f"/element/{element}/click", {})

    def shows(self, element_id: str, what: str, seconds: float = PAGE_SECONDS) -> None:
        """Wait until the page has an element with this id."""
        self.wait_for(f"return document.getElementById({json.dumps(element_id)}) !== null", what, seconds)

    def value(self, element_id: str, attribute: str = "value") -> str:
        """A field's value (or another attribute of the element with this id)."""
        script = (
            "const e = document.getElementById(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;"
        )
        if attribute == "value":
            script = "const e = document.getElementById(arguments[0]); return e ? e.value : null;"
        return str(self.run(script, element_id, attribute))

    def text(self, selector: str) -> str:
        """The visible text of the first element `selector` finds ("" if there is none)."""
        return str(
            self.run("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", selector)
        )

    def accessibility_violations(self) -> list[str]:
        """What axe-core (WCAG 2.x A and AA rules) finds serious or critical on the page as it is: one
        line per rule and element, empty when there is none."""
        if not self.run("return typeof window.axe !== 'undefined'"):
            self.run(AXE.read_text(encoding="utf-8"))
        script = (
            "const done = arguments[arguments.length - 1];"
            "const rules = {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}};"
            "axe.run(document, rules).then("
            " r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            "  nodes: v.nodes.map(n => n.target.join(' '))}))),"
            " e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));"
        )
        found = self._call("POST", "/execute/async", {"script": script, "args": []})
        return [
            f"{v['impact']} {v['id']}: {v['help']} — {', '.join(v['nodes'][:5])}"
            for v in found
            if v["impact"] in BLOCKING
        ]

    def console(self) -> list[dict[str, Any]]:
        """What the page logged since the last call (level, message): CSP violations are SEVERE."""
        return list(self._call("POST", "/se/log", {"type": "browser"}))

    def requested(self) -> list[str]:
        """Every URL the page asked for since the last call (whether it got an answer or not)."""
        urls = []
        for entry in self._call("POST", "/se/log", {"type": "performance"}):
            event = json.loads(entry["message"])["message"]
            if event["method"] == "Network.requestWillBeSent":
                urls.append(event["params"]["request"]["url"])
        return urls


@contextmanager
def chromium() -> Iterator[Browser]:
    """A fresh headless Chromium (its own profile) for one test."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    assert binary and driver, "chromium or chromedriver is missing: apt-get install chromium chromium-driver"
    (port,) = free_ports(1)
    (nowhere,) = free_ports(1)  # nothing listens there: the "proxy" every outside request fails on
    process = subprocess.Popen(
        [driver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=PAGE_SECONDS)
        _wait_until_up(client, process)
        options = {
            "binary": binary,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                # Loopback always bypasses a proxy; everything else goes to the dead one.
                f"--proxy-server=http://127.0.0.1:{nowhere}",
            ],
            "perfLoggingPrefs": {"enableNetwork": True, "enablePage": False},
        }
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"},
        }
        started = client.post("/session", json={"capabilities": {"alwaysMatch": capabilities}})
        assert started.status_code == 200, f"chromedriver could not start Chromium: {started.text[:500]}"
        session_id = started.json()["value"]["sessionId"]
        session = httpx.Client(base_url=f"http://127.0.0.1:{port}/session/{session_id}", timeout=PAGE_SECONDS)
        try:
            yield Browser(session)
        finally:
            # Ends Chromium too: chromedriver, when stopped, leaves a browser it still drives running.
            ended = client.delete(f"/session/{session_id}")
            assert ended.status_code == 200, f"Chromium did not stop: {ended.text[:300]}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(client: httpx.Client, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrowserError(f"chromedriver exited with {process.returncode}")
        try:
            if client.get("/status").json()["value"]["ready"]:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise BrowserError("chromedriver did not answer within 30 s")


def csp_violations(console: list[dict[str, Any]]) -> list[str]:
    return [e["message"] for e in console if "Content Security Policy" in e["message"]]


def outside(urls: list[str], origin: str) -> list[str]:
    """The URLs that are not the page's own service (data: and blob: URLs stay in the page)."""
    return [u for u in urls if not u.startswith((f"{origin}/", "data:", "blob:"))]
