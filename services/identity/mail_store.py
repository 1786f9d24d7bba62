"""The repository of the identity service's mail queue (`tables.mail_queue`)."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.uow import Repository
from services.identity.mail import MailKind, MailStatus, Next, QueuedMail
from services.identity.tables import mail_queue, people


def _mail(row: Any) -> QueuedMail:
    values = {c.name: row[c.name] for c in mail_queue.columns}
    return QueuedMail(**{**values, "kind": MailKind(values["kind"]), "status": MailStatus(values["status"])})


@dataclass(frozen=True)
class Invitation:
    """An invitation as an operator follows it: its e-mail, and whether the person has taken it up."""

    mail: QueuedMail
    password_set: bool


class MailQueue(Repository):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, mail: QueuedMail) -> None:
        await self.session.execute(mail_queue.insert().values(**asdict(mail)))

    async def get(self, mail_id: str) -> QueuedMail | None:
        row = (await self.session.execute(select(mail_queue).where(mail_queue.c.id == mail_id))).mappings()
        found = row.first()
        return None if found is None else _mail(found)

    async def due(self, now: datetime, limit: int) -> list[QueuedMail]:
        """Pending e-mails whose time has come, oldest first."""
        rows = await self.session.execute(
            select(mail_queue)
            .where(mail_queue.c.status == MailStatus.PENDING.value, mail_queue.c.due_at <= now)
            .order_by(mail_queue.c.due_at, mail_queue.c.id)
            .limit(limit)
        )
        return [_mail(row) for row in rows.mappings()]

    async def record(self, mail_id: str, attempts: int, after: Next, now: datetime) -> bool:
        """An attempt's outcome on record, if the e-mail was still pending (a re-sent invitation may
        have replaced it meanwhile). The body goes once the e-mail will not be sent again."""
        values: dict[str, Any] = {"status": after.status.value, "attempts": attempts, "error": after.error}
        if after.status == MailStatus.PENDING:
            values["due_at"] = after.due_at
        else:
            values.update(text=None, html=None)
        if after.status == MailStatus.SENT:
            values["sent_at"] = now
        done = await self.session.execute(
            update(mail_queue)
            .where(mail_queue.c.id == mail_id, mail_queue.c.status == MailStatus.PENDING.value)
            .values(**values)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def replace_pending(self, account_id: str, kind: MailKind) -> int:
        """The account's pending e-mails of `kind` will not go (a newer one replaces them): how many."""
        done = await self.session.execute(
            update(mail_queue)
            .where(
                mail_queue.c.account_id == account_id,
                mail_queue.c.kind == kind.value,
                mail_queue.c.status == MailStatus.PENDING.value,
            )
            .values(status=MailStatus.REPLACED.value, text=None, html=None)
        )
        return int(done.rowcount or 0)  # type: ignore[attr-defined]

    async def latest(self, account_id: str, kind: MailKind) -> QueuedMail | None:
        row = (
            (
                await self.session.execute(
                    select(mail_queue)
                    .where(mail_queue.c.account_id == account_id, mail_queue.c.kind == kind.value)
                    .order_by(mail_queue.c.created_at.desc(), mail_queue.c.id.desc())
                    .limit(1)
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else _mail(row)

    async def invitations(self, agency_code: str | None = None) -> list[Invitation]:
        """Every invitation e-mail, newest first, with whether its person has set a password."""
        query = (
            select(mail_queue, people.c.password_hash.is_not(None).label("password_set"))
            .outerjoin(people, people.c.id == mail_queue.c.account_id)
            .where(mail_queue.c.kind == MailKind.INVITATION.value)
            .order_by(mail_queue.c.created_at.desc(), mail_queue.c.id.desc())
        )
        if agency_code is not None:
            query = query.where(mail_queue.c.agency_code == agency_code)
        rows = await self.session.execute(query)
        return [Invitation(_mail(row), bool(row["password_set"])) for row in rows.mappings()]
