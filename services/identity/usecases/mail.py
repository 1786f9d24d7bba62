"""Sending the identity service's e-mails (the mail queue), one at a time:

1. the due e-mails are read (`due_mail`);
2. each is given to the mailer with its id as Message-ID, in no transaction;
3. the outcome is recorded (`record_attempt`): sent (the body, which holds the link's secret, erased),
   tried again later (a transient failure, backing off), or failed with the reason.
A crash between 2 and 3 leaves the e-mail pending: the next round — at once, after a restart — sends
it again with the same Message-ID, so that a mail server or its reader sees one message twice, not
two messages (the folder mailer writes it once). Nothing in the log carries the body."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Concatenate, ParamSpec, Protocol, TypeVar

import structlog

from services.common.clock import Clock
from services.common.delivery import Result
from services.common.mailer import Mailer
from services.identity.mail import Backoff, Next, QueuedMail, after_attempt
from services.identity.unit_of_work import IdentityUnitOfWork

log = structlog.get_logger("eiso.identity")
P = ParamSpec("P")
R = TypeVar("R")


class Runs(Protocol):
    """Runs a use case in a unit of work of its own (`Service.query`, or `Service.command`, which
    commits it)."""

    async def __call__(
        self,
        usecase: Callable[Concatenate[IdentityUnitOfWork, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R: ...


async def due_mail(uow: IdentityUnitOfWork, limit: int) -> list[QueuedMail]:
    return await uow.mail.due(uow.clock.now(), limit)


async def record_attempt(uow: IdentityUnitOfWork, mail: QueuedMail, result: Result, backoff: Backoff) -> Next:
    now = uow.clock.now()
    after = after_attempt(mail, result, now, backoff)
    await uow.mail.record(mail.id, mail.attempts + 1, after, now)
    return after


@dataclass
class MailSender:
    """The mailer, the backoff, and the rounds that send what is due; `wake` starts the next round
    at once (a new invitation need not wait for the poll)."""

    mailer: Mailer
    backoff: Backoff
    clock: Clock
    limit: int = 50
    _woken: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def wake(self) -> None:
        self._woken.set()

    async def pause(self, seconds: float) -> None:
        """Until woken, or `seconds` have passed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), seconds)
        self._woken.clear()

    async def run_once(self, query: Runs, command: Runs) -> int:
        """Send every e-mail due now; how many were tried. One e-mail's trouble (a bug, a mailer
        raising) is logged and it is tried again next round; it never stops the others."""
        due = await query(due_mail, self.limit)
        for mail in due:
            try:
                result = await self.mailer.send(
                    mail.id, mail.recipient, mail.subject, mail.text or "", mail.html or "", self.clock.now()
                )
                after = await command(record_attempt, mail, result, self.backoff)
                log.info(
                    "e-mail attempted",
                    mail_id=mail.id,
                    kind=mail.kind.value,
                    to=mail.recipient,  # masked by the log processor
                    outcome=result.outcome.value,
                    status=after.status.value,
                    error=after.error,
                )
            except Exception as exc:
                log.warning("e-mail attempt failed; will retry", mail_id=mail.id, error=type(exc).__name__)
        return len(due)
