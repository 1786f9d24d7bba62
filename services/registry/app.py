"""Wiring of the registry: its settings, migrations and routes on the common runtime."""

from pathlib import Path

from services.common.service import Service
from services.registry.api import router
from services.registry.settings import RegistrySettings

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: RegistrySettings | None = None) -> Service:
    service = Service(settings or RegistrySettings(), MIGRATIONS)
    service.routers.append(router)
    return service
