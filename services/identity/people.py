"""People's accounts, as the identity service keeps them: pure rules (passwords, sign-in throttling,
who may hold which role). The use cases in `usecases.people` and `usecases.signing_in` apply them."""

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from contracts.identity import AccountData, Role

#: Argon2id with the library's defaults (RFC 9106's second recommended set: 64 MiB, 3 passes).
HASHER = PasswordHasher()
MIN_PASSWORD = 10
MAX_PASSWORD = 200


class PasswordRefusedError(ValueError):
    """A password that cannot be taken; the message says why, in Vietnamese (a person reads it)."""


def check_new_password(password: str, email: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise PasswordRefusedError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    if len(password) > MAX_PASSWORD:
        raise PasswordRefusedError(f"Mật khẩu dài quá {MAX_PASSWORD} ký tự.")
    if password.strip().lower() == email.strip().lower() or len(set(password)) < 4:
        raise PasswordRefusedError("Mật khẩu quá dễ đoán: hãy dùng một cụm từ dài, khác địa chỉ thư điện tử.")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    if stored is None:
        return False
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_account_id() -> str:
    return f"acc-{secrets.token_hex(6)}"


def check_role(role: Role, agency_code: str | None) -> None:
    """A person is never a `system`; an `agency` account acts for exactly one agency, no other
    account for any."""
    if role in (Role.SYSTEM, Role.FEED):
        raise ValueError(f"role {role} is for API keys (outside systems, calendar feeds), not for people")
    if (role == Role.AGENCY) != (agency_code is not None):
        raise ValueError("agency_code is needed by, and only by, role agency")


class SignInOutcome(StrEnum):
    SIGNED_IN = "signed_in"
    WRONG = "wrong"  # unknown e-mail, no password yet, or the wrong one: the person is told the same
    LOCKED = "locked"  # too many wrong passwords: refused without checking the password
    DISABLED = "disabled"


@dataclass(frozen=True)
class Throttle:
    """How failed sign-ins slow and then lock an account: the `lock_after`-th wrong password within
    `window` locks it for `lock_for`; while locked, a sign-in is refused before its password is
    checked (so guessing on costs nothing and learns nothing). Each failure before that waits a
    little longer (`delay`), which costs a person nothing and a guesser a lot."""

    lock_after: int = 10
    window: timedelta = timedelta(minutes=1)
    lock_for: timedelta = timedelta(minutes=15)
    delay_step: timedelta = timedelta(seconds=0.5)
    delay_max: timedelta = timedelta(seconds=3)

    def delay(self, failures: int) -> float:
        """Seconds to wait before answering the `failures`-th wrong password."""
        return min(self.delay_step * max(failures - 2, 0), self.delay_max).total_seconds()


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    name: str
    role: Role
    agency_code: str | None
    password_hash: str | None
    active: bool
    valid_after: datetime
    created_at: datetime
    failures: int = 0
    failures_since: datetime | None = None
    locked_until: datetime | None = None
    provider_subject: str | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def failed(self, now: datetime, throttle: Throttle) -> "Account":
        """This account after one more wrong password at `now`."""
        fresh = self.failures_since is None or now - self.failures_since > throttle.window
        failures = 1 if fresh else self.failures + 1
        since = now if fresh else self.failures_since
        if failures >= throttle.lock_after - 1:
            # The next wrong password would be the lock_after-th within the window: from now on the
            # account is locked, and that attempt is refused without its password being checked.
            return replace(
                self, failures=failures, failures_since=since, locked_until=now + throttle.lock_for
            )
        return replace(self, failures=failures, failures_since=since)

    def signed_in(self) -> "Account":
        return replace(self, failures=0, failures_since=None, locked_until=None)

    def data(self) -> AccountData:
        """What every service's replica needs of it (no e-mail, no password)."""
        return AccountData(
            account_id=self.id,
            name=self.name,
            role=self.role,
            agency_code=self.agency_code,
            active=self.active,
            valid_after=self.valid_after,
        )


#: When a person's provider roles map to several of eiso's, the one that may do most.
PRECEDENCE = (Role.OPERATOR, Role.INSPECTOR, Role.TRAINER, Role.AGENCY, Role.VIEWER)


def role_from_claims(claims: dict[str, object], claim: str, mapping: dict[str, Role]) -> Role | None:
    """The eiso role a provider's ID token gives (its `claim`: one role or a list), or None."""
    given = claims.get(claim)
    values = [given] if isinstance(given, str) else list(given) if isinstance(given, list) else []
    mapped = {mapping[str(v)] for v in values if str(v) in mapping}
    return next((role for role in PRECEDENCE if role in mapped), None)


def name_from_claims(claims: dict[str, object]) -> str:
    """The person's name in Vietnamese order (family name first), whatever order `name` has."""
    family, given = claims.get("family_name"), claims.get("given_name")
    if family and given:
        return f"{family} {given}"[:200]
    return str(claims.get("name") or claims.get("preferred_username") or claims["sub"])[:200]
