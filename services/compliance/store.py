"""The compliance service's tables: its own copy of agencies, the evidence it has seen, the scores."""

from collections.abc import AsyncIterator, Collection, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    delete,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.compliance import ScoreData
from contracts.inspections import InspectionData, InspectionStatus
from contracts.records import RecordData
from contracts.training import CompletionData, SessionData
from services.common.db import UTCDateTime, new_metadata, one, upsert
from services.common.replica import AgencyReplica
from services.common.replica import agency_ends as replica_ends
from services.compliance.domain import Facts, evidence_of

metadata = new_metadata()

agencies = Table(
    "agencies",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("level", String(20), nullable=False),
    Column("parent_code", String(64), nullable=True),
    Column("obligation", String(20), nullable=False),
    Column("uses_eiso_software", Boolean, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=True),
)

evidence = Table(
    "evidence",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("agency_code", String(64), nullable=False, index=True),
    Column("element", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
)

#: Courses completed by an agency's staff (training-completed), for the training rule.
trainings = Table(
    "trainings",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("agency_code", String(64), nullable=False, index=True),
    Column("completed_on", Date, nullable=False),
    Column("role", String(20), nullable=False),
    Column("course_code", String(40), nullable=False),
)

#: Read models for the operator board, from the training and notifier topics.
training_sessions = Table(
    "training_sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("title_vi", String(300), nullable=False),
    Column("venue", String(300), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("cancelled", Boolean, nullable=False),
)
training_places = Table(
    "training_places",
    metadata,
    Column("enrolment_id", String(36), primary_key=True),
    Column("session_id", String(36), nullable=False, index=True),
    Column("status", String(20), nullable=False),
)
deliveries = Table(
    "deliveries",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("outcome", String(10), nullable=False),
    Column("at", UTCDateTime, nullable=False, index=True),
)

#: Messages the notifier holds for its sending window or throttle, until they go or the hold ends.
held_messages = Table(
    "held_messages",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("until", UTCDateTime, nullable=False, index=True),
)

agency_ends = replica_ends(metadata)
#: Its copy of the registry's agencies: what scoring and reports need, never the contacts.
replica = AgencyReplica(agencies, agency_ends)

#: Merges: the successor's score counts its predecessors' records (merged agencies count once).
lineage = Table(
    "lineage",
    metadata,
    Column("predecessor_code", String(64), nullable=False),
    Column("successor_code", String(64), nullable=False, index=True),
    Column("effective_on", Date, nullable=False),
    #: `merge` or `rename`: only a merger makes an agency "newly merged" for the inspection plan.
    Column("kind", String(10), nullable=False, server_default="merge"),
    PrimaryKeyConstraint("predecessor_code", "successor_code"),
)

#: Small facts about the service's own state, e.g. which rule set the stored scores were made with.
meta = Table(
    "meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", String(200), nullable=False),
)

#: Notices sent by the daily evaluation: each (agency, kind, period) once, ever.
notices = Table(
    "notices",
    metadata,
    Column("agency_code", String(64), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("period", String(20), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("sent_on", Date, nullable=False),
    PrimaryKeyConstraint("agency_code", "kind", "period"),
)

scores = Table(
    "scores",
    metadata,
    Column("agency_code", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("status", String(20), nullable=False),
    Column("breakdown", JSON, nullable=False),
    #: Record events applied to this score: one per event, ever (the inbox's promise, counted).
    Column("events_applied", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("agency_code", "year"),
)


#: The inspection plan: one row per inspection, as its latest `inspection-*` event says (compliance
#: also reads its own topic back, so a rebuild from the topics restores the plan). The API checks that an
#: agency is in a year's plan once and an inspector inspects once a day, under `plan_lock`; not unique
#: indexes, because a rebuild applies events of different agencies in no fixed order.
inspections = Table(
    "inspections",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("agency_code", String(64), nullable=False, index=True),
    Column("revision", Integer, nullable=False),
    Column("scheduled_on", Date, nullable=False),
    Column("inspector", String(200), nullable=False),
    Column("mode", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("risk", Float, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("held_on", Date, nullable=True),
    Column("findings", JSON, nullable=False),
    Column("corrective_actions", JSON, nullable=False),
    Column("note", String(500), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)


def evidence_row(event_id: str, record: RecordData, now: datetime) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "agency_code": record.agency_code,
        "element": record.element.value,
        "year": record.year,
        "version": record.version,
        "occurred_on": record.occurred_on,
        "received_at": now,
    }


async def add_evidence(session: AsyncSession, event_id: str, record: RecordData, now: datetime) -> None:
    await add_evidence_rows(session, [evidence_row(event_id, record, now)])


async def add_evidence_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(evidence.insert(), rows)


async def add_training(session: AsyncSession, event_id: str, data: CompletionData) -> None:
    await session.execute(
        trainings.insert().values(
            event_id=event_id,
            agency_code=data.agency_code,
            completed_on=data.completed_on,
            role=data.role.value,
            course_code=data.course_code,
        )
    )


async def add_predecessors(
    session: AsyncSession, successor: str, sources: list[str], on: date, kind: str = "merge"
) -> None:
    stmt = upsert(session, lineage).values(
        [
            {"predecessor_code": s, "successor_code": successor, "effective_on": on, "kind": kind}
            for s in sources
        ]
    )
    await session.execute(stmt.on_conflict_do_nothing())


async def lineage_of(session: AsyncSession, code: str) -> list[str]:
    """`code` and every agency merged into it, however many merges back."""
    found, queue = [code], [code]
    while queue:
        rows = await session.execute(
            select(lineage.c.predecessor_code).where(lineage.c.successor_code == queue.pop())
        )
        for (predecessor,) in rows:
            if predecessor not in found:
                found.append(predecessor)
                queue.append(predecessor)
    return found


async def successors_of(session: AsyncSession, code: str) -> list[str]:
    """Every agency `code` was merged into, however many merges on."""
    found: list[str] = []
    queue = [code]
    while queue:
        rows = await session.execute(
            select(lineage.c.successor_code).where(lineage.c.predecessor_code == queue.pop())
        )
        for (successor,) in rows:
            if successor not in found and successor != code:
                found.append(successor)
                queue.append(successor)
    return found


async def facts(session: AsyncSession, code: str) -> Facts:
    """What scoring needs of an agency: its records and its predecessors', and its e-ISO flag."""
    codes = await lineage_of(session, code)
    return _with_lineage(code, codes, await facts_of(session, codes))


def _with_lineage(code: str, lineage: list[str], each: dict[str, Facts]) -> Facts:
    """An agency's facts with its predecessors' records and training counted as its own."""
    return Facts(
        code,
        each[code].uses_eiso_software,
        tuple(e for c in lineage for e in each[c].evidence),
        tuple(t for c in lineage for t in each[c].trainings),
    )


async def scored_years(session: AsyncSession, code: str) -> list[int]:
    """Years in which `code` or a predecessor has records or a score."""
    codes = await lineage_of(session, code)
    years = set(await session.scalars(select(evidence.c.year).where(evidence.c.agency_code.in_(codes))))
    years |= set(await session.scalars(select(scores.c.year).where(scores.c.agency_code == code)))
    return sorted(years)


async def all_scores(session: AsyncSession) -> list[tuple[str, int]]:
    return [
        (r.agency_code, r.year) for r in await session.execute(select(scores.c.agency_code, scores.c.year))
    ]


async def active_agencies(session: AsyncSession, day: date) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(agencies)
        .where(agencies.c.valid_from <= day, (agencies.c.valid_to.is_(None)) | (agencies.c.valid_to > day))
        .order_by(agencies.c.code)
    )
    return [dict(r._mapping) for r in rows]


async def get_meta(session: AsyncSession, key: str) -> str | None:
    return await session.scalar(select(meta.c.value).where(meta.c.key == key))


async def set_meta(session: AsyncSession, key: str, value: str) -> None:
    stmt = upsert(session, meta).values(key=key, value=value)
    await session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


async def score_row(session: AsyncSession, code: str, year: int) -> dict[str, Any] | None:
    return await one(session, select(scores).where(scores.c.agency_code == code, scores.c.year == year))


def score_values(data: ScoreData, events_applied: int, now: datetime) -> dict[str, Any]:
    """A score as its row holds it (and as `score_row` reads it back)."""
    return {
        "score": data.score,
        "status": data.status.value,
        "breakdown": [r.model_dump(mode="json") for r in data.breakdown],
        "events_applied": events_applied,
        "updated_at": now,
    }


def score_row_of(data: ScoreData, events_applied: int, now: datetime) -> dict[str, Any]:
    """A score as its row holds it (and as `score_row` reads it back)."""
    return {"agency_code": data.agency_code, "year": data.year, **score_values(data, events_applied, now)}


async def save_score(session: AsyncSession, data: ScoreData, events_applied: int, now: datetime) -> None:
    await save_score_rows(session, [score_row_of(data, events_applied, now)])


async def save_score_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Upsert whole score rows (one statement for a batch's worth)."""
    if not rows:
        return
    stmt = upsert(session, scores)
    changing = {c: stmt.excluded[c] for c in ("score", "status", "breakdown", "events_applied", "updated_at")}
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["agency_code", "year"], set_=changing), rows
    )


async def with_lineage(session: AsyncSession, codes: Collection[str]) -> set[str]:
    """Those of `codes` merged into or from another agency (their facts need the lineage walk)."""
    rows = await session.execute(
        select(lineage.c.predecessor_code, lineage.c.successor_code).where(
            or_(lineage.c.predecessor_code.in_(codes), lineage.c.successor_code.in_(codes))
        )
    )
    return {code for row in rows for code in row} & set(codes)


async def facts_of(
    session: AsyncSession, codes: Collection[str], year: int | None = None
) -> dict[str, Facts]:
    """Each agency's own records (of `year` only, if given), training and e-ISO flag, in three queries
    (not its predecessors': `facts` adds those)."""
    found: dict[str, list[tuple[str, str, int, date]]] = {code: [] for code in codes}
    query = select(
        evidence.c.agency_code,
        evidence.c.event_id,
        evidence.c.element,
        evidence.c.year,
        evidence.c.occurred_on,
    ).where(evidence.c.agency_code.in_(codes))
    rows = await session.execute(query if year is None else query.where(evidence.c.year == year))
    for code, *row in rows:
        found[code].append((row[0], row[1], row[2], row[3]))
    flag_rows = await session.execute(
        select(agencies.c.code, agencies.c.uses_eiso_software).where(agencies.c.code.in_(codes))
    )
    flags = {code: flag for code, flag in flag_rows}
    trained: dict[str, list[tuple[str, date, str]]] = {code: [] for code in codes}
    for code, event_id, completed_on, role in await session.execute(
        select(
            trainings.c.agency_code, trainings.c.event_id, trainings.c.completed_on, trainings.c.role
        ).where(trainings.c.agency_code.in_(codes))
    ):
        trained[code].append((event_id, completed_on, role))
    return {
        code: Facts(code, bool(flags.get(code)), evidence_of(found[code]), tuple(trained[code]))
        for code in codes
    }


async def score_rows(session: AsyncSession, codes: Collection[str]) -> dict[tuple[str, int], dict[str, Any]]:
    """Every stored score of `codes`, by (agency, year)."""
    rows = await session.execute(select(scores).where(scores.c.agency_code.in_(codes)))
    return {(r["agency_code"], r["year"]): dict(r) for r in rows.mappings()}


#: Notices that remind (or warn); `agency-compliant` closes them and is not one.
NOT_A_REMINDER = "agency-compliant"


async def reminded_in(session: AsyncSession, year: int) -> set[str]:
    """Agencies reminded or warned for `year` (one query for the annual report)."""
    return set((await reminder_counts(session, [year])).keys())


async def all_sent_notices(session: AsyncSession) -> dict[str, set[tuple[str, str]]]:
    """(kind, period) of every notice sent, by agency, in one query."""
    sent: dict[str, set[tuple[str, str]]] = {}
    for code, kind, period in await session.execute(
        select(notices.c.agency_code, notices.c.kind, notices.c.period)
    ):
        sent.setdefault(code, set()).add((kind, period))
    return sent


async def add_notice(
    session: AsyncSession, code: str, kind: str, period: str, event_id: str, day: date
) -> None:
    await session.execute(
        notices.insert().values(agency_code=code, kind=kind, period=period, event_id=event_id, sent_on=day)
    )


async def active_facts(
    session: AsyncSession, day: date, year: int, chunk: int = 1_000
) -> AsyncIterator[tuple[dict[str, Any], Facts]]:
    """Every agency active on `day` with its facts for `year` (its own and its predecessors' records of
    that year, its training), `chunk` agencies at a time: reports, evaluations and the gauges read the
    whole province, and memory must not grow with it (one query per agency would not scale either)."""
    active = await active_agencies(session, day)
    predecessors: dict[str, list[str]] = {}
    for row in await session.execute(select(lineage.c.successor_code, lineage.c.predecessor_code)):
        predecessors.setdefault(row.successor_code, []).append(row.predecessor_code)
    for start in range(0, len(active), chunk):
        part = active[start : start + chunk]
        lineages = {agency["code"]: _closure(agency["code"], predecessors) for agency in part}
        each = await facts_of(session, {code for codes in lineages.values() for code in codes}, year)
        for agency in part:
            yield agency, _with_lineage(agency["code"], lineages[agency["code"]], each)


def _closure(code: str, predecessors: dict[str, list[str]]) -> list[str]:
    found, queue = [code], [code]
    while queue:
        for predecessor in predecessors.get(queue.pop(), []):
            if predecessor not in found:
                found.append(predecessor)
                queue.append(predecessor)
    return found


async def save_inspection(session: AsyncSession, data: InspectionData, now: datetime) -> None:
    values = data.model_dump(mode="json", exclude={"inspection_id"})
    values |= {
        "scheduled_on": data.scheduled_on,
        "held_on": data.held_on,
        "updated_at": now,
    }
    stmt = upsert(session, inspections).values(id=data.inspection_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))


def inspection_of(row: Any) -> InspectionData:
    values = dict(row._mapping)
    values["inspection_id"] = values.pop("id")
    values.pop("updated_at")
    return InspectionData.model_validate(values)


async def get_inspection(session: AsyncSession, inspection_id: str) -> InspectionData | None:
    row = (await session.execute(select(inspections).where(inspections.c.id == inspection_id))).first()
    return inspection_of(row) if row else None


async def inspections_in(
    session: AsyncSession, year: int, agency_code: str | None = None
) -> list[InspectionData]:
    """A year's inspections (cancelled ones too: the plan's history), by day and inspector."""
    query = select(inspections).where(inspections.c.year == year)
    if agency_code is not None:
        query = query.where(inspections.c.agency_code == agency_code)
    rows = await session.execute(query.order_by(inspections.c.scheduled_on, inspections.c.inspector))
    return [inspection_of(r) for r in rows]


async def booked(session: AsyncSession) -> set[tuple[str, date]]:
    """(inspector, day) of every inspection not cancelled."""
    rows = await session.execute(
        select(inspections.c.inspector, inspections.c.scheduled_on).where(
            inspections.c.status != InspectionStatus.CANCELLED.value
        )
    )
    return {(r.inspector, r.scheduled_on) for r in rows}


async def last_inspected(session: AsyncSession) -> dict[str, date]:
    rows = await session.execute(
        select(inspections.c.agency_code, func.max(inspections.c.held_on))
        .where(inspections.c.status == InspectionStatus.COMPLETED.value)
        .group_by(inspections.c.agency_code)
    )
    return {code: held for code, held in rows}


async def latest_merges(session: AsyncSession) -> dict[str, date]:
    """The day of each successor's latest merger (renames are lineage too, but not mergers)."""
    rows = await session.execute(
        select(lineage.c.successor_code, func.max(lineage.c.effective_on))
        .where(lineage.c.kind == "merge")
        .group_by(lineage.c.successor_code)
    )
    return {code: on for code, on in rows}


async def reminder_counts(session: AsyncSession, years: Iterable[int]) -> dict[str, int]:
    """Reminders and warnings sent to each agency for the given years (a notice's period is `YYYY` or
    `YYYY:<days>`)."""
    of_years = or_(*(notices.c.period.startswith(str(y)) for y in years))
    rows = await session.execute(
        select(notices.c.agency_code, func.count())
        .where(of_years, notices.c.kind != NOT_A_REMINDER)
        .group_by(notices.c.agency_code)
    )
    return {code: int(count) for code, count in rows}


async def plan_lock(session: AsyncSession) -> None:
    """Serialise changes to the inspection plan. SQLite writers already hold the one write lock
    (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('eiso.compliance.plan'))"))


async def save_training_session(session: AsyncSession, data: SessionData) -> None:
    """Keep the highest revision of a session (events of one session arrive in order; a rebuild too)."""
    known = await session.scalar(
        select(training_sessions.c.revision).where(training_sessions.c.id == data.session_id)
    )
    if known is not None and known >= data.revision:
        return
    values = {
        "revision": data.revision,
        "title_vi": data.course_title_vi,
        "venue": data.venue,
        "starts_at": data.days[0].starts_at,
        "capacity": data.capacity,
        "cancelled": data.cancelled,
    }
    stmt = upsert(session, training_sessions).values(id=data.session_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))


async def save_place(session: AsyncSession, enrolment_id: str, session_id: str, status: str) -> None:
    stmt = upsert(session, training_places).values(
        enrolment_id=enrolment_id, session_id=session_id, status=status
    )
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["enrolment_id"], set_={"status": status})
    )


async def upcoming_training(session: AsyncSession, after: datetime) -> list[dict[str, Any]]:
    """Sessions still to come with their seats taken (confirmed or completed places)."""
    taken = (
        select(training_places.c.session_id, func.count().label("taken"))
        .where(training_places.c.status.in_(("confirmed", "completed")))
        .group_by(training_places.c.session_id)
        .subquery()
    )
    rows = await session.execute(
        select(training_sessions, func.coalesce(taken.c.taken, 0).label("taken"))
        .outerjoin(taken, taken.c.session_id == training_sessions.c.id)
        .where(training_sessions.c.starts_at > after, training_sessions.c.cancelled.is_(False))
        .order_by(training_sessions.c.starts_at)
    )
    return [dict(r) for r in rows.mappings()]


async def save_delivery(session: AsyncSession, request_id: str, outcome: str, at: datetime) -> None:
    stmt = upsert(session, deliveries).values(request_id=request_id, outcome=outcome, at=at)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["request_id"]))


async def save_held(session: AsyncSession, request_ids: list[str], until: datetime) -> None:
    stmt = upsert(session, held_messages).values([{"request_id": r, "until": until} for r in request_ids])
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["request_id"], set_={"until": stmt.excluded.until})
    )


async def release_held(session: AsyncSession, request_ids: list[str]) -> None:
    if request_ids:
        await session.execute(delete(held_messages).where(held_messages.c.request_id.in_(request_ids)))


async def held_at(session: AsyncSession, now: datetime) -> int:
    """Messages still waiting for their window or throttle at `now`."""
    query = select(func.count()).select_from(held_messages).where(held_messages.c.until > now)
    return int(await session.scalar(query) or 0)


async def deliveries_since(session: AsyncSession, since: datetime) -> dict[str, int]:
    rows = await session.execute(
        select(deliveries.c.outcome, func.count())
        .where(deliveries.c.at > since)
        .group_by(deliveries.c.outcome)
    )
    return {outcome: int(count) for outcome, count in rows}
