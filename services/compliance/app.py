"""Wiring of the compliance service."""

from pathlib import Path

from contracts import Topic
from services.common.auth import keys_router
from services.common.service import Service
from services.compliance import store
from services.compliance.api import router
from services.compliance.handlers import HANDLERS
from services.compliance.settings import ComplianceSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: ComplianceSettings | None = None) -> Service:
    service = Service(settings or ComplianceSettings(), MIGRATIONS)
    service.consume([Topic.REGISTRY_AGENCIES, Topic.REGISTRY_RECORDS], HANDLERS)
    service.routers += [router, keys_router(store.agency_known)]
    return service
