"""Wiring of the compliance service."""

from services.common.auth import keys_router
from services.compliance import store
from services.compliance.api import router
from services.compliance.board import STATIC_DIR as BOARD_STATIC
from services.compliance.board import router as board_router
from services.compliance.inspection_api import router as inspection_router
from services.compliance.runtime import ComplianceService
from services.compliance.settings import ComplianceSettings


def build(settings: ComplianceSettings | None = None) -> ComplianceService:
    service = ComplianceService(settings or ComplianceSettings())
    service.routers += [router, inspection_router, board_router, keys_router(store.agency_known)]
    service.static_dirs.append(BOARD_STATIC)
    return service
