"""Issue, list and revoke API keys; make the bootstrap operator key valid. Each change is stored and
published (`eiso.identity.credentials`) in one transaction, so no replica misses it."""

from dataclasses import dataclass

from contracts import Topic
from contracts.identity import CredentialData, CredentialIssued, CredentialRevoked, RevocationData, Role
from services.common.credentials import Credential, digest
from services.identity.keys import KeyRefusedError, bootstrap_parts, check_issue, check_revocation, new_key
from services.identity.unit_of_work import IdentityUnitOfWork


@dataclass(frozen=True)
class Issued:
    credential: Credential
    #: The whole key: shown once, in the answer to the request that issued it.
    key: str


async def _publish(uow: IdentityUnitOfWork, data: CredentialData) -> None:
    await uow.keys.save(data)
    uow.emit(
        Topic.IDENTITY_CREDENTIALS,
        CredentialIssued.create(
            source=uow.source, subject=data.credential_id, data=data, time=uow.clock.now()
        ),
    )


async def issue_key(
    uow: IdentityUnitOfWork, name: str, role: Role, agency_code: str | None, system_id: str | None = None
) -> Issued:
    """A new key, returned once and stored only hashed. An agency key is issued only for an agency
    the registry has published, so no key waits for a code someone may register later. A system key
    with a `system_id` publishes as that system, and as no other."""
    check_issue(role, agency_code, system_id)
    if agency_code and not await uow.agencies.known(agency_code):
        raise KeyRefusedError("agency_code", f"agency {agency_code} is unknown")
    made = new_key()
    data = CredentialData(
        credential_id=made.id,
        name=name,
        role=role,
        agency_code=agency_code,
        digest=made.digest,
        created_at=uow.clock.now(),
        system_id=system_id,
    )
    await _publish(uow, data)
    found = await uow.keys.get(made.id)
    assert found is not None
    return Issued(found, made.key)


async def all_keys(uow: IdentityUnitOfWork) -> list[Credential]:
    return await uow.keys.all()


async def revoke_key(uow: IdentityUnitOfWork, key_id: str, bootstrap_id: str | None) -> bool:
    """Revoke an active key everywhere (False if there is none by that id)."""
    check_revocation(key_id, bootstrap_id, await uow.keys.active_operators())
    now = uow.clock.now()
    if not await uow.keys.revoke(key_id, now):
        return False
    uow.emit(
        Topic.IDENTITY_CREDENTIALS,
        CredentialRevoked.create(
            source=uow.source,
            subject=key_id,
            data=RevocationData(credential_id=key_id, revoked_at=now),
            time=now,
        ),
    )
    return True


async def ensure_bootstrap_key(uow: IdentityUnitOfWork, key: str) -> str | None:
    """Make `key` (EISO_BOOTSTRAP_OPERATOR_KEY) a valid operator key, whatever happened to it: a fresh
    install is usable at once, and a restart is the way back in for an operator locked out. Returns
    what was done ("created", or "restored" from revoked or from another role), or None."""
    key_id, secret = bootstrap_parts(key)
    known = await uow.keys.get(key_id)
    if known is not None and known.digest != digest(secret):
        raise ValueError(f"key id {key_id} already exists with another secret")
    if known is not None and known.revoked_at is None and known.role == Role.OPERATOR:
        return None
    data = CredentialData(
        credential_id=key_id,
        name="bootstrap operator",
        role=Role.OPERATOR,
        agency_code=None,
        digest=digest(secret),
        created_at=known.created_at if known else uow.clock.now(),
    )
    await _publish(uow, data)
    return "created" if known is None else "restored"


async def feed(uow: IdentityUnitOfWork, key_id: str) -> Credential | None:
    """An active calendar feed token by its id."""
    found = await uow.keys.get(key_id)
    return found if found is not None and found.role == Role.FEED and found.revoked_at is None else None
