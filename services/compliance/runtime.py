"""The compliance service's process: the common runtime plus its rule set and its handlers."""

from pathlib import Path

import structlog

from contracts import Topic
from services.common.service import Service
from services.compliance import store
from services.compliance.handlers import Handlers
from services.compliance.rules import RuleSet, load
from services.compliance.settings import ComplianceSettings

MIGRATIONS = Path(__file__).parent / "migrations"
log = structlog.get_logger("eiso.compliance")


class ComplianceService(Service):
    def __init__(self, settings: ComplianceSettings) -> None:
        super().__init__(settings, MIGRATIONS)
        self.rules: RuleSet = load(settings.rules_dir)
        self.handlers = Handlers(self.rules)
        self.consume([Topic.REGISTRY_AGENCIES, Topic.REGISTRY_RECORDS], self.handlers.table())
        self.on_start.append(self.rescore_if_rules_changed)

    async def rescore_if_rules_changed(self) -> None:
        """Rules are data: when the files changed since the scores were made, make them again."""
        async with self.uow() as uow:
            if await store.get_meta(uow.session, "rules_version") == self.rules.version:
                return
            count = await self.handlers.rescore_all(uow)
            await store.set_meta(uow.session, "rules_version", self.rules.version)
            await uow.commit()
        log.info("rules changed: scores recomputed", scores=count, rules_version=self.rules.version)
