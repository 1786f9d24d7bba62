"""Events on `eiso.identity.credentials` (writer: identity): who may call the services, and as what.

The identity service is the one owner of credentials; every other service keeps a replica of this
topic and checks a caller against it locally, without calling the owner on each request (a revocation
reaches every replica in the time the events take to travel, well under five seconds). So the topic
carries what a check needs, and never a key, a password or a token:
- an API key's digest (SHA-256 of 32 random bytes, which cannot be reversed into the key), its role
  and the agency it acts for;
- each person's account: role, agency, whether it may sign in, and since when its sign-ins count;
- the public keys that sign people's session tokens, and each sign-in that has ended before its time.
"""

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field

from contracts.envelope import CloudEvent, EventData
from contracts.fields import AgencyCode, Text

#: A credential id: the `<id>` of an `eiso_<id>_<secret>` key.
CREDENTIAL_ID = r"^[A-Za-z0-9-]{1,32}$"
#: An outside system's id, as the registry registers it (also the `source` of what it publishes).
SYSTEM_ID = r"^[a-z0-9][a-z0-9.\-]{2,63}$"


class Role(StrEnum):
    """What a credential's holder may do (docs/domain.md, "Roles")."""

    OPERATOR = "operator"  # the Department of Science and Technology: everything
    AGENCY = "agency"  # one agency's ISO officer or head: that agency's data only
    SYSTEM = "system"  # an outside provincial system: reads
    INSPECTOR = "inspector"  # the inspections assigned to them
    TRAINER = "trainer"  # their training sessions
    VIEWER = "viewer"  # reads everything, changes nothing (e.g. the provincial People's Committee)
    FEED = "feed"  # a calendar app's subscription: one agency's training calendar, nothing else


#: The roles as pages name them.
ROLE_VI = {
    Role.OPERATOR: "Sở Khoa học và Công nghệ (điều hành)",
    Role.AGENCY: "Cán bộ đầu mối ISO của cơ quan",
    Role.SYSTEM: "Hệ thống kết nối",
    Role.INSPECTOR: "Thành viên đoàn kiểm tra",
    Role.TRAINER: "Giảng viên",
    Role.VIEWER: "Theo dõi (chỉ xem)",
    Role.FEED: "Lịch đào tạo (ứng dụng lịch)",
}


class CredentialData(EventData):
    credential_id: str = Field(pattern=CREDENTIAL_ID)
    name: Text = Field(min_length=1, max_length=200, description="Who holds it.")
    role: Role
    agency_code: AgencyCode | None = Field(default=None, description="With role agency: its agency.")
    digest: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="SHA-256 (hex) of the key's secret part, never the key."
    )
    created_at: AwareDatetime
    system_id: str | None = Field(
        default=None,
        pattern=SYSTEM_ID,
        description="With role system: the system it publishes as (the `source` is bound to the key).",
    )


class CredentialIssued(CloudEvent):
    """A credential is valid from now, as described (issued, or restored: the bootstrap key at a
    start). A later one for the same id replaces what was said of it."""

    type: Literal["credential-issued"] = "credential-issued"
    subject_field = "credential_id"
    data: CredentialData


class RevocationData(EventData):
    credential_id: str = Field(pattern=CREDENTIAL_ID)
    revoked_at: AwareDatetime


class CredentialRevoked(CloudEvent):
    """The credential is refused from now on, by every service."""

    type: Literal["credential-revoked"] = "credential-revoked"
    subject_field = "credential_id"
    data: RevocationData


#: An account id (a person's): `acc-` and 12 hex digits.
ACCOUNT_ID = r"^acc-[0-9a-f]{12}$"


class AccountData(EventData):
    account_id: str = Field(pattern=ACCOUNT_ID)
    name: Text = Field(
        min_length=1, max_length=200, description="The person's name, as inspections name them."
    )
    role: Role
    agency_code: AgencyCode | None = Field(default=None, description="With role agency: its agency.")
    active: bool = Field(description="False: every sign-in of the account is refused.")
    valid_after: AwareDatetime = Field(
        description="Session tokens issued before this instant are refused (a password change, a "
        "sign-out everywhere)."
    )


class AccountChanged(CloudEvent):
    """A person's account as it now is (created, role or agency changed, disabled, password changed).
    A later one for the same id replaces what was said of it."""

    type: Literal["account-changed"] = "account-changed"
    subject_field = "account_id"
    data: AccountData


class PublicKey(EventData):
    """An Ed25519 public key as a JWK (RFC 8037): what checks a token's EdDSA signature."""

    kty: Literal["OKP"] = "OKP"
    crv: Literal["Ed25519"] = "Ed25519"
    x: str = Field(pattern=r"^[A-Za-z0-9_-]{43}$", description="The 32-byte public key, base64url.")


class SigningKeyData(EventData):
    signing_key_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The tokens' `kid`.")
    public_jwk: PublicKey
    created_at: AwareDatetime


class SigningKeyPublished(CloudEvent):
    """A key that signs session tokens from now on (the one before it still checks the tokens it
    signed, until they expire)."""

    type: Literal["signing-key-published"] = "signing-key-published"
    subject_field = "signing_key_id"
    data: SigningKeyData


class SignOutData(EventData):
    sign_in_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The token's `sid`.")
    account_id: str = Field(pattern=ACCOUNT_ID)
    expires_at: AwareDatetime = Field(description="When its token would have expired anyway.")


class SignedOut(CloudEvent):
    """A sign-in ended before its token expired: its token is refused from now on."""

    type: Literal["signed-out"] = "signed-out"
    subject_field = "sign_in_id"
    data: SignOutData


CREDENTIAL_EVENTS: tuple[type[CloudEvent], ...] = (
    CredentialIssued,
    CredentialRevoked,
    AccountChanged,
    SigningKeyPublished,
    SignedOut,
)
