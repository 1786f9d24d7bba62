"""Wiring of the compliance service."""

from services.common.auth import keys_router
from services.common.replay import Replay
from services.compliance import store
from services.compliance.api import router
from services.compliance.board import STATIC_DIR as BOARD_STATIC
from services.compliance.board import router as board_router
from services.compliance.inspection_api import router as inspection_router
from services.compliance.runtime import ComplianceService
from services.compliance.settings import ComplianceSettings

#: Everything else comes from the topics: scores from the records, the plan from its own inspections
#: topic, the board's read models from training's and the notifier's. `notices` is what the daily
#: evaluation has told each agency — its once-only memory and the board's reminder counts; compliance
#: publishes each notice but does not read its own status topic back (mostly score changes), so a
#: rebuild keeps the rows it replaces.
REPLAY = Replay.from_topics(store.notices.name)


def build(settings: ComplianceSettings | None = None) -> ComplianceService:
    service = ComplianceService(settings or ComplianceSettings())
    service.routers += [router, inspection_router, board_router, keys_router(store.replica.known)]
    service.static_dirs.append(BOARD_STATIC)
    return service
