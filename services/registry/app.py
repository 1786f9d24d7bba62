"""Wiring of the registry: its settings, migrations, the inbound gateway and the routes."""

import re
from datetime import timedelta
from pathlib import Path

from contracts import Topic
from contracts.topics import INBOUND_PATTERN
from services.common.replay import Replay
from services.common.service import Service
from services.registry.api import (
    agencies,
    agency_import,
    dead_letters,
    intake,
    previews,
    records,
    reorganisation,
    systems,
)
from services.registry.domain import source_bound_to_topic
from services.registry.handlers import handlers
from services.registry.settings import RegistrySettings
from services.registry.unit_of_work import RegistryUnitOfWork
from services.registry.usecases.dead_letters import keep_dead_letter

#: What the registry reads: the inbound topics (shared and per system) and the credentials.
CONSUMED = rf"^{re.escape(Topic.IDENTITY_CREDENTIALS)}$|{INBOUND_PATTERN}"
MIGRATIONS = Path(__file__).parent / "migrations"
REPLAY = Replay.refused_because(
    "it is the source of record: agencies and records entered through its API are stored in its "
    "database and published from there (the topics are its output, not a copy to rebuild it from)"
)


def build(settings: RegistrySettings | None = None) -> Service[RegistryUnitOfWork]:
    settings = settings or RegistrySettings()
    service = Service(settings, MIGRATIONS, RegistryUnitOfWork)
    service.consume(
        [Topic.INBOUND_RECORDS, Topic.IDENTITY_CREDENTIALS],
        handlers(timedelta(seconds=settings.inbound_clock_skew_seconds)),
        refuse_reused_ids=True,  # outside publishers must learn that an id was reused
        # The shared inbound topic, each system's own (created when it gets Kafka credentials), and
        # the credentials; on a system's topic the source is the topic's system.
        pattern=CONSUMED,
        admit=source_bound_to_topic,
        keep_dead_letter=keep_dead_letter,  # for operators to read by system and re-drive
    )
    # In this order, the routes' order in the OpenAPI document.
    routes = [agencies, reorganisation, previews, agency_import, records, systems, intake, dead_letters]
    service.routers += [module.router for module in routes]
    return service
