"""The e-mails the identity service owes people, as its queue keeps them, and the pure rules of what
a send's outcome does to one: sent (the body, with its secret, erased), tried again later with
exponential backoff and full jitter (a transient SMTP failure), or failed for good with the reason
(a permanent failure, or too many transient ones). `usecases.mail` applies them."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.common.delivery import Outcome, Result
from services.common.logging import mask_text


class MailStatus(StrEnum):
    PENDING = "pending"  # to send (again) from `due_at`
    SENT = "sent"  # the SMTP server took it
    FAILED = "failed"  # refused for good, or given up on: `error` says why
    REPLACED = "replaced"  # a newer one (a re-sent invitation) made it pointless before it went


class MailKind(StrEnum):
    INVITATION = "invitation"


@dataclass(frozen=True)
class QueuedMail:
    id: str  # its Message-ID is <id@eiso>: a resend after a crash is the same message
    kind: MailKind
    account_id: str
    agency_code: str | None
    recipient: str
    subject: str
    text: str | None  # None once it has gone (or never will)
    html: str | None
    status: MailStatus
    attempts: int
    created_at: datetime
    due_at: datetime
    sent_at: datetime | None = None
    expires_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True)
class Backoff:
    """How transient failures are retried: the n-th waits up to `base`·2ⁿ⁻¹ seconds (at most `cap`),
    at random below that (full jitter: senders that failed together do not retry together); after
    `attempts` tries the e-mail is failed, with the last reason."""

    attempts: int = 12
    base: float = 2.0
    cap: float = 600.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.cap, self.base * 2 ** max(attempt - 1, 0))
        return (rng or random).uniform(0, ceiling)


@dataclass(frozen=True)
class Next:
    """What an attempt's outcome makes of the e-mail: its status, when it is tried again (pending),
    and the reason (masked: an SMTP server may echo the address)."""

    status: MailStatus
    due_at: datetime | None = None
    error: str | None = None


def after_attempt(
    mail: QueuedMail, result: Result, now: datetime, backoff: Backoff, rng: random.Random | None = None
) -> Next:
    """The e-mail after its `mail.attempts + 1`-th try ended with `result`."""
    if result.outcome == Outcome.ACCEPTED:
        return Next(MailStatus.SENT)
    detail = mask_text(result.detail)[:400] or result.outcome.value
    attempt = mail.attempts + 1
    if result.outcome == Outcome.TRANSIENT and attempt < backoff.attempts:
        return Next(MailStatus.PENDING, now + timedelta(seconds=backoff.delay(attempt, rng)), detail)
    if result.outcome == Outcome.TRANSIENT:
        return Next(MailStatus.FAILED, error=f"gave up after {attempt} attempts: {detail}")
    return Next(MailStatus.FAILED, error=detail)
