"""Scoring's use cases: what a record, an agency's change or a completed course does to the scores, a
re-score when the rule files changed, and an agency's score or every agency's standing as read.

Scores are as of the year's end, so a replay gives the same numbers; a score is published only when a
reader would see a difference, under an id that follows from its cause and its result.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

from contracts import CloudEvent, Topic
from contracts.agencies import AgencyMerged, AgencyRegistered, AgencyRenamed, AgencyUpdated
from contracts.compliance import ComplianceScoreChanged
from contracts.envelope import derived_id
from contracts.records import RecordEvent
from contracts.training import TrainingCompleted
from contracts.vocabulary import Element
from services.common.clock import local_date
from services.compliance.agencies import Agency
from services.compliance.meta import MetaKey
from services.compliance.scoring import domain
from services.compliance.scoring.domain import AgencyStatus, Facts, ScoreRecord, StandingFilter, Succession
from services.compliance.scoring.rules import RuleSet
from services.compliance.unit_of_work import ComplianceUnitOfWork


async def agency_changed(uow: ComplianceUnitOfWork, rules: RuleSet, event: CloudEvent) -> None:
    """Keep the copy (the replica's one rule), the lineage of renames and mergers (a successor's
    score counts its predecessors' records), and re-score an agency that changed."""
    await uow.agencies.apply(event)
    if isinstance(event, AgencyRenamed) and event.data.previous_code:
        predecessors = [event.data.previous_code]
        await uow.scores.add_predecessors(
            event.data.code, predecessors, event.data.valid_from, Succession.RENAME
        )
    if isinstance(event, AgencyMerged):
        await uow.scores.add_predecessors(
            event.data.code, event.data.sources, event.data.effective_on, Succession.MERGE
        )
    if isinstance(event, AgencyRegistered | AgencyUpdated | AgencyRenamed | AgencyMerged):
        for year in await uow.scores.scored_years(event.data.code):
            await _rescore(uow, rules, event.data.code, year, event)


async def record_updated(uow: ComplianceUnitOfWork, rules: RuleSet, event: RecordEvent) -> None:
    """Keep the record as evidence and re-score the agency's year (and its successors')."""
    record = event.data
    await uow.scores.add_evidence(str(event.id), record)
    await _rescore(uow, rules, record.agency_code, record.year, event, counted=True)
    for successor in await uow.scores.successors_of(record.agency_code):
        await _rescore(uow, rules, successor, record.year, event)  # merged agencies count under it


async def training_completed(uow: ComplianceUnitOfWork, rules: RuleSet, event: TrainingCompleted) -> None:
    """A staff member completed a course: the training rule may now be met for that year."""
    await uow.scores.add_training(str(event.id), event.data)
    year = event.data.completed_on.year
    await _rescore(uow, rules, event.data.agency_code, year, event)
    for successor in await uow.scores.successors_of(event.data.agency_code):
        await _rescore(uow, rules, successor, year, event)


async def rescore_if_rules_changed(uow: ComplianceUnitOfWork, rules: RuleSet) -> int | None:
    """Rules are data: when the files changed since the scores were made, make every stored score
    again; how many there were (None: the rules had not changed)."""
    if await uow.meta.get(MetaKey.RULES_VERSION) == rules.version:
        return None
    pairs = await uow.scores.all_scored()
    for code, year in pairs:
        await _rescore(uow, rules, code, year, None)
    await uow.meta.set(MetaKey.RULES_VERSION, rules.version)
    return len(pairs)


async def _rescore(
    uow: ComplianceUnitOfWork,
    rules: RuleSet,
    code: str,
    year: int,
    cause: CloudEvent | None,
    counted: bool = False,
) -> None:
    """Score (agency, year) from everything known for that year; publish it if a reader would see
    a difference. Stored scores are as of the year's end, so a replay gives the same numbers."""
    old, facts = await uow.scores.score(code, year), await uow.scores.facts(code)
    new = domain.score(facts, year, rules, date(year, 12, 31), previous=old.score if old else None)
    applied = (old.events_applied if old else 0) + (1 if counted else 0)
    await uow.scores.save_score(new, applied)
    if domain.changed(new, old):
        why = str(cause.id) if cause else f"rules:{rules.version}"
        uow.emit(
            Topic.COMPLIANCE_STATUS,
            ComplianceScoreChanged.create(
                source=uow.source,
                subject=code,
                data=new,
                time=uow.clock.now(),
                correlationid=cause.correlationid if cause else None,
                causationid=str(cause.id) if cause else None,
                # Same cause and same result, same id: a replay repeats what consumers have seen.
                event_id=derived_id(
                    "score", code, year, why, new.model_dump_json(exclude={"previous_score"})
                ),
            ),
        )


async def score_of(
    uow: ComplianceUnitOfWork, rules: RuleSet, code: str, year: int | None
) -> ScoreRecord | None:
    """An agency's score for `year` (default: this year, giờ Việt Nam): the stored one, or, for an
    agency known but not yet scored, one made now from what is known; None for an unknown agency."""
    year = year or local_date(uow.clock.now()).year
    stored = await uow.scores.score(code, year)
    if stored is not None:
        return stored
    if not await uow.agencies.known(code):
        return None
    fresh = domain.score(await uow.scores.facts(code), year, rules, date(year, 12, 31))
    return ScoreRecord.of(fresh, 0, uow.clock.now())


@dataclass(frozen=True)
class Standing:
    """An agency's score for a year and what a person acts on: the elements still without a record
    for the year (as of today), the deadline and the days left (negative once it has passed)."""

    score: ScoreRecord
    missing: list[Element]
    deadline: date
    days_left: int


async def standing_of(
    uow: ComplianceUnitOfWork, rules: RuleSet, code: str, year: int | None
) -> Standing | None:
    """`score_of`, with what is missing to be "đã cập nhật" and the time left to the deadline."""
    found = await score_of(uow, rules, code, year)
    if found is None:
        return None
    today = local_date(uow.clock.now())
    missing = domain.missing_elements(await uow.scores.facts(code), found.year, today)
    deadline = rules.campaign(found.year).maintenance_deadline
    return Standing(found, missing, deadline, (deadline - today).days)


def cut_off(uow: ComplianceUnitOfWork, year: int, as_of: date | None) -> date:
    """A report's cut-off: the day asked, or today, or the year's last day for a past year."""
    return as_of or min(local_date(uow.clock.now()), date(year, 12, 31))


async def standings_list(
    uow: ComplianceUnitOfWork, rules: RuleSet, year: int, as_of: date | None, wanted: StandingFilter
) -> tuple[date, list[tuple[Agency, AgencyStatus]]]:
    """The standings `wanted` keeps, as of the cut-off (returned with them), by name."""
    day = cut_off(uow, year, as_of)
    kept = [
        (agency, status)
        async for agency, _, status in standings(uow, rules, year, day)
        if wanted.keeps(agency.parent_code, status)
    ]
    return day, sorted(kept, key=lambda pair: pair[0].name)


async def standings(
    uow: ComplianceUnitOfWork, rules: RuleSet, year: int, day: date
) -> AsyncIterator[tuple[Agency, Facts, AgencyStatus]]:
    """Every agency active on `day`, its facts for `year`, and its standing as of that day — one at
    a time, so a caller keeping only the standings never holds the province's records."""
    async for agency, facts in uow.scores.active_facts(day, year):
        scored = domain.score(facts, year, rules, day)
        status = AgencyStatus(
            agency.code, agency.name, agency.level, agency.uses_eiso_software, scored.status, scored.score
        )
        yield agency, facts, status
