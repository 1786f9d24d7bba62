"""The notifier's tables: its copy of agencies with their contacts, the notifications (one row per
idempotency key, ever) and the escalation ladders."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import UTCDateTime, new_metadata, one, upsert
from services.common.replica import AgencyReplica
from services.common.replica import agency_ends as replica_ends

metadata = new_metadata()

agencies = Table(
    "agencies",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("level", String(20), nullable=False),
    Column("parent_code", String(64), nullable=True),
    #: Contacts (personal data, Decree 13/2023): only what reminders need, never logged or published.
    Column("contacts", JSON, nullable=False),
    Column("valid_to", Date, nullable=True),
)
agency_ends = replica_ends(metadata)
#: Its copy of the registry's agencies, with the contacts reminders need.
replica = AgencyReplica(agencies, agency_ends)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    #: (agency, reason, period, channel, recipient): one message per key, ever.
    Column("key", String(600), nullable=False, unique=True),
    Column("request_id", String(36), nullable=False),
    Column("agency_code", String(64), nullable=False, index=True),
    Column("reason", String(40), nullable=False),
    Column("period", String(80), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("role", String(20), nullable=False),
    Column("recipient_name", String(200), nullable=False),
    Column("address", String(254), nullable=False, index=True),
    Column("context", JSON, nullable=False),
    Column("critical", Boolean, nullable=False),
    #: pending → sending (batch and request id fixed, retried) → sent | failed; cancelled if moot.
    Column("status", String(10), nullable=False, index=True),
    Column("due_at", UTCDateTime, nullable=False, index=True),
    Column("batch_id", String(36), nullable=True, index=True),
    Column("gateway", String(40), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("segments", Integer, nullable=True),
    Column("provider_id", String(100), nullable=True),
    Column("error", String(500), nullable=True),
    Column("delivery", String(20), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
)

#: Request ids whose outcome the notifier has published, read back from its own topic: a notifier
#: rebuilt from the topics (fresh database) marks those messages done instead of sending them again.
delivered = Table(
    "delivered",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("outcome", String(10), nullable=False),
)

#: Training sessions and who is enrolled, for messages about them (training-* events).
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("course_title_vi", String(300), nullable=False),
    Column("venue", String(300), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
)

enrolled = Table(
    "enrolled",
    metadata,
    Column("session_id", String(36), nullable=False),
    Column("agency_code", String(64), nullable=False),
    Column("person_name", String(200), nullable=False),
    PrimaryKeyConstraint("session_id", "agency_code", "person_name"),
)

#: Messages for an agency the notifier has not read yet (its contacts unknown): made when it arrives.
#: A notifier rebuilt from the topics reads agencies and findings side by side, so a finding may come
#: first; one row per (agency, reason, period), like the messages it will become.
waiting = Table(
    "waiting",
    metadata,
    Column("agency_code", String(64), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("period", String(80), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("context", JSON, nullable=False),
    Column("due_at", UTCDateTime, nullable=True),
    Column("critical", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("agency_code", "reason", "period"),
)

#: One ladder per agency and campaign year: officer, then head, then the supervising agency.
escalations = Table(
    "escalations",
    metadata,
    Column("agency_code", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("started_on", Date, nullable=False),
    Column("step", Integer, nullable=False),  # the last step taken: 0 officer, 1 head, 2 supervisor
    Column("stopped_on", Date, nullable=True),
    Column("stopped_by", String(60), nullable=True),
    PrimaryKeyConstraint("agency_code", "year"),
)


async def wait_for_agency(session: AsyncSession, values: dict[str, Any]) -> None:
    stmt = (
        upsert(session, waiting)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["agency_code", "reason", "period"])
    )
    await session.execute(stmt)


async def take_waiting(session: AsyncSession, code: str) -> list[dict[str, Any]]:
    """The messages waiting for `code`, removed (the caller makes them in the same transaction)."""
    rows = await session.execute(select(waiting).where(waiting.c.agency_code == code))
    found = [dict(r) for r in rows.mappings()]
    if found:
        await session.execute(delete(waiting).where(waiting.c.agency_code == code))
    return found


async def add_notification(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert unless its key exists; whether it was new."""
    stmt = upsert(session, notifications).values(**values).on_conflict_do_nothing(index_elements=["key"])
    return bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def due(session: AsyncSession, now: datetime, limit: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(notifications)
        .where(notifications.c.status.in_(("pending", "sending")), notifications.c.due_at <= now)
        .order_by(notifications.c.due_at, notifications.c.id)
        .limit(limit)
    )
    return [dict(r) for r in rows.mappings()]


