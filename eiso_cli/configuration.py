"""The configuration reference (docs/configuration.md), generated from the settings classes so that
it cannot drift from what the services read. `make docs` writes it; a test fails when it is stale."""

import inspect
import sys
from pathlib import Path
from typing import Any

from pydantic import AliasChoices
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from eiso_cli.processes import ROOT, env_prefix
from services.common.settings import ServiceSettings
from services.compliance.settings import ComplianceSettings
from services.identity.settings import IdentitySettings
from services.notifier.settings import NotifierSettings
from services.portal.settings import PortalSettings
from services.registry.settings import RegistrySettings
from services.training.settings import TrainingSettings

TARGET = ROOT / "docs" / "configuration.md"
SETTINGS: dict[str, type[BaseSettings]] = {
    "registry": RegistrySettings,
    "compliance": ComplianceSettings,
    "training": TrainingSettings,
    "notifier": NotifierSettings,
    "identity": IdentitySettings,
    "portal": PortalSettings,
}
#: Read by every service under its own prefix (listed once, under "every service").
COMMON = set(ServiceSettings.model_fields)
SECRET_WORDS = ("password", "secret", "key", "token")
#: What the per-service fields every service has mean.
SHARED = {
    "service_name": "The service's name: in its logs, its CloudEvents `source`, its default group.",
    "http_port": "Port of its HTTP API, `/health/live`, `/health/ready` and `/metrics`.",
    "database_url": "Its own database: SQLite by default, `postgresql+asyncpg://…` in production.",
}


def unprefixed(cls: type[BaseSettings]) -> dict[str, str]:
    """The settings `cls` reads under one unprefixed name, by field name: for `ServiceSettings`, what
    every service must agree on (the topics' layout and retention)."""
    return {
        name: str(field.validation_alias.choices[0])
        for name, field in cls.model_fields.items()
        if isinstance(field.validation_alias, AliasChoices)
    }


def _default(name: str, field: FieldInfo) -> str:
    if field.is_required():
        return "*(required)*"
    value: Any = field.get_default(call_default_factory=True)
    if value is None:
        return "—"
    if any(word in name for word in SECRET_WORDS):
        return "*(none)*"
    if isinstance(value, Path) and value.is_relative_to(ROOT):
        value = value.relative_to(ROOT)
    return f"`{value}`"


def _describe(field: FieldInfo) -> str:
    return " ".join((field.description or "").split())


def _comments(cls: type) -> dict[str, str]:
    """The `#:` comment above each field in the class's source: the reason a setting exists."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        try:
            lines = inspect.getsource(klass).splitlines()
        except (OSError, TypeError):
            continue
        pending: list[str] = []
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("#:"):
                pending.append(stripped[2:].strip())
                continue
            name = stripped.split(":", 1)[0].strip()
            if pending and name.isidentifier():
                found[name] = " ".join(pending)
            pending = []
    return found


def render() -> str:
    out = [
        "# Configuration reference",
        "",
        "Generated from the settings classes by `make docs` (do not edit by hand). Every setting is an",
        "environment variable `EISO_<SERVICE>_<NAME>`, but for the few on which all services must agree",
        "(the topics' layout and retention), read unprefixed by every service, and the identity",
        "service's bootstrap key (`EISO_BOOTSTRAP_OPERATOR_KEY`). Times are UTC on the wire; dates and",
        "hours people see are giờ Việt Nam.",
        "",
        "## Every service (`EISO_<SERVICE>_…`)",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    notes = _comments(ServiceSettings)
    shared = unprefixed(ServiceSettings)
    for name, field in ServiceSettings.model_fields.items():
        if name in shared or field.is_required():
            continue  # the required ones are listed under each service, with its default
        meaning = _describe(field) or notes.get(name, "")
        out.append(f"| `EISO_<SERVICE>_{name.upper()}` | {_default(name, field)} | {meaning} |")
    out += ["", "## Every service, one value for all (unprefixed)", ""]
    out += ["| variable | default | meaning |", "|---|---|---|"]
    for name, variable in shared.items():
        field = ServiceSettings.model_fields[name]
        meaning = _describe(field) or notes.get(name, "")
        out.append(f"| `{variable}` | {_default(name, field)} | {meaning} |")
    for service, cls in SETTINGS.items():
        notes = _comments(cls)
        own_names = unprefixed(cls)  # a service's own setting under a name of its own (none, mostly)
        out += ["", f"## {service}", "", "| variable | default | meaning |", "|---|---|---|"]
        for name, field in cls.model_fields.items():
            if name in COMMON and name not in ("service_name", "http_port", "database_url"):
                continue
            meaning = _describe(field) or notes.get(name) or SHARED.get(name, "")
            variable = own_names.get(name, f"{env_prefix(service)}{name.upper()}")
            out.append(f"| `{variable}` | {_default(name, field)} | {meaning} |")
    return "\n".join(out) + "\n"


def main() -> int:
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
