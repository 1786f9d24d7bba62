"""The repositories of people, their sign-ins, password links and the private signing keys."""

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.identity import Role
from services.common.db import one
from services.common.uow import Repository
from services.identity.people import Account
from services.identity.signing import SigningKey
from services.identity.tables import password_links, people, sign_ins, signing_secrets, sso_requests


@dataclass(frozen=True)
class Ended:
    """A sign-in just ended: when its token would have expired, and the provider's ID token of a
    single sign-on (the provider's sign-out takes it as a hint)."""

    expires_at: datetime
    provider_token: str | None


class _OnSession(Repository):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session


def _account(row: dict[str, object]) -> Account:
    return Account(**{**row, "role": Role(str(row["role"]))})  # type: ignore[arg-type]


class People(_OnSession):
    async def get(self, account_id: str) -> Account | None:
        row = await one(self.session, select(people).where(people.c.id == account_id))
        return None if row is None else _account(row)

    async def by_provider(self, subject: str) -> Account | None:
        query = select(people).where(people.c.provider_subject == subject).with_for_update()
        row = await one(self.session, query)
        return None if row is None else _account(row)

    async def by_email(self, email: str, lock: bool = False) -> Account | None:
        """The account of `email` (compared without case); `lock` holds it until the commit, so two
        sign-ins at once count both their failures."""
        query = select(people).where(func.lower(people.c.email) == email.strip().lower())
        row = await one(self.session, query.with_for_update() if lock else query)
        return None if row is None else _account(row)

    async def add(self, account: Account) -> None:
        await self.session.execute(people.insert().values(**asdict(account)))

    async def save(self, account: Account) -> None:
        values = asdict(account)
        await self.session.execute(update(people).where(people.c.id == values.pop("id")).values(**values))

    async def all(self) -> list[Account]:
        rows = await self.session.execute(select(people).order_by(people.c.created_at, people.c.id))
        return [_account(dict(row)) for row in rows.mappings()]

    async def active_operators(self) -> list[str]:
        found = await self.session.execute(
            select(people.c.id)
            .where(people.c.role == Role.OPERATOR.value, people.c.active.is_(True))
            .with_for_update()
        )
        return list(found.scalars())


class SignIns(_OnSession):
    async def add(
        self,
        sign_in_id: str,
        account_id: str,
        now: datetime,
        expires: datetime,
        address: str | None,
        provider_token: str | None = None,
    ) -> None:
        await self.session.execute(
            sign_ins.insert().values(
                id=sign_in_id,
                account_id=account_id,
                created_at=now,
                expires_at=expires,
                address=address,
                provider_token=provider_token,
            )
        )

    async def end(self, sign_in_id: str, now: datetime) -> Ended | None:
        """End a sign-in still open (None if it was not open)."""
        row = await one(
            self.session, select(sign_ins).where(sign_ins.c.id == sign_in_id, sign_ins.c.ended_at.is_(None))
        )
        if row is None:
            return None
        await self.session.execute(
            update(sign_ins).where(sign_ins.c.id == sign_in_id).values(ended_at=now, provider_token=None)
        )
        return Ended(row["expires_at"], row["provider_token"])


@dataclass(frozen=True)
class PasswordLink:
    id: str
    account_id: str
    digest: str


class PasswordLinks(_OnSession):
    async def add(self, link_id: str, account_id: str, digest: str, now: datetime, expires: datetime) -> None:
        await self.session.execute(
            password_links.insert().values(
                id=link_id, account_id=account_id, digest=digest, created_at=now, expires_at=expires
            )
        )

    async def open(self, link_id: str, now: datetime) -> PasswordLink | None:
        """The link, if it is still usable (not used, not expired), locked until the commit."""
        query = select(password_links).where(
            password_links.c.id == link_id,
            password_links.c.used_at.is_(None),
            password_links.c.expires_at > now,
        )
        row = await one(self.session, query.with_for_update())
        return (
            None if row is None else PasswordLink(str(row["id"]), str(row["account_id"]), str(row["digest"]))
        )

    async def use(self, link_id: str, now: datetime) -> None:
        await self.session.execute(
            update(password_links).where(password_links.c.id == link_id).values(used_at=now)
        )

    async def end_open(self, account_id: str, now: datetime) -> None:
        """Every link of the account still open stops working, as if used (a newer one replaces them)."""
        await self.session.execute(
            update(password_links)
            .where(password_links.c.account_id == account_id, password_links.c.used_at.is_(None))
            .values(used_at=now)
        )


class SigningSecrets(_OnSession):
    async def newest(self) -> SigningKey | None:
        row = await one(
            self.session, select(signing_secrets).order_by(signing_secrets.c.created_at.desc()).limit(1)
        )
        if row is None:
            return None
        return SigningKey(str(row["id"]), str(row["private_jwk"]), row["created_at"])

    async def all(self) -> list[SigningKey]:
        rows = await self.session.execute(select(signing_secrets).order_by(signing_secrets.c.created_at))
        return [SigningKey(row.id, row.private_jwk, row.created_at) for row in rows]

    async def add(self, key: SigningKey) -> None:
        await self.session.execute(signing_secrets.insert().values(**asdict(key)))


@dataclass(frozen=True)
class SsoRequest:
    nonce: str
    verifier: str
    next: str


class SsoRequests(_OnSession):
    async def add(self, state: str, request: SsoRequest, now: datetime) -> None:
        await self.session.execute(sso_requests.insert().values(id=state, **asdict(request), created_at=now))

    async def take(self, state: str, since: datetime) -> SsoRequest | None:
        """The request of `state`, used up (an answer is taken once); None if unknown or older than
        `since`."""
        row = await one(
            self.session, select(sso_requests).where(sso_requests.c.id == state).with_for_update()
        )
        await self.session.execute(delete(sso_requests).where(sso_requests.c.id == state))
        await self.session.execute(delete(sso_requests).where(sso_requests.c.created_at < since))
        if row is None or row["created_at"] < since:
            return None
        return SsoRequest(str(row["nonce"]), str(row["verifier"]), str(row["next"]))
