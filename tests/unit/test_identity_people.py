"""People on the identity service's own schema (SQLite), on a clock the tests move: an account and its
one-time link, signing in (slowed, then locked), the token every service checks, and what ends it."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.identity import Role
from services.common.clock import FixedClock
from services.common.tokens import check_token
from services.identity.keys import KeyRefusedError
from services.identity.people import (
    PasswordRefusedError,
    SignInOutcome,
    Throttle,
    name_from_claims,
    role_from_claims,
)
from services.identity.usecases import agencies, people, signing_in
from services.identity.usecases.signing_in import Policy
from tests.factories import NOW, agency_registered, unique_code
from tests.unit.conftest import Run

PASSWORD = "một cụm từ dài khó đoán"
POLICY = Policy(
    lifetime=timedelta(hours=8),
    throttle=Throttle(lock_after=10, window=timedelta(minutes=1), lock_for=timedelta(minutes=15)),
    rotate_every=timedelta(days=30),
)


async def person(run: Run, role: Role = Role.AGENCY) -> tuple[str, str]:
    """An account with its password set through its link: (account id, e-mail)."""
    code = unique_code("P") if role == Role.AGENCY else None
    if code:
        await run(agencies.apply_agency_event, agency_registered(code))
    email = f"{unique_code('u').lower()}@travinh.gov.vn"
    invited = await run(people.create_account, email, "Trần Thị B", role, code, timedelta(hours=72))
    await run(people.set_password_with_link, invited.link, PASSWORD)
    return invited.account.id, email


async def holder(identity_db: async_sessionmaker[AsyncSession], clock: FixedClock, token: str) -> Any:
    async with identity_db() as session:
        return await check_token(session, token, clock.now())


async def test_a_link_sets_the_password_once_and_a_sign_in_gives_a_token_every_replica_checks(
    run: Run, identity_db: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    account_id, email = await person(run)
    signed = await run(signing_in.sign_in, email.upper(), PASSWORD, POLICY, "203.0.113.5")
    assert signed.outcome == SignInOutcome.SIGNED_IN and signed.minted is not None
    found = await holder(identity_db, clock, signed.minted.token)
    assert (found.account_id, found.role, found.name) == (account_id, Role.AGENCY, "Trần Thị B")
    assert found.csrf == signed.minted.csrf
    clock.set(NOW + timedelta(hours=8, seconds=-60))
    assert await holder(identity_db, clock, signed.minted.token) is not None, (
        "a clock a minute apart is no matter"
    )
    clock.set(NOW - timedelta(seconds=60))
    assert await holder(identity_db, clock, signed.minted.token) is not None, "nor one a minute behind"
    clock.set(NOW + timedelta(hours=8, minutes=3))
    assert await holder(identity_db, clock, signed.minted.token) is None, "expired after a working day"
    tampered = signed.minted.token[:-4] + ("AAAA" if not signed.minted.token.endswith("AAAA") else "BBBB")
    clock.set(NOW)
    assert await holder(identity_db, clock, tampered) is None, "a signature that does not match"


async def test_a_link_works_once_and_not_after_it_expires(run: Run) -> None:
    invited = await run(
        people.create_account, "x@travinh.gov.vn", "Lê Văn C", Role.VIEWER, None, timedelta(hours=1)
    )
    with pytest.raises(PasswordRefusedError, match="ít nhất 10 ký tự"):
        await run(people.set_password_with_link, invited.link, "ngắn")
    await run(people.set_password_with_link, invited.link, PASSWORD)
    with pytest.raises(PasswordRefusedError, match="đã được dùng"):
        await run(people.set_password_with_link, invited.link, PASSWORD + "2")
    late = await run(
        people.create_account, "y@travinh.gov.vn", "Lê Văn D", Role.VIEWER, None, timedelta(hours=1)
    )
    with pytest.raises(PasswordRefusedError, match="hết hạn"):
        await run(people.set_password_with_link, late.link.split(".")[0] + ".wrong-secret", PASSWORD)


async def test_the_tenth_wrong_password_in_a_minute_locks_without_checking_and_the_lock_ends(
    run: Run, clock: FixedClock
) -> None:
    _, email = await person(run)
    delays = []
    for attempt in range(9):
        clock.set(NOW + timedelta(seconds=5 * attempt))
        wrong = await run(signing_in.sign_in, email, f"sai {attempt} lần nữa", POLICY, None)
        delays.append(wrong.delay)
    assert wrong.outcome == SignInOutcome.LOCKED, "the ninth wrong password locks the account"
    assert delays == sorted(delays) and delays[-1] > delays[0], "each failure waits longer"
    clock.set(NOW + timedelta(seconds=50))
    tenth = await run(signing_in.sign_in, email, PASSWORD, POLICY, None)
    assert tenth.outcome == SignInOutcome.LOCKED and tenth.minted is None, "the right one is not even checked"
    clock.set(NOW + timedelta(minutes=16))
    after = await run(signing_in.sign_in, email, PASSWORD, POLICY, None)
    assert after.outcome == SignInOutcome.SIGNED_IN, "the right password works again after the lock"
    again = await run(signing_in.sign_in, email, "sai một lần", POLICY, None)
    assert again.outcome == SignInOutcome.WRONG and again.account.failures == 1, "the count starts over"


async def test_slow_failures_spread_over_more_than_a_minute_do_not_lock(run: Run, clock: FixedClock) -> None:
    _, email = await person(run)
    for attempt in range(12):
        clock.set(NOW + timedelta(minutes=2 * attempt))
        assert (await run(signing_in.sign_in, email, "sai", POLICY, None)).outcome == SignInOutcome.WRONG
    assert (await run(signing_in.sign_in, email, PASSWORD, POLICY, None)).outcome == SignInOutcome.SIGNED_IN


async def test_sign_out_a_password_change_a_role_change_and_disabling_reach_the_token(
    run: Run, identity_db: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    account_id, email = await person(run, Role.INSPECTOR)
    first = (await run(signing_in.sign_in, email, PASSWORD, POLICY, None)).minted
    second = (await run(signing_in.sign_in, email, PASSWORD, POLICY, None)).minted
    assert await run(signing_in.sign_out, account_id, first.sign_in_id) is not None
    assert await holder(identity_db, clock, first.token) is None, "signed out"
    assert await holder(identity_db, clock, second.token) is not None, "another sign-in goes on"

    clock.set(NOW + timedelta(seconds=1))
    await run(people.change_account, account_id, Role.TRAINER, None, None)
    assert (await holder(identity_db, clock, second.token)).role == Role.TRAINER, "the role as it is now"

    clock.set(NOW + timedelta(seconds=2))
    third = await run(signing_in.change_password, account_id, PASSWORD, PASSWORD + " mới", POLICY, None)
    assert await holder(identity_db, clock, second.token) is None, "older sign-ins end with the password"
    assert await holder(identity_db, clock, third.token) is not None, "this browser's new sign-in holds"
    with pytest.raises(PasswordRefusedError, match="hiện tại không đúng"):
        await run(signing_in.change_password, account_id, PASSWORD, "khác hẳn nữa rồi", POLICY, None)

    await run(people.change_account, account_id, None, None, False)
    assert await holder(identity_db, clock, third.token) is None, "a disabled account is refused"
    refused = await run(signing_in.sign_in, email, PASSWORD + " mới", POLICY, None)
    assert refused.outcome == SignInOutcome.DISABLED


async def test_accounts_are_refused_as_system_for_unknown_agencies_twice_and_the_last_operator_stays(
    run: Run,
) -> None:
    with pytest.raises(KeyRefusedError, match="for API keys"):
        await run(people.create_account, "s@x.vn", "Hệ thống", Role.SYSTEM, None, timedelta(hours=1))
    with pytest.raises(KeyRefusedError, match="unknown"):
        await run(
            people.create_account, "a@x.vn", "Cán bộ", Role.AGENCY, unique_code("NO"), timedelta(hours=1)
        )
    operator, email = await person(run, Role.OPERATOR)
    with pytest.raises(KeyRefusedError, match="exists already"):
        await run(people.create_account, email.upper(), "Lần hai", Role.VIEWER, None, timedelta(hours=1))
    with pytest.raises(KeyRefusedError, match="last active operator"):
        await run(people.change_account, operator, None, None, False)
    assert await run(people.published_keys) == [], "no key before the first sign-in"
    await run(signing_in.sign_in, email, PASSWORD, POLICY, None)
    await run(signing_in.sign_in, email, PASSWORD, POLICY, None)
    (key,) = await run(people.published_keys)
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", "Ed25519", "sig")
    assert "d" not in key, "never the private half"


def test_the_provider_s_roles_map_to_the_one_that_may_do_most_and_names_read_family_first() -> None:
    mapping = {"can-bo-iso": Role.AGENCY, "theo-doi": Role.VIEWER, "kiem-tra": Role.INSPECTOR}
    assert role_from_claims({"eiso_roles": ["theo-doi", "kiem-tra"]}, "eiso_roles", mapping) == Role.INSPECTOR
    assert role_from_claims({"eiso_roles": "can-bo-iso"}, "eiso_roles", mapping) == Role.AGENCY
    assert role_from_claims({"eiso_roles": ["khac"]}, "eiso_roles", mapping) is None
    assert role_from_claims({}, "eiso_roles", mapping) is None
    claims: dict[str, object] = {
        "sub": "x",
        "name": "Mai Nguyễn Thị",
        "given_name": "Mai",
        "family_name": "Nguyễn Thị",
    }
    assert name_from_claims(claims) == "Nguyễn Thị Mai"
    assert name_from_claims({"sub": "x", "preferred_username": "can.bo"}) == "can.bo"
