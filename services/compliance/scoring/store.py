"""Scoring's queries: the facts behind an agency's score (its records and training, and its
predecessors'), the lineage of mergers and renames, and the stored scores, typed in and out (`Facts`,
`ScoreRecord`). The `Scorebook` is how a unit of work uses them."""

from collections.abc import AsyncIterator, Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.records import RecordData
from contracts.training import CompletionData
from contracts.vocabulary import ComplianceStatus
from services.common.db import one, upsert
from services.compliance.agencies import Agency, active_on
from services.compliance.scoring.domain import Facts, ScoreRecord, Succession, evidence_of
from services.compliance.scoring.tables import evidence, lineage, scores, trainings
from services.compliance.tables import agencies

ScoreKey = tuple[str, int]  # (agency, year)


def evidence_row(event_id: str, record: RecordData, now: datetime) -> dict[str, Any]:
    """A record as the `evidence` table keeps it (what a batch holds back for one insert)."""
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
    session: AsyncSession, successor: str, sources: list[str], on: date, kind: Succession
) -> None:
    stmt = upsert(session, lineage).values(
        [
            {"predecessor_code": s, "successor_code": successor, "effective_on": on, "kind": kind.value}
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


async def with_lineage(session: AsyncSession, codes: Collection[str]) -> set[str]:
    """Those of `codes` merged into or from another agency (their facts need the lineage walk)."""
    rows = await session.execute(
        select(lineage.c.predecessor_code, lineage.c.successor_code).where(
            or_(lineage.c.predecessor_code.in_(codes), lineage.c.successor_code.in_(codes))
        )
    )
    return {code for row in rows for code in row} & set(codes)


async def latest_merges(session: AsyncSession) -> dict[str, date]:
    """The day of each successor's latest merger (renames are lineage too, but not mergers)."""
    rows = await session.execute(
        select(lineage.c.successor_code, func.max(lineage.c.effective_on))
        .where(lineage.c.kind == Succession.MERGE.value)
        .group_by(lineage.c.successor_code)
    )
    return {code: on for code, on in rows}


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


async def active_facts(
    session: AsyncSession, day: date, year: int, chunk: int = 1_000
) -> AsyncIterator[tuple[Agency, Facts]]:
    """Every agency active on `day` with its facts for `year` (its own and its predecessors' records of
    that year, its training), `chunk` agencies at a time: reports, evaluations and the gauges read the
    whole province, and memory must not grow with it (one query per agency would not scale either)."""
    active = await active_on(session, day)
    predecessors: dict[str, list[str]] = {}
    for row in await session.execute(select(lineage.c.successor_code, lineage.c.predecessor_code)):
        predecessors.setdefault(row.successor_code, []).append(row.predecessor_code)
    for start in range(0, len(active), chunk):
        part = active[start : start + chunk]
        lineages = {agency.code: _closure(agency.code, predecessors) for agency in part}
        each = await facts_of(session, {code for codes in lineages.values() for code in codes}, year)
        for agency in part:
            yield agency, _with_lineage(agency.code, lineages[agency.code], each)


def _closure(code: str, predecessors: dict[str, list[str]]) -> list[str]:
    found, queue = [code], [code]
    while queue:
        for predecessor in predecessors.get(queue.pop(), []):
            if predecessor not in found:
                found.append(predecessor)
                queue.append(predecessor)
    return found


async def scored_years(session: AsyncSession, code: str) -> list[int]:
    """Years in which `code` or a predecessor has records or a score."""
    codes = await lineage_of(session, code)
    years = set(await session.scalars(select(evidence.c.year).where(evidence.c.agency_code.in_(codes))))
    years |= set(await session.scalars(select(scores.c.year).where(scores.c.agency_code == code)))
    return sorted(years)


async def all_scored(session: AsyncSession) -> list[ScoreKey]:
    """(agency, year) of every stored score."""
    return [
        (r.agency_code, r.year) for r in await session.execute(select(scores.c.agency_code, scores.c.year))
    ]


def score_of(row: Any) -> ScoreRecord:
    """A row of `scores` (a mapping) as the typed record."""
    return ScoreRecord(
        agency_code=row["agency_code"],
        year=row["year"],
        score=row["score"],
        status=ComplianceStatus(row["status"]),
        breakdown=row["breakdown"],
        events_applied=row["events_applied"],
        updated_at=row["updated_at"],
    )


async def score(session: AsyncSession, code: str, year: int) -> ScoreRecord | None:
    row = await one(session, select(scores).where(scores.c.agency_code == code, scores.c.year == year))
    return score_of(row) if row else None


async def scores_of(session: AsyncSession, codes: Collection[str]) -> dict[ScoreKey, ScoreRecord]:
    """Every stored score of `codes`, by (agency, year)."""
    rows = await session.execute(select(scores).where(scores.c.agency_code.in_(codes)))
    return {(r["agency_code"], r["year"]): score_of(r) for r in rows.mappings()}


async def save_scores(session: AsyncSession, records: list[ScoreRecord]) -> None:
    """Upsert whole scores (one statement for a batch's worth)."""
    if not records:
        return
    rows = [
        {
            "agency_code": r.agency_code,
            "year": r.year,
            "score": r.score,
            "status": r.status.value,
            "breakdown": r.breakdown,
            "events_applied": r.events_applied,
            "updated_at": r.updated_at,
        }
        for r in records
    ]
    stmt = upsert(session, scores)
    changing = {c: stmt.excluded[c] for c in ("score", "status", "breakdown", "events_applied", "updated_at")}
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["agency_code", "year"], set_=changing), rows
    )
