"""The compliance service's process: the common runtime plus its rule set and its handlers."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import structlog
from prometheus_client import Gauge

from contracts import Topic
from contracts.envelope import derived_id
from contracts.vocabulary import ComplianceStatus, Level
from services.common.clock import local_date
from services.common.metrics import REGISTRY
from services.common.service import Service
from services.compliance import domain, evaluation, report, store
from services.compliance.handlers import Handlers
from services.compliance.rules import RuleSet, load
from services.compliance.scorebook import ComplianceUnitOfWork
from services.compliance.settings import ComplianceSettings

MIGRATIONS = Path(__file__).parent / "migrations"
AGENCIES = Gauge(
    "eiso_compliance_agencies",
    "Agencies active today by level and status for this year (updated, lagging, not_updated).",
    ["level", "status"],
    registry=REGISTRY,
)
DAYS_TO_DEADLINE = Gauge(
    "eiso_compliance_days_to_deadline",
    "Days from today (giờ Việt Nam) to this year's maintenance deadline; negative once it has passed.",
    registry=REGISTRY,
)
log = structlog.get_logger("eiso.compliance")


class ComplianceService(Service[ComplianceUnitOfWork]):
    def __init__(self, settings: ComplianceSettings) -> None:
        super().__init__(settings, MIGRATIONS, ComplianceUnitOfWork)
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
                Topic.NOTIFIER_DELIVERIES,  # for the operator board
            ],
            self.handlers.table(),
        )
        self.on_start.append(self.rescore_if_rules_changed)
        if settings.daily_evaluation:
            self.background.append(self.daily_evaluation)
        self.every(settings.gauge_seconds, self.publish_progress)

    async def rescore_if_rules_changed(self) -> None:
        """Rules are data: when the files changed since the scores were made, make them again."""
        async with self.uow() as uow:
            if await store.get_meta(uow.session, "rules_version") == self.rules.version:
                return
            count = await self.handlers.rescore_all(uow)
            await store.set_meta(uow.session, "rules_version", self.rules.version)
            await uow.commit()
        log.info("rules changed: scores recomputed", scores=count, rules_version=self.rules.version)

    async def statuses(
        self, year: int, day: date
    ) -> AsyncIterator[tuple[dict[str, Any], domain.Facts, report.AgencyStatus]]:
        """Every agency active on `day`, its facts for `year`, and its standing as of that day — one at
        a time, so a caller keeping only the standings never holds the province's records."""
        async with self.reader() as uow:
            async for agency, facts in store.active_facts(uow.session, day, year):
                scored = domain.score(facts, year, self.rules, day)
                status = report.AgencyStatus(
                    agency["code"],
                    agency["name"],
                    Level(agency["level"]),
                    agency["uses_eiso_software"],
                    scored.status,
                    scored.score,
                )
                yield agency, facts, status

    async def publish_progress(self) -> None:
        """The programme's gauges: agencies per level and status this year, days to the deadline."""
        today = local_date(self.clock.now())
        counts = Counter([(s.level, s.status) async for _, _, s in self.statuses(today.year, today)])
        for level in Level:
            for status in ComplianceStatus:
                AGENCIES.labels(level=level.value, status=status.value).set(counts[(level, status)])
        DAYS_TO_DEADLINE.set((self.rules.campaign(today.year).maintenance_deadline - today).days)

    async def evaluate(self, day: date) -> dict[str, int]:
        """Run the evaluation for `day` over every agency active that day; count the notices sent."""
        sent: Counter[str] = Counter()
        async with self.uow() as uow:
            sent_before = await store.all_sent_notices(uow.session)
            async for agency, facts in store.active_facts(uow.session, day, day.year):
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
