"""Wiring of the registry: its settings, migrations, the inbound gateway and the routes."""

from pathlib import Path

from contracts import Topic
from services.common.auth import keys_router
from services.common.replay import Replay
from services.common.service import Service
from services.registry import store
from services.registry.api import router
from services.registry.handlers import HANDLERS
from services.registry.lookup import ReadAhead
from services.registry.settings import RegistrySettings

MIGRATIONS = Path(__file__).parent / "migrations"
REPLAY = Replay.refused_because(
    "it is the source of record: agencies and records entered through its API are stored in its "
    "database and published from there (the topics are its output, not a copy to rebuild it from)"
)


def build(settings: RegistrySettings | None = None) -> Service:
    service = Service(settings or RegistrySettings(), MIGRATIONS)
    service.consume([Topic.INBOUND_RECORDS], HANDLERS, prepare=ReadAhead.prepare)
    service.routers += [router, keys_router(store.exists)]
    return service
