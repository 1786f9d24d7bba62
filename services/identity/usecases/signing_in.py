"""Signing in and out, and changing one's password. A sign-in's token is accepted by every service;
a sign-out is published (`signed-out`), so every service refuses the token within seconds."""

from dataclasses import dataclass, replace
from datetime import timedelta

from contracts import Topic
from contracts.identity import SignedOut, SignOutData
from services.common.credentials import apply_credential_event
from services.identity import people
from services.identity.people import Account, PasswordRefusedError, SignInOutcome, Throttle
from services.identity.people_store import Ended
from services.identity.signing import Minted, mint
from services.identity.unit_of_work import IdentityUnitOfWork
from services.identity.usecases.people import ensure_signing_key, publish_account


@dataclass(frozen=True)
class Policy:
    """How long a sign-in lasts, how failures are throttled, how often the signing key changes."""

    lifetime: timedelta
    throttle: Throttle
    rotate_every: timedelta


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    minted: Minted | None = None
    account: Account | None = None
    #: Seconds the answer waits (a wrong password), so that guessing is slow.
    delay: float = 0.0


async def open_sign_in(
    uow: IdentityUnitOfWork,
    account: Account,
    policy: Policy,
    address: str | None,
    provider_token: str | None = None,
) -> Minted:
    """A new sign-in of `account`: its token, signed with the current key."""
    key = await ensure_signing_key(uow, policy.rotate_every)
    now = uow.clock.now()
    minted = mint(key, account.id, now, policy.lifetime)
    await uow.sign_ins.add(minted.sign_in_id, account.id, now, minted.expires_at, address, provider_token)
    return minted


async def sign_in(
    uow: IdentityUnitOfWork, email: str, password: str, policy: Policy, address: str | None
) -> SignInResult:
    """Check `password` for the account of `email`, unless the account is locked (then it is not
    checked at all). A wrong password counts toward the lock, in this transaction: the caller commits
    whatever the outcome."""
    now = uow.clock.now()
    account = await uow.people.by_email(email, lock=True)
    if account is None:
        people.password_matches(None, password)  # as slow as a real check: no telling who has an account
        return SignInResult(SignInOutcome.WRONG, delay=policy.throttle.delay(1))
    if account.locked(now):
        return SignInResult(SignInOutcome.LOCKED, account=account)
    if not people.password_matches(account.password_hash, password):
        failed = account.failed(now, policy.throttle)
        await uow.people.save(failed)
        outcome = SignInOutcome.LOCKED if failed.locked(now) else SignInOutcome.WRONG
        return SignInResult(outcome, account=failed, delay=policy.throttle.delay(failed.failures))
    if not account.active:
        return SignInResult(SignInOutcome.DISABLED, account=account)
    if account.failures or account.locked_until:
        await uow.people.save(account.signed_in())
    return SignInResult(SignInOutcome.SIGNED_IN, await open_sign_in(uow, account, policy, address), account)


async def sign_out(uow: IdentityUnitOfWork, account_id: str, sign_in_id: str) -> Ended | None:
    """End a sign-in everywhere (None if it was not open)."""
    ended = await uow.sign_ins.end(sign_in_id, uow.clock.now())
    if ended is None:
        return None
    data = SignOutData(sign_in_id=sign_in_id, account_id=account_id, expires_at=ended.expires_at)
    event = SignedOut.create(source=uow.source, subject=sign_in_id, data=data, time=uow.clock.now())
    uow.emit(Topic.IDENTITY_CREDENTIALS, event)
    await apply_credential_event(uow, event)
    return ended


async def change_password(
    uow: IdentityUnitOfWork, account_id: str, current: str, new: str, policy: Policy, address: str | None
) -> Minted:
    """A new password, given the current one. Every other sign-in of the account ends (they may be
    whoever learnt the old password); this browser gets a new sign-in."""
    account = await uow.people.get(account_id)
    if account is None or not people.password_matches(account.password_hash, current):
        raise PasswordRefusedError("Mật khẩu hiện tại không đúng.")
    people.check_new_password(new, account.email)
    changed = replace(account, password_hash=people.hash_password(new), valid_after=uow.clock.now())
    await uow.people.save(changed)
    await publish_account(uow, changed)
    return await open_sign_in(uow, changed, policy, address)
