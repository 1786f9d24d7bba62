"""Wiring of the compliance service: its rule set, consumers, routes, start-up re-score, the daily
evaluation and the gauges. What each does is in the subdomains' use cases."""

import asyncio
from pathlib import Path

import structlog

from contracts import Topic
from services.common.clock import local_date
from services.common.replay import Replay
from services.common.service import Service
from services.compliance import handlers
from services.compliance.board import api as board_api
from services.compliance.board import reports_api
from services.compliance.board.usecases import publish_progress
from services.compliance.evaluation import api as evaluation_api
from services.compliance.evaluation.tables import notices
from services.compliance.evaluation.usecases import evaluate, last_evaluated
from services.compliance.inspections import api as inspections_api
from services.compliance.scoring import api as scoring_api
from services.compliance.scoring.rules import RuleSet, load
from services.compliance.scoring.usecases import rescore_if_rules_changed
from services.compliance.settings import ComplianceSettings
from services.compliance.unit_of_work import ComplianceUnitOfWork

MIGRATIONS = Path(__file__).parent / "migrations"
#: Everything else comes from the topics: scores from the records, the plan from its own inspections
#: topic, the board's read models from training's and the notifier's. `notices` is what the daily
#: evaluation has told each agency — its once-only memory and the board's reminder counts; compliance
#: publishes each notice but does not read its own status topic back (mostly score changes), so a
#: rebuild keeps the rows it replaces.
REPLAY = Replay.from_topics(notices.name)
log = structlog.get_logger("eiso.compliance")


class ComplianceService(Service[ComplianceUnitOfWork]):
    """The common runtime with compliance's rule set (its routes and jobs read `rules`)."""

    def __init__(self, settings: ComplianceSettings) -> None:
        super().__init__(settings, MIGRATIONS, ComplianceUnitOfWork)
        self.rules: RuleSet = load(settings.rules_dir)
        self.evaluation_check_seconds = settings.evaluation_check_seconds
        # Its own inspections topic too: a rebuild from the topics restores the inspection plan.
        self.consume(
            [
                Topic.REGISTRY_AGENCIES,
                Topic.REGISTRY_RECORDS,
                Topic.TRAINING_SESSIONS,
                Topic.COMPLIANCE_INSPECTIONS,
                Topic.NOTIFIER_DELIVERIES,  # for the operator board
                Topic.IDENTITY_CREDENTIALS,  # who may call
            ],
            handlers.table(self.rules),
        )
        self.on_start.append(self.rescore_if_rules_changed)
        if settings.daily_evaluation:
            self.background.append(self.daily_evaluation)
        self.every(settings.gauge_seconds, self.publish_progress)

    async def rescore_if_rules_changed(self) -> None:
        count = await self.command(rescore_if_rules_changed, self.rules)
        if count is not None:
            log.info("rules changed: scores recomputed", scores=count, rules_version=self.rules.version)

    async def publish_progress(self) -> None:
        await self.query(publish_progress, self.rules)

    async def daily_evaluation(self) -> None:
        """Evaluate each new day (giờ Việt Nam) once, at the injectable clock's date."""
        while True:
            try:
                today = local_date(self.clock.now())
                last = await self.query(last_evaluated)
                if last is None or last < today:
                    await self.command(evaluate, self.rules, today)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the next round tries again; readiness shows the database state
                log.warning("daily evaluation failed; will retry", error=repr(exc))
            await asyncio.sleep(self.evaluation_check_seconds)


def build(settings: ComplianceSettings | None = None) -> ComplianceService:
    service = ComplianceService(settings or ComplianceSettings())
    service.routers += [
        scoring_api.router,
        reports_api.router,
        evaluation_api.router,
        inspections_api.router,
        board_api.router,
    ]
    service.static_dirs.append(board_api.STATIC_DIR)
    return service