async def pending_for(
    session: AsyncSession, agency_code: str, channel: str, address: str, due_by: datetime
) -> list[dict[str, Any]]:
    """Pending messages to one person due by `due_by` (what goes together in one digest)."""
    rows = await session.execute(
        select(notifications).where(
            notifications.c.status == "pending",
            notifications.c.due_at <= due_by,
            notifications.c.agency_code == agency_code,
            notifications.c.channel == channel,
            notifications.c.address == address,
        )
    )
    return [dict(r) for r in rows.mappings()]


async def batch(session: AsyncSession, batch_id: str) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(notifications).where(notifications.c.batch_id == batch_id).order_by(notifications.c.id)
    )
    return [dict(r) for r in rows.mappings()]


async def sms_sent_since(session: AsyncSession, address: str, since: datetime) -> list[datetime]:
    """When SMS went to `address` since `since` (a digest counts once); one in flight counts as going
    at its due time, so a retry pending cannot let a fourth through."""
    rows = await session.execute(
        select(notifications.c.batch_id, func.min(notifications.c.sent_at), func.max(notifications.c.due_at))
        .where(
            notifications.c.address == address,
            notifications.c.channel == "sms",
            or_(
                (notifications.c.status == "sent") & (notifications.c.sent_at > since),
                notifications.c.status == "sending",
            ),
        )
        .group_by(notifications.c.batch_id)
    )
    return [sent or due for _, sent, due in rows]


async def set_rows(
    session: AsyncSession, ids: list[int], only_status: str | None = None, **values: Any
) -> int:
    """Update rows; with `only_status`, only those still in that status (how many were)."""
    query = update(notifications).where(notifications.c.id.in_(ids))
    if only_status is not None:
        query = query.where(notifications.c.status == only_status)
    return int((await session.execute(query.values(**values))).rowcount or 0)  # type: ignore[attr-defined]


async def revive(session: AsyncSession, values: dict[str, Any]) -> bool:
    """A cancelled message whose reason holds again (a session moved back) is queued again."""
    changes = {k: values[k] for k in ("context", "due_at", "critical")} | {"status": "pending"}
    result = await session.execute(
        update(notifications)
        .where(notifications.c.key == values["key"], notifications.c.status == "cancelled")
        .values(**changes)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def cancel_pending(
    session: AsyncSession,
    agency_code: str,
    reasons: tuple[str, ...],
    period_prefix: str,
    keep: str | None = None,
) -> int:
    """Pending messages made moot (a session moved or cancelled), except the period `keep`; those in
    flight are left alone."""
    where = [
        notifications.c.status == "pending",
        notifications.c.agency_code == agency_code,
        notifications.c.reason.in_(reasons),
        notifications.c.period.startswith(period_prefix),
    ]
    if keep is not None:
        where.append(notifications.c.period != keep)
    result = await session.execute(update(notifications).where(*where).values(status="cancelled"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def listing(
    session: AsyncSession, agency_code: str | None, status: str | None, limit: int
) -> list[dict[str, Any]]:
    query = select(notifications).order_by(notifications.c.id.desc()).limit(limit)
    if agency_code:
        query = query.where(notifications.c.agency_code == agency_code)
    if status:
        query = query.where(notifications.c.status == status)
    return [dict(r) for r in (await session.execute(query)).mappings()]


async def start_escalation(session: AsyncSession, code: str, year: int, day: date) -> None:
    stmt = upsert(session, escalations).values(agency_code=code, year=year, started_on=day, step=0)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["agency_code", "year"]))


async def stop_escalations(
    session: AsyncSession, code: str, day: date, why: str, year: int | None = None
) -> None:
    query = update(escalations).where(escalations.c.agency_code == code, escalations.c.stopped_on.is_(None))
    if year is not None:
        query = query.where(escalations.c.year == year)
    await session.execute(query.values(stopped_on=day, stopped_by=why))


async def open_escalations(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(escalations).where(escalations.c.stopped_on.is_(None), escalations.c.step < 2)
    )
    return [dict(r) for r in rows.mappings()]


async def advance(session: AsyncSession, code: str, year: int, step: int) -> None:
    await session.execute(
        update(escalations)
        .where(escalations.c.agency_code == code, escalations.c.year == year)
        .values(step=step)
    )


async def save_session(
    session: AsyncSession, session_id: str, title: str, venue: str, starts_at: datetime
) -> None:
    values = {"course_title_vi": title, "venue": venue, "starts_at": starts_at}
    stmt = upsert(session, sessions).values(id=session_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))


