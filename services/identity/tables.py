"""The identity service's tables: people (with their e-mail and password hash, which never leave it),
their sign-ins, the private halves of the token signing keys, and its copy of the registry's agencies
(an account or key is made only for an agency that exists; an invitation goes to its ISO officer), and
the e-mails it has to send (`mail_queue`). The credentials every service checks
(`services.common.credentials`) are here too: for API keys the original, for the rest a replica that
its use cases write as they publish."""

from sqlalchemy import Boolean, Column, Integer, String, Table, Text

from services.common.db import UTCDateTime, new_metadata
from services.common.replica import agency_tables

metadata = new_metadata()

replica = agency_tables(
    metadata,
    #: Whom an invitation is sent to: the agency's ISO officer, by name and e-mail (no phone, no head:
    #: personal data under Decree 13/2023/NĐ-CP is kept only where it is needed).
    Column("iso_officer_name", String(200), nullable=True),
    Column("iso_officer_email", String(254), nullable=True),
)
agencies = replica.agencies

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
#: E-mails to send (an invitation with its one-time link), written in the transaction that makes what
#: they announce and sent by the service's background sender, with their id as Message-ID. Once sent
#: (or failed for good, or replaced by a newer one) the body, which carries the link's secret, is
#: erased: who, what and when stay.
mail_queue = Table(
    "mail_queue",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("account_id", String(16), nullable=False, index=True),
    Column("agency_code", String(64), nullable=True),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("text", Text, nullable=True),
    Column("html", Text, nullable=True),
    #: pending, sent, failed (the reason in `error`) or replaced.
    Column("status", String(10), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    #: When a pending e-mail is tried (again): at once, then later after each transient failure.
    Column("due_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    #: Until when what it carries (the link) can be used.
    Column("expires_at", UTCDateTime, nullable=True),
    Column("error", String(500), nullable=True),
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
