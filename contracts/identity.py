"""Events on `eiso.identity.credentials` (writer: identity): who may call the services, and as what.

The identity service is the one owner of credentials; every other service keeps a replica of this
topic and checks a caller against it locally, without calling the owner on each request (a revocation
reaches every replica in the time the events take to travel, well under five seconds). So the topic
carries what a check needs: an API key's digest (SHA-256 of 32 random bytes, which cannot be reversed
into the key), its role and the agency it acts for. Never a key, a password or a token.
"""

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field

from contracts.envelope import CloudEvent, EventData
from contracts.fields import AgencyCode, Text

#: A credential id: the `<id>` of an `eiso_<id>_<secret>` key.
CREDENTIAL_ID = r"^[A-Za-z0-9-]{1,32}$"


class Role(StrEnum):
    """What a credential's holder may do (docs/domain.md, "Roles")."""

    OPERATOR = "operator"  # the Department of Science and Technology: everything
    AGENCY = "agency"  # one agency's ISO officer or head: that agency's data only
    SYSTEM = "system"  # an outside provincial system: reads


class CredentialData(EventData):
    credential_id: str = Field(pattern=CREDENTIAL_ID)
    name: Text = Field(min_length=1, max_length=200, description="Who holds it.")
    role: Role
    agency_code: AgencyCode | None = Field(default=None, description="With role agency: its agency.")
    digest: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="SHA-256 (hex) of the key's secret part, never the key."
    )
    created_at: AwareDatetime


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


CREDENTIAL_EVENTS: tuple[type[CloudEvent], ...] = (CredentialIssued, CredentialRevoked)
