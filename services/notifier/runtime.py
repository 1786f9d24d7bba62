"""The notifier's process: consume findings into messages, send what is due, climb the ladders."""

import asyncio
from datetime import timedelta
from pathlib import Path

import structlog

from contracts import Topic
from contracts.deliveries import RecipientRole
from contracts.vocabulary import Level
from services.common.clock import local_date
from services.common.db import exclusive_turn
from services.common.service import Service
from services.common.uow import UnitOfWork
from services.notifier import policy, store, templates
from services.notifier.dispatcher import Dispatcher, SendingRules
from services.notifier.gateways import EsmsGateway, FileGateway, Gateway, SpeedSmsGateway
from services.notifier.handlers import Delays, Handlers, notify
from services.notifier.mailer import FolderMailer, Mailer
from services.notifier.settings import GatewayKind, NotifierSettings
from services.notifier.sms import check_brandname

MIGRATIONS = Path(__file__).parent / "migrations"
DISPATCH_LOCK = 0x6E1500D15  # pg advisory lock key: one dispatcher at a time
log = structlog.get_logger("eiso.notifier")


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


class NotifierService(Service[UnitOfWork]):
    def __init__(self, settings: NotifierSettings) -> None:
        super().__init__(settings, MIGRATIONS, UnitOfWork)
        self.notifier_settings = settings
        self.templates = templates.load(settings.templates_file, settings.max_sms_segments)
        self.ladder = policy.Ladder(settings.escalate_to_head_days, settings.escalate_to_supervisor_days)
        self.delays = Delays(timedelta(seconds=settings.digest_seconds))
        kinds = [settings.sms_primary] + ([settings.sms_fallback] if settings.sms_fallback else [])
        self.dispatcher = Dispatcher(
            self.templates,
            self.calendar,
            SendingRules(
                quiet_opens=settings.quiet_hours_start,
                quiet_closes=settings.quiet_hours_end,
                working_days_only=settings.working_days_only,
                throttle_limit=settings.throttle_per_day,
                throttle_window=timedelta(hours=24),
                attempts_per_gateway=settings.attempts_per_gateway,
                backoff_base=settings.backoff_base_seconds,
                backoff_cap=settings.backoff_cap_seconds,
                brandname=check_brandname(settings.brandname),
                digest_window=self.delays.digest,
                lease=timedelta(seconds=settings.lease_seconds),
            ),
            [gateway(kind, settings) for kind in kinds],
            FolderMailer("folder", "", 0, settings.smtp_sender, folder=settings.mail_folder)
            if settings.mail_folder
            else Mailer(
                "smtp",
                settings.smtp_host,
                settings.smtp_port,
                settings.smtp_sender,
                username=settings.smtp_username,
                password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
                start_tls=settings.smtp_starttls,
            ),
        )
        self.consume(
            [
                Topic.REGISTRY_AGENCIES,
                Topic.REGISTRY_RECORDS,
                Topic.COMPLIANCE_STATUS,
                Topic.COMPLIANCE_INSPECTIONS,
                Topic.TRAINING_SESSIONS,
                Topic.NOTIFIER_DELIVERIES,  # its own, so that a rebuild sends nothing twice
            ],
            Handlers(self.delays, self.calendar).table(),
        )
        self.background.append(self.dispatch)

    async def dispatch(self) -> None:
        """Send what is due and climb the ladders, again and again; a failed round is retried."""
        while True:
            try:
                async with exclusive_turn(self.engine, DISPATCH_LOCK) as mine:
                    if mine:  # replicas take turns: one dispatcher sends at a time
                        await self.escalate()
                        await self.dispatcher.run_once(self.uow)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the next round tries again; readiness shows the database state
                log.warning("dispatch round failed; will retry", error=repr(exc))
            await asyncio.sleep(self.notifier_settings.dispatch_seconds)

    async def escalate(self) -> int:
        """Each open ladder whose next step is due today (working days) takes it: the head, then the
        supervising agency's head. Each step is a message key of its own, so it is sent once."""
        taken = 0
        async with self.uow() as uow:
            today = local_date(uow.clock.now())
            for ladder in await store.open_escalations(uow.session):
                step = ladder["step"] + 1
                due = self.ladder.step_due(step, ladder["started_on"], self.calendar)
                if due is None or due > today:
                    continue
                code, year = ladder["agency_code"], ladder["year"]
                target = code if step == 1 else await self.supervisor_of(uow.session, code)
                days = self.ladder.to_head if step == 1 else self.ladder.to_head + self.ladder.to_supervisor
                agency = await store.replica.get(uow.session, code)
                context = {"year": year, "days": days, "agency": agency.name if agency else code}
                role = RecipientRole.HEAD if step == 1 else RecipientRole.SUPERVISOR
                if target is not None:
                    period = f"{code}:{year}:step{step}"
                    await notify(uow, self.delays, target, "escalation", period, (role,), context)
                await store.advance(uow.session, code, year, step)
                taken += 1
            await uow.commit()
        return taken

    async def supervisor_of(self, session: object, code: str) -> str | None:
        """The district for a commune; the department of science and technology for the others."""
        agency = await store.replica.get(session, code)  # type: ignore[arg-type]
        if agency and agency.level == Level.COMMUNE and agency.parent_code:
            return agency.parent_code
        return self.notifier_settings.supervisor_code
