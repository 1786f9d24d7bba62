"""Wiring of the training service."""

from services.common.auth import keys_router
from services.training import store
from services.training.api import router
from services.training.runtime import TrainingService
from services.training.settings import TrainingSettings


def build(settings: TrainingSettings | None = None) -> TrainingService:
    service = TrainingService(settings or TrainingSettings())
    service.routers += [router, keys_router(store.agency_known)]
    return service
