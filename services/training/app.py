"""Wiring of the training service."""

from services.common.auth import keys_router
from services.common.replay import Replay
from services.training import store
from services.training.api import router
from services.training.runtime import TrainingService
from services.training.settings import TrainingSettings

REPLAY = Replay.refused_because(
    "courses, sessions, enrolments, attendance and certificates are entered through its API and kept "
    "only in its database (its topic tells the others what they need, not enough to rebuild them)"
)


def build(settings: TrainingSettings | None = None) -> TrainingService:
    service = TrainingService(settings or TrainingSettings())
    service.routers += [router, keys_router(store.replica.known)]
    return service