async def session_info(session: AsyncSession, session_id: str) -> dict[str, Any] | None:
    return await one(session, select(sessions).where(sessions.c.id == session_id))


async def remember_enrolment(session: AsyncSession, session_id: str, agency_code: str, person: str) -> None:
    stmt = upsert(session, enrolled).values(
        session_id=session_id, agency_code=agency_code, person_name=person
    )
    await session.execute(stmt.on_conflict_do_nothing())


async def enrolled_agencies(session: AsyncSession, session_id: str) -> list[str]:
    rows = await session.execute(
        select(enrolled.c.agency_code).where(enrolled.c.session_id == session_id).distinct()
    )
    return sorted(r.agency_code for r in rows)


async def mark_delivered(session: AsyncSession, request_ids: list[str], outcome: str) -> None:
    if request_ids:
        rows = [{"request_id": r, "outcome": outcome} for r in request_ids]
        await session.execute(upsert(session, delivered).values(rows).on_conflict_do_nothing())
        await session.execute(
            update(notifications)
            .where(notifications.c.request_id.in_(request_ids), notifications.c.status == "pending")
            .values(status=outcome)
        )


async def outcome_of(session: AsyncSession, request_id: str) -> str | None:
    return await session.scalar(select(delivered.c.outcome).where(delivered.c.request_id == request_id))


async def summary(session: AsyncSession, now: datetime, since: datetime) -> dict[str, Any]:
    """Messages (a digest counts once) sent and failed since `since`, held for later, due now."""
    batches = func.count(func.distinct(func.coalesce(notifications.c.batch_id, notifications.c.request_id)))
    waiting = notifications.c.status.in_(("pending", "sending"))

    async def count(*where: Any) -> int:
        return int(await session.scalar(select(batches).where(*where)) or 0)

    recent = notifications.c.sent_at > since
    next_due = await session.scalar(select(func.min(notifications.c.due_at)).where(waiting))
    if next_due is not None and next_due.tzinfo is None:  # SQLite forgets the zone; times are UTC
        next_due = next_due.replace(tzinfo=UTC)
    return {
        "next_due_in_seconds": (next_due - now).total_seconds() if next_due else None,
        "sent": await count(notifications.c.status == "sent", recent),
        "failed": await count(notifications.c.status == "failed", notifications.c.due_at > since),
        "held": await count(waiting, notifications.c.due_at > now),
        "due": await count(waiting, notifications.c.due_at <= now),
        "sms_segments": int(
            await session.scalar(
                select(func.coalesce(func.sum(notifications.c.segments), 0)).where(
                    notifications.c.status == "sent", notifications.c.channel == "sms", recent
                )
            )
            or 0
        ),
    }


async def forget_enrolment(session: AsyncSession, session_id: str, agency_code: str, person: str) -> bool:
    """Forget one person's place; whether anyone from the agency is still enrolled in the session."""
    await session.execute(
        enrolled.delete().where(
            enrolled.c.session_id == session_id,
            enrolled.c.agency_code == agency_code,
            enrolled.c.person_name == person,
        )
    )
    return agency_code in await enrolled_agencies(session, session_id)
