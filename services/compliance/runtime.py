"""The compliance service's process: the common runtime plus its rule set and its handlers."""

import asyncio
from collections import Counter
from datetime import date
from pathlib import Path

import structlog

from contracts import Topic
from contracts.envelope import derived_id
from services.common.clock import local_date
from services.common.service import Service
from services.compliance import evaluation, store
from services.compliance.handlers import Handlers
from services.compliance.rules import RuleSet, load
from services.compliance.settings import ComplianceSettings

MIGRATIONS = Path(__file__).parent / "migrations"
log = structlog.get_logger("eiso.compliance")


class ComplianceService(Service):
    def __init__(self, settings: ComplianceSettings) -> None:
        super().__init__(settings, MIGRATIONS)
        self.rules: RuleSet = load(settings.rules_dir)
        self.evaluation_check_seconds = settings.evaluation_check_seconds
        self.handlers = Handlers(self.rules)
        # Its own inspections topic too: a rebuild from the topics restores the inspection plan.
        self.consume(
            [
                Topic.REGISTRY_AGENCIES,
                Topic.REGISTRY_RECORDS,
                Topic.TRAINING_SESSIONS,
                Topic.COMPLIANCE_INSPECTIONS,
            ],
            self.handlers.table(),
        )
        self.on_start.append(self.rescore_if_rules_changed)
        if settings.daily_evaluation:
            self.background.append(self.daily_evaluation)

    async def rescore_if_rules_changed(self) -> None:
        """Rules are data: when the files changed since the scores were made, make them again."""
        async with self.uow() as uow:
            if await store.get_meta(uow.session, "rules_version") == self.rules.version:
                return
            count = await self.handlers.rescore_all(uow)
            await store.set_meta(uow.session, "rules_version", self.rules.version)
            await uow.commit()
        log.info("rules changed: scores recomputed", scores=count, rules_version=self.rules.version)

    async def evaluate(self, day: date) -> dict[str, int]:
        """Run the evaluation for `day` over every agency active that day; count the notices sent."""
        sent: Counter[str] = Counter()
        async with self.uow() as uow:
            sent_before = await store.all_sent_notices(uow.session)
            for agency, facts in await store.active_facts(uow.session, day):
                code = agency["code"]
                for notice in evaluation.due(facts, self.rules, day, sent_before.get(code, set())):
                    event = notice.kind.create(
                        source=uow.source,
                        subject=code,
                        data=notice.data,
                        time=uow.clock.now(),
                        event_id=derived_id("notice", code, *notice.key),
                    )
                    uow.emit(Topic.COMPLIANCE_STATUS, event)
                    await store.add_notice(
                        uow.session, code, notice.kind.event_type, notice.period, str(event.id), day
                    )
                    sent[notice.kind.event_type] += 1
            await store.set_meta(uow.session, "last_evaluation", day.isoformat())
            await uow.commit()
        log.info("evaluation done", day=day.isoformat(), notices=dict(sent))
        return dict(sent)

    async def daily_evaluation(self) -> None:
        """Evaluate each new day (giờ Việt Nam) once, at the injectable clock's date."""
        while True:
            try:
                today = local_date(self.clock.now())
                async with self.reader() as uow:
                    last = await store.get_meta(uow.session, "last_evaluation")
                if last is None or date.fromisoformat(last) < today:
                    await self.evaluate(today)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the next round tries again; readiness shows the database state
                log.warning("daily evaluation failed; will retry", error=repr(exc))
            await asyncio.sleep(self.evaluation_check_seconds)
