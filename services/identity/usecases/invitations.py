"""Invitations: an operator names an agency; its ISO officer (name and e-mail, from the identity
service's copy of the registry) gets an account and a Vietnamese e-mail with the one-time link that
sets its password. The account, the link and the e-mail are written in one transaction — the e-mail
into the mail queue, which the background sender delivers (`usecases.mail`) — so an invitation is
never lost if the service stops before sending, and never sent without its account. The link's
secret is in the e-mail only: no answer carries it. A re-sent invitation is a new link; the older
ones stop working, and an older e-mail not yet gone is not sent."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.identity import Role
from services.common.clock import local_date
from services.common.logging import mask_text
from services.common.replica import AgencyCopy
from services.identity import letters
from services.identity.keys import KeyRefusedError
from services.identity.mail import MailKind, MailStatus, QueuedMail
from services.identity.mail_store import Invitation
from services.identity.people import Account
from services.identity.unit_of_work import IdentityUnitOfWork
from services.identity.usecases.people import create_account, new_link


class InvitationConflictError(Exception):
    """An invitation the account, as it is, has no use for (409); the message says why."""


@dataclass(frozen=True)
class Letterhead:
    """What every invitation is written with: the address its links lead to (the identity service's
    public address), the department that signs it, how long its link works."""

    base_url: str
    department: str
    link_valid_for: timedelta


async def invite(uow: IdentityUnitOfWork, agency_code: str, role: Role, letterhead: Letterhead) -> QueuedMail:
    """The agency's ISO officer invited: an account (for role agency, the agency's) and the e-mail
    with its link, queued. Refused (naming `agency_code`) when the agency is unknown, has ended, or
    the registry has no e-mail of its ISO officer, and when that e-mail has an account already."""
    agency = await uow.agencies.get(agency_code)
    if agency is None:
        raise KeyRefusedError("agency_code", f"agency {agency_code} is unknown")
    if agency.valid_to is not None and agency.valid_to <= local_date(uow.clock.now()):
        raise KeyRefusedError("agency_code", f"agency {agency_code} ended on {agency.valid_to:%d/%m/%Y}")
    officer = agency.contacts.iso_officer if agency.contacts else None
    if officer is None or not officer.email:
        raise KeyRefusedError(
            "agency_code",
            f"the registry has no e-mail of agency {agency_code}'s ISO officer (contacts.iso_officer.email)",
        )
    existing = await uow.people.by_email(officer.email)
    if existing is not None:
        raise KeyRefusedError(
            "agency_code",
            f"agency {agency_code}'s ISO officer ({mask_text(officer.email)}) has an account already "
            f"({existing.id}); POST /invitations/{existing.id}/resend sends it a new link",
        )
    own_agency = agency_code if role == Role.AGENCY else None
    invited = await create_account(
        uow, officer.email, officer.name, role, own_agency, letterhead.link_valid_for
    )
    return await _queue(uow, invited.account, agency, invited.link, invited.expires_at, letterhead)


async def resend_invitation(
    uow: IdentityUnitOfWork, account_id: str, letterhead: Letterhead
) -> QueuedMail | None:
    """A new link for an account that has not set its password yet, e-mailed like the first; every
    older link stops working and an older e-mail still waiting is not sent. None: no such account."""
    account = await uow.people.get(account_id)
    if account is None:
        return None
    if account.password_hash is not None:
        raise InvitationConflictError(f"account {account_id} has set its password already")
    if account.provider_subject is not None:
        raise InvitationConflictError(f"account {account_id} signs in through the province's provider")
    if not account.active:
        raise InvitationConflictError(f"account {account_id} is disabled: enable it first")
    previous = await uow.mail.latest(account_id, MailKind.INVITATION)
    code = previous.agency_code if previous else account.agency_code
    agency = await uow.agencies.get(code) if code else None
    if agency is None:
        raise InvitationConflictError(f"account {account_id} is no agency's: an invitation names one")
    await uow.password_links.end_open(account_id, uow.clock.now())
    await uow.mail.replace_pending(account_id, MailKind.INVITATION)
    link, expires_at = await new_link(uow, account_id, letterhead.link_valid_for)
    return await _queue(uow, account, agency, link, expires_at, letterhead)


async def all_invitations(uow: IdentityUnitOfWork, agency_code: str | None = None) -> list[Invitation]:
    return await uow.mail.invitations(agency_code)


async def _queue(
    uow: IdentityUnitOfWork,
    account: Account,
    agency: AgencyCopy,
    link: str,
    expires_at: datetime,
    letterhead: Letterhead,
) -> QueuedMail:
    base = letterhead.base_url.rstrip("/")
    letter = letters.invitation(
        name=account.name,
        email=account.email,
        agency=agency.name,
        link=f"{base}/password-links/{link}",
        sign_in=f"{base}/sign-in",
        expires_at=expires_at,
        department=letterhead.department,
    )
    now = uow.clock.now()
    mail = QueuedMail(
        id=str(uuid.uuid4()),
        kind=MailKind.INVITATION,
        account_id=account.id,
        agency_code=agency.code,
        recipient=account.email,
        subject=letter.subject,
        text=letter.text,
        html=letter.html,
        status=MailStatus.PENDING,
        attempts=0,
        created_at=now,
        due_at=now,
        expires_at=expires_at,
    )
    await uow.mail.add(mail)
    return mail
