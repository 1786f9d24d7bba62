"""Single sign-on with the province's identity provider: a sign-in sent there, and its answer turned
into an eiso sign-in. The provider says who the person is and, through the claims the settings name,
their role and agency; eiso's account follows it at every sign-in (published like any change)."""

from dataclasses import dataclass, replace
from datetime import timedelta

from contracts.identity import Role
from services.identity import people
from services.identity.people import Account
from services.identity.people_store import SsoRequest
from services.identity.provider import Provider, ProviderError
from services.identity.signing import Minted
from services.identity.unit_of_work import IdentityUnitOfWork
from services.identity.usecases.people import publish_account
from services.identity.usecases.signing_in import Policy, open_sign_in

#: How long a person may take at the provider's sign-in page.
REQUEST_VALID = timedelta(minutes=10)


class SsoRefusedError(Exception):
    """A single sign-on that cannot become an eiso sign-in; the message is for the person."""


@dataclass(frozen=True)
class Mapping:
    """How the provider's claims become eiso's role and agency (`IdentitySettings.oidc_*`)."""

    roles_claim: str
    roles: dict[str, Role]
    agency_claim: str


@dataclass(frozen=True)
class SsoSignIn:
    minted: Minted
    account: Account
    #: Where the person was going.
    next: str


async def remember(uow: IdentityUnitOfWork, state: str, request: SsoRequest) -> None:
    await uow.sso_requests.add(state, request, uow.clock.now())


async def _account_for(
    uow: IdentityUnitOfWork, claims: dict[str, object], subject: str, mapping: Mapping
) -> Account:
    role = people.role_from_claims(claims, mapping.roles_claim, mapping.roles)
    if role is None:
        raise SsoRefusedError(
            "Tài khoản của cổng đăng nhập tỉnh chưa được giao vai trò nào trong ISO điện tử."
        )
    agency = str(claims.get(mapping.agency_claim) or "") or None if role == Role.AGENCY else None
    if role == Role.AGENCY and (agency is None or not await uow.agencies.known(agency)):
        raise SsoRefusedError(
            f"Cơ quan {agency or '(không có mã)'} của tài khoản chưa có trong danh sách cơ quan."
        )
    email = str(claims.get("email") or f"{claims['sub']}@sso.invalid")
    now = uow.clock.now()
    known = await uow.people.by_provider(subject)
    if known is None and claims.get("email_verified") and claims.get("email"):
        known = await uow.people.by_email(email, lock=True)
    if known is None:
        made = Account(
            people.new_account_id(),
            email,
            people.name_from_claims(claims),
            role,
            agency,
            None,
            True,
            now,
            now,
        )
        made = replace(made, provider_subject=subject)
        await uow.people.add(made)
        await publish_account(uow, made)
        return made
    if not known.active:
        raise SsoRefusedError("Tài khoản này đã bị khóa. Hãy liên hệ Sở Khoa học và Công nghệ.")
    now_as = replace(
        known, role=role, agency_code=agency, name=people.name_from_claims(claims), provider_subject=subject
    )
    if now_as != known:
        await uow.people.save(now_as)
        await publish_account(uow, now_as)
    return now_as


async def sign_in_from_provider(
    uow: IdentityUnitOfWork,
    provider: Provider,
    state: str,
    code: str,
    redirect_uri: str,
    mapping: Mapping,
    policy: Policy,
    address: str | None,
) -> SsoSignIn:
    """The provider's answer (`state`, `code`) checked and turned into a sign-in."""
    request = await uow.sso_requests.take(state, uow.clock.now() - REQUEST_VALID)
    if request is None:
        raise SsoRefusedError("Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Hãy đăng nhập lại.")
    try:
        verified = await provider.finish(code, request.verifier, request.nonce, redirect_uri)
    except ProviderError as refused:
        raise SsoRefusedError(f"Cổng đăng nhập của tỉnh không xác nhận được: {refused}") from None
    subject = f"{verified.claims['iss']}|{verified.claims['sub']}"
    account = await _account_for(uow, verified.claims, subject, mapping)
    minted = await open_sign_in(uow, account, policy, address, provider_token=verified.id_token)
    return SsoSignIn(minted, account, request.next)
