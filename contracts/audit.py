"""Events on `eiso.<service>.audit` (writer: each service, its own): the audit trail.

Every change a person or a system makes through a service's API is recorded by that service in the
transaction that makes it: who (account or key, in which role), what (action and target), when, from
which address and under which request id. The identity service reads every service's audit topic
into the one trail operators read (`GET /audit` on the identity service). Nothing edits an entry.
"""

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field

from contracts.envelope import CloudEvent, EventData
from contracts.fields import Text
from contracts.identity import Role


class ActorKind(StrEnum):
    ACCOUNT = "account"  # a person signed in
    KEY = "key"  # a script or an outside system, by API key


class AuditData(EventData):
    entry_id: str = Field(pattern=r"^[0-9a-f-]{36}$", description="One per change (a UUID).")
    service: str = Field(pattern=r"^[a-z]{1,20}$", description="The service the change was made on.")
    actor_id: str = Field(pattern=r"^[A-Za-z0-9-]{1,32}$", description="The account or API key id.")
    actor_kind: ActorKind
    actor_name: Text | None = Field(default=None, max_length=200, description="A person's name.")
    role: Role
    action: str = Field(
        pattern=r"^[a-z_]{1,40}\.[a-z_]{1,60}$", description="What was done: `<area>.<use case>`."
    )
    target: Text = Field(
        min_length=1, max_length=300, description="What it was done to, e.g. `agency:<code>`."
    )
    at: AwareDatetime
    address: str | None = Field(default=None, max_length=64, pattern=r"^[0-9A-Fa-f:.]{1,64}$")
    request_id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,100}$")


class AuditRecorded(CloudEvent):
    """A change and who made it."""

    type: Literal["audit-recorded"] = "audit-recorded"
    subject_field = "entry_id"
    data: AuditData


AUDIT_EVENTS: tuple[type[CloudEvent], ...] = (AuditRecorded,)
