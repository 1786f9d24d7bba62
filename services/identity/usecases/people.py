"""People's accounts: created by an operator (with a one-time link to set a password), changed,
disabled. Each change is stored and published (`account-changed`) in one transaction, and applied to
the identity service's own replica by the code every service applies it with."""

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from contracts import Topic
from contracts.identity import AccountChanged, Role, SigningKeyData, SigningKeyPublished
from services.common.credentials import apply_credential_event, digest
from services.common.tokens import ALGORITHM
from services.identity import people
from services.identity.keys import KeyRefusedError
from services.identity.people import Account, PasswordRefusedError
from services.identity.signing import SigningKey, new_signing_key
from services.identity.unit_of_work import IdentityUnitOfWork


async def publish_account(uow: IdentityUnitOfWork, account: Account) -> None:
    event = AccountChanged.create(
        source=uow.source, subject=account.id, data=account.data(), time=uow.clock.now()
    )
    uow.emit(Topic.IDENTITY_CREDENTIALS, event)
    await apply_credential_event(uow, event)


@dataclass(frozen=True)
class Invited:
    account: Account
    #: The one-time link's secret part: `/password-links/<link>`, handed to the person once.
    link: str
    #: Until when the link works.
    expires_at: datetime


async def new_link(uow: IdentityUnitOfWork, account_id: str, valid_for: timedelta) -> tuple[str, datetime]:
    """A one-time link for the account (only its digest is kept): `<id>.<secret>`, and its end."""
    link_id, secret = secrets.token_hex(8), secrets.token_urlsafe(24)
    now = uow.clock.now()
    await uow.password_links.add(link_id, account_id, digest(secret), now, now + valid_for)
    return f"{link_id}.{secret}", now + valid_for


async def create_account(
    uow: IdentityUnitOfWork,
    email: str,
    name: str,
    role: Role,
    agency_code: str | None,
    link_valid_for: timedelta,
) -> Invited:
    """A new account with no password yet, and the one-time link its holder sets one with."""
    try:
        people.check_role(role, agency_code)
    except ValueError as refused:
        raise KeyRefusedError("role" if role == Role.SYSTEM else "agency_code", str(refused)) from None
    if agency_code and not await uow.agencies.known(agency_code):
        raise KeyRefusedError("agency_code", f"agency {agency_code} is unknown")
    if await uow.people.by_email(email) is not None:
        raise KeyRefusedError("email", f"an account for {email} exists already")
    now = uow.clock.now()
    account = Account(people.new_account_id(), email.strip(), name, role, agency_code, None, True, now, now)
    await uow.people.add(account)
    await publish_account(uow, account)
    return Invited(account, *await new_link(uow, account.id, link_valid_for))


async def open_link(uow: IdentityUnitOfWork, link: str) -> Account:
    """The account a one-time link sets the password of, while the link can still be used; the page
    says so at once, before the person chooses a password (`PasswordRefusedError` otherwise)."""
    link_id, _, secret = link.partition(".")
    found = await uow.password_links.open(link_id, uow.clock.now())
    if found is None or not secrets.compare_digest(found.digest, digest(secret)):
        raise PasswordRefusedError(
            "Đường dẫn không hợp lệ, đã được dùng hoặc đã hết hạn. Hãy đề nghị Sở gửi lại."
        )
    account = await uow.people.get(found.account_id)
    if account is None or not account.active:
        raise PasswordRefusedError("Tài khoản này đã bị khóa. Hãy liên hệ Sở Khoa học và Công nghệ.")
    return account


async def set_password_with_link(uow: IdentityUnitOfWork, link: str, password: str) -> Account:
    """Take up a one-time link: the password is set and the link used up (a second use is refused).
    Older sign-ins of the account end (a reset is also how a stolen password is taken back)."""
    account = await open_link(uow, link)
    people.check_new_password(password, account.email)
    now = uow.clock.now()
    await uow.password_links.use(link.partition(".")[0], now)
    changed = replace(account.signed_in(), password_hash=people.hash_password(password), valid_after=now)
    await uow.people.save(changed)
    await publish_account(uow, changed)
    return changed


async def change_account(
    uow: IdentityUnitOfWork, account_id: str, role: Role | None, agency_code: str | None, active: bool | None
) -> Account | None:
    """Another role or agency, or the account disabled (or enabled again): every service holds it
    within seconds, for the sign-ins already open too. None if there is no such account. The last
    active operator account is never disabled nor given another role."""
    account = await uow.people.get(account_id)
    if account is None:
        return None
    new_role = role or account.role
    new_agency = agency_code if role is not None else (agency_code or account.agency_code)
    try:
        people.check_role(new_role, new_agency)
    except ValueError as refused:
        raise KeyRefusedError("agency_code", str(refused)) from None
    if new_agency and new_agency != account.agency_code and not await uow.agencies.known(new_agency):
        raise KeyRefusedError("agency_code", f"agency {new_agency} is unknown")
    stays_operator = new_role == Role.OPERATOR and active is not False
    if (
        account.role == Role.OPERATOR
        and not stays_operator
        and await uow.people.active_operators() == [account.id]
    ):
        raise KeyRefusedError("role", "this is the last active operator account; make another operator first")
    changed = replace(
        account, role=new_role, agency_code=new_agency, active=account.active if active is None else active
    )
    if changed != account:
        await uow.people.save(changed)
        await publish_account(uow, changed)
    return changed


async def all_accounts(uow: IdentityUnitOfWork) -> list[Account]:
    return await uow.people.all()


async def ensure_signing_key(uow: IdentityUnitOfWork, rotate_every: timedelta) -> SigningKey:
    """The key that signs new tokens: a new one when there is none or the newest is due for rotation
    (the older ones stay published, so the tokens they signed stay valid until they expire)."""
    now = uow.clock.now()
    newest = await uow.signing_secrets.newest()
    if newest is not None and not newest.due_for_rotation(now, rotate_every):
        return newest
    key = new_signing_key(now)
    await uow.signing_secrets.add(key)
    data = SigningKeyData(signing_key_id=key.id, public_jwk=key.public(), created_at=now)
    event = SigningKeyPublished.create(source=uow.source, subject=key.id, data=data, time=now)
    uow.emit(Topic.IDENTITY_CREDENTIALS, event)
    await apply_credential_event(uow, event)
    return key


async def published_keys(uow: IdentityUnitOfWork) -> list[dict[str, str]]:
    """Every public signing key, as a JWK with its `kid`, `alg` and `use`."""
    return [
        {**key.public().model_dump(), "kid": key.id, "alg": ALGORITHM, "use": "sig"}
        for key in await uow.signing_secrets.all()
    ]
