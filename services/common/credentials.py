"""The credentials every service checks callers against (docs/architecture.md, "Identity").

The identity service issues and revokes them; every service, identity included, keeps the same
tables as a replica of `eiso.identity.credentials`, applied here: API keys, people's accounts, the
public keys that sign session tokens and the sign-ins ended early. So a check never calls the owner,
and a revocation reaches every service as fast as its events travel.

A key reads `eiso_<id>_<secret>`: the id finds the row, the secret is compared as a SHA-256 digest in
constant time. SHA-256 suffices because the secret is 32 random bytes, not a password.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, RowMapping, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import CloudEvent
from contracts.identity import (
    CREDENTIAL_EVENTS,
    AccountChanged,
    CredentialData,
    CredentialIssued,
    CredentialRevoked,
    Role,
    SignedOut,
    SigningKeyPublished,
)
from services.common.db import UTCDateTime, new_metadata, upsert
from services.common.uow import UnitOfWork

metadata = new_metadata()

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("agency_code", String(64), nullable=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    #: With role system: the system whose events the key publishes (their `source`).
    Column("system_id", String(64), nullable=True),
)
#: People's accounts as a check needs them (no e-mail, no password: those stay with identity).
accounts = Table(
    "accounts",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("agency_code", String(64), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("valid_after", UTCDateTime, nullable=False),
)
#: The public keys session tokens are signed with, by `kid`.
signing_keys = Table(
    "signing_keys",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("public_jwk", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
#: Sign-ins ended before their token expired (a row can go once `expires_at` has passed).
signed_out = Table(
    "signed_out",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(16), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True)
class Credential:
    """One API key as a check sees it."""

    id: str
    digest: str
    role: Role
    agency_code: str | None
    name: str
    created_at: datetime
    revoked_at: datetime | None
    system_id: str | None = None

    def opens_with(self, secret: str) -> bool:
        """Whether `secret` is this key's and the key is still valid."""
        return self.revoked_at is None and hmac.compare_digest(self.digest, digest(secret))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    """(id, secret) of a key shaped `eiso_<id>_<secret>`, or None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "eiso" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


async def find(session: AsyncSession, key_id: str) -> Credential | None:
    row = (await session.execute(select(api_keys).where(api_keys.c.id == key_id))).mappings().first()
    return None if row is None else of_row(row)


def of_row(row: RowMapping) -> Credential:
    return Credential(**{**row, "role": Role(row["role"])})


async def save(session: AsyncSession, data: CredentialData) -> None:
    """The credential as `data` describes it, valid (an issue, or a restore of the bootstrap key)."""
    values = {
        "digest": data.digest,
        "role": data.role.value,
        "agency_code": data.agency_code,
        "name": data.name,
        "created_at": data.created_at,
        "revoked_at": None,
        "system_id": data.system_id,
    }
    stmt = upsert(session, api_keys).values(id=data.credential_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))


async def mark_revoked(session: AsyncSession, key_id: str, when: datetime) -> bool:
    """Revoke an active key; False if there is none by that id."""
    result = await session.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=when)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _put(session: AsyncSession, table: Table, key: str, values: dict[str, object]) -> None:
    stmt = upsert(session, table).values(id=key, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))


async def apply_credential_event(uow: UnitOfWork, event: CloudEvent) -> None:
    """One of identity's credential events, applied to this service's replica. A revocation of a key
    the replica never saw changes nothing: its issue is earlier on the same partition (key: its id)."""
    session = uow.session
    if isinstance(event, CredentialIssued):
        await save(session, event.data)
    elif isinstance(event, CredentialRevoked):
        await mark_revoked(session, event.data.credential_id, event.data.revoked_at)
    elif isinstance(event, AccountChanged):
        account = event.data
        values = account.model_dump(include={"name", "agency_code", "active", "valid_after"})
        await _put(session, accounts, account.account_id, {**values, "role": account.role.value})
    elif isinstance(event, SigningKeyPublished):
        key = event.data
        values = {"public_jwk": key.public_jwk.model_dump(), "created_at": key.created_at}
        await _put(session, signing_keys, key.signing_key_id, values)
    elif isinstance(event, SignedOut):
        ended = event.data
        values = {"account_id": ended.account_id, "expires_at": ended.expires_at}
        await _put(session, signed_out, ended.sign_in_id, values)


#: What each service's consumer does with `eiso.identity.credentials`.
CREDENTIAL_HANDLERS = {event.event_type: apply_credential_event for event in CREDENTIAL_EVENTS}
