"""Wiring of the notifier: its settings, templates, gateways and mailer; the consumer of findings into
messages; the routes; and the background round that climbs the ladders and sends what is due."""

import asyncio
from datetime import timedelta
from pathlib import Path

import structlog

from contracts import Topic
from services.common.db import exclusive_turn
from services.common.mailer import mailer_from
from services.common.replay import Replay
from services.common.service import Service
from services.notifier import policy, templates
from services.notifier.api import router
from services.notifier.gateways import EsmsGateway, FileGateway, Gateway, SpeedSmsGateway
from services.notifier.handlers import handlers
from services.notifier.settings import GatewayKind, NotifierSettings
from services.notifier.sms import check_brandname
from services.notifier.store import NotifierUnitOfWork
from services.notifier.usecases.dispatch import Dispatcher
from services.notifier.usecases.escalation import climb_ladders
from services.notifier.usecases.messages import Delays

MIGRATIONS = Path(__file__).parent / "migrations"
DISPATCH_LOCK = 0x6E1500D15  # pg advisory lock key: one dispatcher at a time
log = structlog.get_logger("eiso.notifier")

#: Its messages are rebuilt (its own deliveries topic says which went), but not their sending details
#: (gateway, SMS parts, when sent: the cost preview and the summary), nor its escalation ladders (when
#: each started, the steps taken, what stopped it): their handlers take the clock's today, so a rebuild
#: would restart every ladder on the day it runs, in whatever order the topics interleave.
REPLAY = Replay.refused_because(
    "its escalation ladders (when each started, the steps taken, what stopped it) and the sending "
    "details of its messages (gateway, SMS parts, when sent) are kept only in its database"
)


def gateway(kind: GatewayKind, settings: NotifierSettings) -> Gateway:
    if kind == "esms":
        assert settings.esms_api_key and settings.esms_secret_key
        return EsmsGateway(
            "esms",
            settings.esms_url,
            settings.esms_api_key.get_secret_value(),
            settings.esms_secret_key.get_secret_value(),
            settings.esms_sandbox,
            settings.gateway_timeout_seconds,
        )
    if kind == "speedsms":
        assert settings.speedsms_token
        return SpeedSmsGateway(
            "speedsms",
            settings.speedsms_url,
            settings.speedsms_token.get_secret_value(),
            settings.gateway_timeout_seconds,
        )
    return FileGateway("file", settings.sms_file)


def sending_rules(settings: NotifierSettings, digest: timedelta) -> policy.SendingRules:
    return policy.SendingRules(
        quiet_opens=settings.quiet_hours_start,
        quiet_closes=settings.quiet_hours_end,
        working_days_only=settings.working_days_only,
        throttle_limit=settings.throttle_per_day,
        throttle_window=timedelta(hours=24),
        attempts_per_gateway=settings.attempts_per_gateway,
        backoff_base=settings.backoff_base_seconds,
        backoff_cap=settings.backoff_cap_seconds,
        brandname=check_brandname(settings.brandname),
        digest_window=digest,
        lease=timedelta(seconds=settings.lease_seconds),
    )


class NotifierService(Service[NotifierUnitOfWork]):
    """The service with what its routes and its round need: the settings, the templates (linted
    here, at start), the ladder and the dispatcher."""

    def __init__(self, settings: NotifierSettings) -> None:
        super().__init__(settings, MIGRATIONS, NotifierUnitOfWork)
        self.notifier_settings = settings
        self.templates = templates.load(settings.templates_file, settings.max_sms_segments)
        self.ladder = policy.Ladder(settings.escalate_to_head_days, settings.escalate_to_supervisor_days)
        self.delays = Delays(timedelta(seconds=settings.digest_seconds))
        kinds = [settings.sms_primary] + ([settings.sms_fallback] if settings.sms_fallback else [])
        self.dispatcher = Dispatcher(
            self.templates,
            self.calendar,
            sending_rules(settings, self.delays.digest),
            [gateway(kind, settings) for kind in kinds],
            mailer_from(settings),
        )
        self.consume(
            [
                Topic.REGISTRY_AGENCIES,
                Topic.REGISTRY_RECORDS,
                Topic.COMPLIANCE_STATUS,
                Topic.COMPLIANCE_INSPECTIONS,
                Topic.TRAINING_SESSIONS,
                Topic.NOTIFIER_DELIVERIES,  # its own, so that a rebuild sends nothing twice
                Topic.IDENTITY_CREDENTIALS,  # who may call
            ],
            handlers(self.delays, self.calendar),
        )
        self.background.append(self.dispatch)
        self.routers.append(router)

    async def dispatch(self) -> None:
        """Climb the ladders and send what is due, again and again; a failed round is retried."""
        while True:
            try:
                async with exclusive_turn(self.engine, DISPATCH_LOCK) as mine:
                    if mine:  # replicas take turns: one dispatcher sends at a time
                        await self.escalate()
                        await self.dispatcher.run_once(self.command)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the next round tries again; readiness shows the database state
                log.warning("dispatch round failed; will retry", error=repr(exc))
            await asyncio.sleep(self.notifier_settings.dispatch_seconds)

    async def escalate(self) -> int:
        """The ladders' steps due today, taken (how many)."""
        department = self.notifier_settings.supervisor_code
        return await self.command(climb_ladders, self.ladder, self.calendar, self.delays, department)


def build(settings: NotifierSettings | None = None) -> NotifierService:
    return NotifierService(settings or NotifierSettings())
