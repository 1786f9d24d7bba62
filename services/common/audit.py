"""Who made a change, as the audit trail records it (`contracts.audit`): built by a route from its
caller and request, recorded by `Service.act` in the transaction of the change itself."""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from contracts import CloudEvent
from contracts.audit import ActorKind, AuditData, AuditRecorded
from services.common.auth import Principal

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_ADDRESS = re.compile(r"^[0-9A-Fa-f:.]{1,64}$")


@dataclass(frozen=True)
class Audited:
    """A change about to be made: by whom, on what, from where."""

    actor: Principal
    target: str
    address: str | None
    request_id: str

    def event(self, service: str, source: str, action: str, at: datetime) -> CloudEvent:
        entry = str(uuid.uuid4())
        data = AuditData(
            entry_id=entry,
            service=service,
            actor_id=self.actor.key_id,
            actor_kind=ActorKind.ACCOUNT if self.actor.is_person else ActorKind.KEY,
            actor_name=self.actor.name,
            role=self.actor.role,
            action=action,
            target=self.target,
            at=at,
            address=self.address,
            request_id=self.request_id,
        )
        return AuditRecorded.create(source=source, subject=entry, data=data, time=at)


def by(caller: Principal, request: Request, target: str) -> Audited:
    """The change `caller` makes to `target` with `request` (its `X-Request-ID` if it sent a valid one,
    else a new id; its address as the services see it, behind the proxy they trust)."""
    sent = request.headers.get("x-request-id", "")
    request_id = sent if _REQUEST_ID.match(sent) else str(uuid.uuid4())
    host = request.client.host if request.client else None
    return Audited(caller, target, host if host and _ADDRESS.match(host) else None, request_id)


def action_of(usecase: object) -> str:
    """`<area>.<use case>`: the use case's module (or, for a subdomain's `usecases` module, the
    subdomain) and name, e.g. `reorganisation.merge_agencies`, `inspections.swap`."""
    parts = str(getattr(usecase, "__module__", "")).split(".")
    area = parts[-2] if parts[-1] == "usecases" and len(parts) > 1 else parts[-1]
    return f"{area}.{getattr(usecase, '__name__', 'change')}"
