"""Wiring of the notifier service."""

from services.common.auth import keys_router
from services.notifier import store
from services.notifier.api import router
from services.notifier.runtime import NotifierService
from services.notifier.settings import NotifierSettings


async def _known(session: object, code: str) -> bool:
    return await store.agency(session, code) is not None  # type: ignore[arg-type]


def build(settings: NotifierSettings | None = None) -> NotifierService:
    service = NotifierService(settings or NotifierSettings())
    service.routers += [router, keys_router(_known)]
    return service
