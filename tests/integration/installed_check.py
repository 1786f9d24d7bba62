"""Run by tests/integration/test_installed_package.py with the Python of a fresh virtualenv that has
only the built wheel installed (its dependencies come from the project's .venv), from a folder
outside the repository: everything below must come from the installed package.

Usage: python installed_check.py SITE_PACKAGES WORK_DIR
"""

import asyncio
import json
import sqlite3
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

SITE, WORK = Path(sys.argv[1]), Path(sys.argv[2])
KEY = "eiso_installed_c2VjcmV0LWZvci10aGUtY2hlY2s"


def from_the_wheel() -> None:
    import contracts
    import eiso_cli
    import services

    for package in (contracts, services, eiso_cli):
        origin = Path(str(package.__file__)).resolve()
        assert origin.is_relative_to(SITE.resolve()), f"{package.__name__} imported from {origin}"
        assert (origin.parent / "py.typed").is_file(), f"{package.__name__} has no py.typed"


def data_files() -> None:
    from services.common.workdays import load as load_workdays
    from services.compliance.scoring.rules import load as load_rules
    from services.notifier.templates import load as load_templates
    from services.training.settings import WINDOWS_FILE
    from services.training.windows import load as load_windows

    assert load_rules().rules, "the compliance rules"
    assert load_templates(), "the notifier's message templates"
    assert load_workdays(), "the working-day calendar and the province's overrides"
    assert load_windows(WINDOWS_FILE), "the training windows"
    schemas = [
        p for p in resources.files("contracts").joinpath("schemas").iterdir() if p.name.endswith(".json")
    ]
    assert len(schemas) > 20 and all(json.loads(p.read_text(encoding="utf-8"))["$id"] for p in schemas)
    asyncapi = resources.files("contracts").joinpath("asyncapi.yaml").read_text(encoding="utf-8")
    assert json.loads(asyncapi)["asyncapi"].startswith("3.")


async def each_service_migrates_and_serves_its_pages() -> None:
    from datetime import UTC, datetime

    from contracts.identity import CredentialData, Role
    from services.common import credentials
    from services.common.migrations import upgrade
    from services.common.service import Service
    from services.compliance.app import build as compliance
    from services.compliance.settings import ComplianceSettings
    from services.identity.app import build as identity
    from services.identity.settings import IdentitySettings
    from services.notifier.app import build as notifier
    from services.notifier.settings import NotifierSettings
    from services.registry.app import build as registry
    from services.registry.settings import RegistrySettings
    from services.training.app import build as training
    from services.training.settings import TrainingSettings

    builds: dict[str, Callable[[str], Service[Any]]] = {
        "registry": lambda url: registry(RegistrySettings(database_url=url)),
        "compliance": lambda url: compliance(ComplianceSettings(database_url=url)),
        "training": lambda url: training(TrainingSettings(database_url=url)),
        "notifier": lambda url: notifier(NotifierSettings(database_url=url)),
        "identity": lambda url: identity(IdentitySettings(database_url=url)),
    }
    key_id, secret = KEY.split("_", 2)[1:]
    operator = CredentialData(
        credential_id=key_id,
        name="operator",
        role=Role.OPERATOR,
        digest=credentials.digest(secret),
        created_at=datetime.now(UTC),
    )
    for name, build in builds.items():
        database = WORK / f"{name}.db"
        url = f"sqlite+aiosqlite:///{database}"
        service = build(url)
        await asyncio.to_thread(upgrade, service.migrations, url)
        with sqlite3.connect(database) as connection:
            tables = {
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        assert {"alembic_version", "outbox", "inbox", "api_keys"} <= tables, f"{name}: {sorted(tables)}"
        async with service.uow() as uow:  # as the replica applies the identity service's event
            await credentials.save(uow.session, operator)
            await uow.commit()
        transport = httpx.ASGITransport(app=service.app())
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for page in ("/docs", "/redoc"):
                html = (await client.get(page)).text
                for asset in [a for a in html.split('"') if a.startswith("/static/")]:
                    answer = await client.get(asset)
                    assert answer.status_code == 200 and answer.content, f"{name}: {asset}"
            if name == "compliance":
                board = await client.get(
                    "/board", params={"year": 2022}, headers={"Authorization": f"Bearer {KEY}"}
                )
                assert board.status_code == 200, board.text
                assert "Bảng điều hành ISO điện tử — năm 2022" in board.text
                assert (await client.get("/static/board.css")).status_code == 200
        await service.engine.dispose()


from_the_wheel()
data_files()
asyncio.run(each_service_migrates_and_serves_its_pages())
print("the installed package works")
