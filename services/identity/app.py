"""Wiring of the identity service: its settings, the bootstrap operator key, its copy of the agencies,
the routes, and the background sender of its e-mails (invitations)."""

import asyncio
from datetime import timedelta
from pathlib import Path

import structlog

from contracts import Topic
from contracts.topics import AUDIT_TOPICS
from services.common.db import exclusive_turn
from services.common.mailer import mailer_from
from services.common.replay import Replay
from services.common.service import Service
from services.identity.api import accounts, audit, feeds, invitations, jwks, keys, signing_in, sso, systems
from services.identity.broker_accounts import BrokerAccounts
from services.identity.handlers import HANDLERS
from services.identity.keys import bootstrap_parts
from services.identity.mail import Backoff
from services.identity.people import Throttle
from services.identity.provider import Provider
from services.identity.settings import IdentitySettings
from services.identity.unit_of_work import IdentityUnitOfWork
from services.identity.usecases.keys import ensure_bootstrap_key
from services.identity.usecases.mail import MailSender
from services.identity.usecases.people import ensure_signing_key
from services.identity.usecases.signing_in import Policy

log = structlog.get_logger("eiso.identity")
MIGRATIONS = Path(__file__).parent / "migrations"
MAIL_LOCK = 0x1D3A11  # pg advisory lock key: one sender of e-mails at a time
REPLAY = Replay.refused_because(
    "it is the source of record of credentials: keys are issued through its API and stored in its "
    "database (its topic carries digests for the replicas, and every replica is rebuilt from it)"
)


class IdentityService(Service[IdentityUnitOfWork]):
    """The common runtime with the bootstrap operator key, checked at construction (a key that is not
    shaped like one stops the service before it starts), and the sign-in policy."""

    def __init__(self, settings: IdentitySettings) -> None:
        super().__init__(settings, MIGRATIONS, IdentityUnitOfWork)
        self.identity_settings = settings
        self.broker_accounts = BrokerAccounts(settings)
        secret = settings.bootstrap_operator_key
        self.bootstrap_key = secret.get_secret_value() if secret else None
        self.bootstrap_id = bootstrap_parts(self.bootstrap_key)[0] if self.bootstrap_key else None
        self.policy = Policy(
            lifetime=timedelta(hours=settings.sign_in_hours),
            throttle=Throttle(
                lock_after=settings.sign_in_lock_after,
                window=timedelta(seconds=settings.sign_in_failure_window_seconds),
                lock_for=timedelta(seconds=settings.sign_in_lock_seconds),
                delay_step=timedelta(seconds=settings.sign_in_delay_step_seconds),
            ),
            rotate_every=timedelta(days=settings.signing_key_days),
        )
        self.on_start += [self.ensure_bootstrap_key, self.ensure_signing_key]
        self.mail_sender = MailSender(
            mailer_from(settings, sender_name=f"{settings.department_name} (eiso)"),
            Backoff(
                settings.mail_attempts, settings.mail_backoff_base_seconds, settings.mail_backoff_cap_seconds
            ),
            self.clock,
        )
        self.background.append(self.send_mail)
        secret = settings.oidc_client_secret
        self.provider = (
            Provider(
                settings.oidc_issuer, settings.oidc_client_id, secret.get_secret_value() if secret else None
            )
            if settings.oidc_issuer
            else None
        )

    async def ensure_signing_key(self) -> None:
        """A signing key published before the first sign-in, so every replica has it by then."""
        await self.command(ensure_signing_key, self.policy.rotate_every)

    async def send_mail(self) -> None:
        """Send the e-mails due, again and again (woken at once by a new invitation); a failed round
        is retried. Replicas take turns: one sends at a time, so none is sent twice at once."""
        while True:
            try:
                async with exclusive_turn(self.engine, MAIL_LOCK) as mine:
                    if mine:
                        await self.mail_sender.run_once(self.query, self.command)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the next round tries again; readiness shows the database state
                log.warning("mail round failed; will retry", error=repr(exc))
            await self.mail_sender.pause(self.identity_settings.mail_poll_seconds)

    async def ensure_bootstrap_key(self) -> None:
        if self.bootstrap_key is None:
            return
        done = await self.command(ensure_bootstrap_key, self.bootstrap_key)
        if done:  # a restored key (revoked, or its role changed) is worth an operator's attention
            say = log.warning if done == "restored" else log.info
            say(
                f"bootstrap operator key {done}",
                key_id=self.bootstrap_id,
                setting="EISO_BOOTSTRAP_OPERATOR_KEY",
            )


def build(settings: IdentitySettings | None = None) -> IdentityService:
    service = IdentityService(settings or IdentitySettings())
    service.consume([Topic.REGISTRY_AGENCIES, *AUDIT_TOPICS.values()], HANDLERS)
    service.routers += [
        keys.router,
        systems.router,
        feeds.router,
        accounts.router,
        invitations.router,
        signing_in.router,
        sso.router,
        jwks.router,
        audit.router,
    ]
    service.static_dirs.append(signing_in.STATIC_DIR)
    return service
