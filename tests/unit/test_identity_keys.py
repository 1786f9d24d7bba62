"""The identity service's keys on its own schema (SQLite): each change is stored and published in one
transaction, what a replica makes of the published events, and the keys that must stay."""

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import Topic, parse_event
from contracts.identity import Role
from services.common import credentials
from services.common.clock import FixedClock
from services.common.outbox_inbox import outbox
from services.common.uow import UnitOfWork
from services.identity.broker_accounts import BrokerAccounts, BrokerNotSecureError
from services.identity.keys import (
    KeyRefusedError,
    RevocationRefusedError,
    bootstrap_parts,
    check_broker_system,
)
from services.identity.settings import IdentitySettings
from services.identity.usecases import agencies, keys
from tests.factories import NOW, agency_registered, unique_code
from tests.unit.conftest import Run

BOOTSTRAP = "eiso_boot-1_c2VjcmV0LWJvb3RzdHJhcC1rZXktZm9yLXRlc3Rz"


async def published(sessions: async_sessionmaker[AsyncSession]) -> list[Any]:
    async with sessions() as session:
        rows = await session.execute(select(outbox.c.topic, outbox.c.value).order_by(outbox.c.id))
        return [parse_event(topic, value) for topic, value in rows if topic == Topic.IDENTITY_CREDENTIALS]


async def test_an_issued_key_is_published_as_a_digest_and_revoked_once(
    run: Run, identity_db: async_sessionmaker[AsyncSession]
) -> None:
    code = unique_code("ID")
    await run(agencies.apply_agency_event, agency_registered(code))
    issued = await run(keys.issue_key, "Cán bộ ISO", Role.AGENCY, code)
    key_id, secret = issued.key.split("_", 2)[1:]
    assert issued.credential.id == key_id and issued.credential.opens_with(secret)
    (event,) = await published(identity_db)
    assert event.type == "credential-issued" and event.subject == key_id
    assert event.data.digest == credentials.digest(secret) and secret not in json.dumps(
        event.model_dump(mode="json")
    )
    assert await run(keys.revoke_key, key_id, None) is True
    assert await run(keys.revoke_key, key_id, None) is False, "a revoked key is not revoked again"
    assert [e.type for e in await published(identity_db)] == ["credential-issued", "credential-revoked"]


async def test_a_key_is_refused_for_an_agency_the_registry_has_not_published(run: Run) -> None:
    with pytest.raises(KeyRefusedError, match="unknown") as refused:
        await run(keys.issue_key, "x", Role.AGENCY, unique_code("NOPE"))
    assert refused.value.field == "agency_code"
    with pytest.raises(KeyRefusedError, match="only by, roles agency and feed"):
        await run(keys.issue_key, "x", Role.OPERATOR, unique_code("NOPE"))


async def test_the_bootstrap_key_and_the_last_operator_key_stay(run: Run) -> None:
    assert await run(keys.ensure_bootstrap_key, BOOTSTRAP) == "created"
    assert await run(keys.ensure_bootstrap_key, BOOTSTRAP) is None, "nothing to do at the next start"
    boot_id = bootstrap_parts(BOOTSTRAP)[0]
    with pytest.raises(RevocationRefusedError, match="bootstrap operator key cannot be revoked"):
        await run(keys.revoke_key, boot_id, boot_id)
    with pytest.raises(RevocationRefusedError, match="last active operator key"):
        await run(keys.revoke_key, boot_id, None)
    other = await run(keys.issue_key, "Sở KH&CN", Role.OPERATOR, None)
    assert await run(keys.revoke_key, boot_id, None) is True, "no longer the bootstrap key: it may go"
    with pytest.raises(RevocationRefusedError, match="last active operator key"):
        await run(keys.revoke_key, other.credential.id, None)
    assert await run(keys.ensure_bootstrap_key, BOOTSTRAP) == "restored"
    with pytest.raises(ValueError, match="another secret"):
        await run(keys.ensure_bootstrap_key, f"eiso_{boot_id}_another-secret-altogether")


@pytest.mark.parametrize("bad", ["eiso_key", "eiso__x", "nope_a_b", "eiso_a b_c", f"eiso_{'a' * 33}_c"])
def test_a_bootstrap_key_not_shaped_like_one_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="eiso_<id>_<secret>"):
        bootstrap_parts(bad)


async def test_a_replica_applies_issues_and_revocations_in_order(
    run: Run, identity_db: async_sessionmaker[AsyncSession], training_db: async_sessionmaker[AsyncSession]
) -> None:
    """Another service's replica (training's), fed what the identity service published."""
    first = await run(keys.issue_key, "Hệ thống một cửa", Role.SYSTEM, None)
    second = await run(keys.issue_key, "Sở KH&CN", Role.OPERATOR, None)
    await run(keys.revoke_key, first.credential.id, None)
    async with UnitOfWork(training_db, FixedClock(NOW), "/eiso/training") as uow:
        for event in await published(identity_db):
            await credentials.apply_credential_event(uow, event)
        await uow.commit()
    async with training_db() as session:
        revoked = await credentials.find(session, first.credential.id)
        valid = await credentials.find(session, second.credential.id)
    assert revoked is not None and revoked.revoked_at == NOW
    assert not revoked.opens_with(first.key.split("_", 2)[2]), "refused once revoked"
    assert valid is not None and valid.role == Role.OPERATOR and valid.opens_with(second.key.split("_", 2)[2])


@pytest.mark.parametrize("system_id", ["dlq", "Vn.Travinh", "a", "vn travinh"])
def test_a_broker_principal_is_refused_for_an_id_that_cannot_name_a_system_s_topic(system_id: str) -> None:
    with pytest.raises(KeyRefusedError) as refused:
        check_broker_system(system_id)
    assert refused.value.field == "system_id"


async def test_the_plain_broker_gives_no_principal_and_says_what_is_needed() -> None:
    accounts = BrokerAccounts(IdentitySettings(kafka_security_protocol="PLAINTEXT"))
    with pytest.raises(BrokerNotSecureError, match="secure mode") as refused:
        await accounts.provision("vn.travinh.eiso", "secret-never-used")
    assert "secret-never-used" not in str(refused.value)
