"""The identity service's tables: people (with their e-mail and password hash, which never leave it),
their sign-ins, the private halves of the token signing keys, and its copy of the registry's agencies
(an account or key is made only for an agency that exists). The credentials every service checks
(`services.common.credentials`) are here too: for API keys the original, for the rest a replica that
its use cases write as they publish."""

from sqlalchemy import Boolean, Column, Date, Integer, String, Table, Text

from services.common.db import UTCDateTime, new_metadata
from services.common.replica import AgencyReplica, agency_ends

metadata = new_metadata()

agencies = Table(
    "agencies",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("level", String(20), nullable=False),
    Column("parent_code", String(64), nullable=True),
    Column("valid_to", Date, nullable=True),
)
replica = AgencyReplica(agencies, agency_ends(metadata))

people = Table(
    "people",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("agency_code", String(64), nullable=True),
    #: Argon2id (PHC string); None until the person has set one (an invitation not yet taken up).
    Column("password_hash", String(200), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("valid_after", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("failures", Integer, nullable=False, default=0),
    Column("failures_since", UTCDateTime, nullable=True),
    Column("locked_until", UTCDateTime, nullable=True),
    #: Who the province's identity provider says the person is (`iss` and `sub`), once they used it.
    Column("provider_subject", String(400), nullable=True, unique=True),
)
sign_ins = Table(
    "sign_ins",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(16), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
    Column("address", String(64), nullable=True),
    #: The provider's ID token of a single sign-on (its sign-out needs it as a hint); None for a password.
    Column("provider_token", Text, nullable=True),
)
#: Single sign-ons under way: what the provider's answer must match (state, nonce, PKCE verifier).
sso_requests = Table(
    "sso_requests",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("nonce", String(64), nullable=False),
    Column("verifier", String(128), nullable=False),
    Column("next", String(500), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
#: The private signing keys (JWK); the public halves are published and replicated.
signing_secrets = Table(
    "signing_secrets",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("private_jwk", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
#: One-time links that let a person set their password (an invitation, or a reset).
password_links = Table(
    "password_links",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(16), nullable=False, index=True),
    Column("digest", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
)
#: The audit trail of every service, read from their audit topics. Written only by the consumer;
#: no route changes or deletes an entry.
audit = Table(
    "audit",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("service", String(20), nullable=False),
    Column("actor_id", String(32), nullable=False, index=True),
    Column("actor_kind", String(10), nullable=False),
    Column("actor_name", String(200), nullable=True),
    Column("role", String(20), nullable=False),
    Column("action", String(101), nullable=False),
    Column("target", String(300), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("address", String(64), nullable=True),
    Column("request_id", String(100), nullable=False),
)
