"""Session tokens, as the identity service mints them: Ed25519-signed JWTs (`services.common.tokens`
says how every service checks them). Pure: keys in, tokens out."""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from joserfc import jwt
from joserfc.jwk import OKPKey

from contracts.identity import PublicKey
from services.common.tokens import ALGORITHM, ISSUER


@dataclass(frozen=True)
class SigningKey:
    id: str
    private_jwk: str
    created_at: datetime

    def public(self) -> PublicKey:
        return PublicKey(x=json.loads(self.private_jwk)["x"])

    def due_for_rotation(self, now: datetime, every: timedelta) -> bool:
        return now - self.created_at >= every


def new_signing_key(now: datetime) -> SigningKey:
    key = OKPKey.generate_key("Ed25519")
    return SigningKey(f"k-{now:%Y%m%d}-{secrets.token_hex(4)}", json.dumps(key.as_dict(private=True)), now)


@dataclass(frozen=True)
class Minted:
    token: str
    sign_in_id: str
    csrf: str
    expires_at: datetime
    #: How long the sign-in lasts, from its start by the service's clock (the cookie's Max-Age: the
    #: browser counts it from now on its own clock, which a service on simulated time does not share).
    lifetime: timedelta


def mint(key: SigningKey, account_id: str, now: datetime, lifetime: timedelta) -> Minted:
    """A token for a new sign-in of `account_id`, valid for `lifetime`."""
    sign_in_id, csrf = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
    expires = now + lifetime
    claims = {
        "iss": ISSUER,
        "sub": account_id,
        "sid": sign_in_id,
        "iat": int(now.timestamp()),
        "iat_ms": int(now.timestamp() * 1000),
        "exp": int(expires.timestamp()),
        "csrf": csrf,
    }
    private = OKPKey.import_key(json.loads(key.private_jwk))
    token = jwt.encode({"alg": ALGORITHM, "kid": key.id}, claims, private, algorithms=[ALGORITHM])
    return Minted(token, sign_in_id, csrf, expires, lifetime)
