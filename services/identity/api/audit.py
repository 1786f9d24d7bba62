"""`GET /audit`: who changed what, when and from where, on every service; for operators. The trail is
read-only: no route adds, changes or removes an entry."""

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from contracts.audit import AuditData
from contracts.identity import Role
from services.common.auth import Caller, require
from services.common.clock import VIETNAM
from services.common.inputs import Day
from services.identity.api.shared import ServiceDep
from services.identity.audit_store import Filter
from services.identity.usecases import audit

router = APIRouter(tags=["audit"])


def _start_of(day: date | None) -> datetime | None:
    """The day's first instant, giờ Việt Nam (a day as people mean it)."""
    return None if day is None else datetime.combine(day, time(), VIETNAM)


@router.get("/audit", response_model=list[AuditData])
async def read_trail(
    caller: Caller,
    service: ServiceDep,
    actor: Annotated[str | None, Query(max_length=32, pattern=r"^[A-Za-z0-9-]+$")] = None,
    target: Annotated[str | None, Query(max_length=300, description="A target or its start.")] = None,
    since: Annotated[Day | None, Query(alias="from", description="First day (giờ Việt Nam).")] = None,
    until: Annotated[Day | None, Query(alias="to", description="Last day (giờ Việt Nam), included.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditData]:
    """Newest first."""
    require(caller, Role.OPERATOR)
    end = _start_of(until + timedelta(days=1) if until else None)
    wanted = Filter(actor=actor, target=target, since=_start_of(since), until=end, limit=limit)
    return await service.query(audit.trail, wanted)
