"""People's session tokens, checked by every service without calling the identity service.

A token is a JWT the identity service signs (Ed25519) when a person signs in. A service checks it
against its replica (`services.common.credentials`): the signature against the published public keys,
then the account as it is *now* — still active, its role and agency (a role change holds at once),
the token issued after the account's `valid_after` (a password change ends older sign-ins) — and its
sign-in not ended early (sign-out). The token itself carries no role: nothing a person was once
allowed outlives a change.
"""

from dataclasses import dataclass
from datetime import datetime

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.identity import Role
from services.common.credentials import accounts, signed_out, signing_keys

ISSUER = "eiso"
ALGORITHM = "Ed25519"
#: The cookie a browser holds its sign-in in (HttpOnly): sent to every service on the same host.
SESSION_COOKIE = "eiso_session"
#: The cookie a page reads its CSRF token from (not HttpOnly), and the header it sends it back in.
CSRF_COOKIE = "eiso_csrf"
CSRF_HEADER = "X-CSRF-Token"
#: The form field a page's forms carry the CSRF token in.
CSRF_FIELD = "csrf_token"
#: Seconds a token's times may be off between the identity service's clock and a service's: servers'
#: clocks differ a little, and clocks started at a simulated time (the demo) differ by their starts.
CLOCK_LEEWAY_SECONDS = 120


@dataclass(frozen=True)
class SignedIn:
    """The person behind a valid token, as the replica has them now."""

    account_id: str
    name: str
    role: Role
    agency_code: str | None
    sign_in_id: str
    csrf: str


def looks_like_token(value: str) -> bool:
    return value.count(".") == 2 and not value.startswith("eiso_")


async def _key_set(session: AsyncSession) -> KeySet | None:
    rows = (await session.execute(select(signing_keys.c.id, signing_keys.c.public_jwk))).all()
    if not rows:
        return None
    return KeySet.import_key_set({"keys": [{**jwk, "kid": kid} for kid, jwk in rows]})


async def check_token(session: AsyncSession, token: str, now: datetime) -> SignedIn | None:
    """The person `token` stands for, or None (a bad signature, an unknown key, expired, the account
    disabled or changed since, the sign-in ended)."""
    keys = await _key_set(session)
    if keys is None:
        return None
    registry = JWTClaimsRegistry(
        now=int(now.timestamp()),
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": ISSUER},
        sub={"essential": True},
        sid={"essential": True},
        exp={"essential": True},
    )
    try:
        claims = jwt.decode(token, keys, algorithms=[ALGORITHM]).claims
        registry.validate(claims)
    except (JoseError, ValueError, TypeError, KeyError):
        return None
    account = (await session.execute(select(accounts).where(accounts.c.id == claims["sub"]))).first()
    if account is None or not account.active:
        return None
    if int(claims.get("iat_ms", 0)) < int(account.valid_after.timestamp() * 1000):
        return None
    ended = await session.scalar(select(signed_out.c.id).where(signed_out.c.id == claims["sid"]))
    if ended is not None:
        return None
    return SignedIn(
        account.id,
        account.name,
        Role(account.role),
        account.agency_code,
        claims["sid"],
        str(claims.get("csrf", "")),
    )
