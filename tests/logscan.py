"""What must never appear in a log: a whole phone number, an e-mail address, an API key, a password, a
session token — and what every log line must be: one JSON object (so CR/LF in user input cannot
forge a line).

`make test` scans every service log the run wrote (tests/conftest.py, at the end of the session) and
fails the run, naming file and line, when one breaks these rules."""

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

SERVICES = ("identity", "registry", "compliance", "training", "notifier")
#: Vietnamese mobile numbers (+84/84/0 then 3, 5, 7, 8 or 9 and eight digits), not inside an id.
PHONE = re.compile(r"(?<![\w*-])(?:\+?84|0)[35789]\d{8}(?![\w-])")
EMAIL = re.compile(r"(?<![\w*])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
API_KEY = re.compile(r"eiso_[0-9a-z]+_[A-Za-z0-9_-]{16,}")
PASSWORD = re.compile(r"(?i)\"?(?:password|passwd|pwd)\"?\s*[:=]\s*\"?(?!\*)[^\s\"',}]{3,}")
#: A signed token (JWT: three base64url parts, the first two JSON objects).
TOKEN = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")
RULES = {
    "phone number": PHONE,
    "e-mail address": EMAIL,
    "API key": API_KEY,
    "password": PASSWORD,
    "session token": TOKEN,
}


def service_logs(folder: Path) -> list[Path]:
    """The services' own logs under `folder` (not Kafka's segment files, which end in .log too)."""
    return sorted(p for p in folder.rglob("*.log") if p.name.split(".")[0] in SERVICES)


def problems(lines: Iterable[str], secrets: Iterable[str] = ()) -> Iterator[str]:
    """Why each bad line is bad (the offending text masked, so the report leaks nothing either)."""
    literal = [s for s in secrets if s]
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict) or "event" not in entry:
                raise ValueError("not a log entry")
        except ValueError:
            yield f"line {number}: not one JSON log entry (a forged or broken line): {mask(line[:80])}"
            continue
        for what, pattern in RULES.items():
            for found in pattern.findall(line):
                yield f"line {number}: a {what} ({mask(found)})"
        if any(secret in line for secret in literal):
            yield f"line {number}: a secret the run used"


def scan(folder: Path, secrets: Iterable[str] = ()) -> list[str]:
    kept = list(secrets)
    return [
        f"{path}: {problem}"
        for path in service_logs(folder)
        for problem in problems(path.read_text(encoding="utf-8", errors="replace").splitlines(), kept)
    ]


def mask(text: str) -> str:
    return text[:3] + "***" if len(text) > 6 else "***"
