"""The province's OpenID Connect provider, as the identity service talks to it: discovery, the
authorization code flow with PKCE, and the ID token checked against the provider's published keys
(signature, issuer, audience, expiry, nonce). Any standard provider will do (Keycloak, the
province's own); nothing here is specific to one."""

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

#: The signature algorithms an ID token may use (RFC 7518's asymmetric ones; never `none` or HMAC).
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "Ed25519", "EdDSA"]
#: How long the provider's discovery document and keys are kept before being read again.
CACHE_SECONDS = 300.0


class ProviderError(Exception):
    """The provider could not be used, or its answer cannot be trusted; the message says why."""


@dataclass(frozen=True)
class Started:
    """A sign-in sent to the provider: what its answer must match."""

    url: str
    state: str
    nonce: str
    verifier: str


@dataclass(frozen=True)
class Verified:
    """The provider's word on who signed in: the ID token's claims, and the token itself (its hint
    at sign-out)."""

    claims: dict[str, Any]
    id_token: str


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Provider:
    def __init__(self, issuer: str, client_id: str, client_secret: str | None, timeout: float = 10.0) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.timeout = timeout
        self._discovered: tuple[float, dict[str, Any]] | None = None
        self._keys: tuple[float, KeySet] | None = None

    async def _get(self, url: str) -> Any:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                answer = await http.get(url)
            answer.raise_for_status()
            return answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderError(f"the identity provider did not answer {url}: {type(exc).__name__}") from None

    async def configuration(self) -> dict[str, Any]:
        if self._discovered is None or time.monotonic() - self._discovered[0] > CACHE_SECONDS:
            found = await self._get(f"{self.issuer}/.well-known/openid-configuration")
            if found.get("issuer") != self.issuer:
                raise ProviderError(f"the provider calls itself {found.get('issuer')!r}, not {self.issuer!r}")
            self._discovered = (time.monotonic(), found)
        return self._discovered[1]

    async def start(self, redirect_uri: str) -> Started:
        config = await self.configuration()
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        }
        return Started(f"{config['authorization_endpoint']}?{urlencode(query)}", state, nonce, verifier)

    async def finish(self, code: str, verifier: str, nonce: str, redirect_uri: str) -> Verified:
        """Exchange the code for an ID token and check it."""
        config = await self.configuration()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.client_id,
            "code_verifier": verifier,
        }
        if self.client_secret:
            form["client_secret"] = self.client_secret
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                answer = await http.post(config["token_endpoint"], data=form)
        except httpx.HTTPError as exc:
            raise ProviderError(f"the identity provider did not answer: {type(exc).__name__}") from None
        if answer.status_code != 200 or "id_token" not in answer.json():
            raise ProviderError(f"the identity provider refused the sign-in ({answer.status_code})")
        id_token = str(answer.json()["id_token"])
        return Verified(await self._check(id_token, nonce), id_token)

    async def _key_set(self, refresh: bool = False) -> KeySet:
        if refresh or self._keys is None or time.monotonic() - self._keys[0] > CACHE_SECONDS:
            config = await self.configuration()
            self._keys = (time.monotonic(), KeySet.import_key_set(await self._get(config["jwks_uri"])))
        return self._keys[1]

    async def _check(self, id_token: str, nonce: str) -> dict[str, Any]:
        registry = JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": self.issuer},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        for refresh in (False, True):  # a key the provider rotated in since the last read
            try:
                claims = jwt.decode(
                    id_token, await self._key_set(refresh), algorithms=ID_TOKEN_ALGORITHMS
                ).claims
                registry.validate(claims)
            except (JoseError, ValueError) as exc:
                if refresh:
                    raise ProviderError(
                        f"the identity provider's ID token cannot be trusted: {exc}"
                    ) from None
                continue
            audience = claims.get("aud")
            if self.client_id not in (audience if isinstance(audience, list) else [audience]):
                raise ProviderError("the ID token is not meant for eiso (aud)")
            return dict(claims)
        raise ProviderError("the ID token cannot be checked")

    async def sign_out_url(self, id_token: str | None, after: str) -> str | None:
        """Where to send the browser so that it signs out at the provider too (None if it cannot)."""
        end = (await self.configuration()).get("end_session_endpoint")
        if not end:
            return None
        query = {"client_id": self.client_id, "post_logout_redirect_uri": after}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{end}?{urlencode(query)}"
