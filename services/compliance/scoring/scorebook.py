"""Facts and scores as one unit of work sees them (`Scorebook`).

Scoring an agency's year needs its facts (the records and training behind it) and its stored score;
a replay of the topics brings thousands of record events a batch. So the consumer's fast pass
preloads, for a batch of record events only, the facts and scores of its agencies in a few queries,
and what the batch adds — evidence, changed scores — is written once at the commit. Agencies with a
lineage (merged, renamed) are never preloaded: their facts span their predecessors, and their
successors must be re-scored too, so they read and write the database as they go. Outside a
preload everything reads and writes the database. Use cases call the same methods either way.
"""

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import CloudEvent
from contracts.compliance import ScoreData
from contracts.records import RecordData, RecordEvent
from contracts.training import CompletionData
from services.common.uow import Repository
from services.compliance.agencies import Agency
from services.compliance.scoring import store
from services.compliance.scoring.domain import Evidence, Facts, ScoreRecord, Succession
from services.compliance.scoring.store import ScoreKey


class Scorebook(Repository):
    def __init__(self, session: AsyncSession, now: Callable[[], datetime]) -> None:
        self.session = session
        self._now = now
        #: Preloaded: facts of the batch's agencies without lineage, and their stored scores.
        self._facts: dict[str, Facts] = {}
        self._scores: dict[ScoreKey, ScoreRecord] = {}
        #: Held for the commit: the batch's evidence rows, and the scores it changed.
        self._evidence: list[dict[str, Any]] = []
        self._changed: set[ScoreKey] = set()

    async def preload(self, events: Sequence[CloudEvent]) -> None:
        if not events or not all(isinstance(e, RecordEvent) for e in events):
            return  # batches mixing other kinds of events read the database as they go
        codes = {e.data.agency_code for e in events if isinstance(e, RecordEvent)}
        plain = codes - await store.with_lineage(self.session, codes)
        self._facts = await store.facts_of(self.session, plain)
        self._scores = await store.scores_of(self.session, plain)

    async def flush(self) -> None:
        await store.add_evidence_rows(self.session, self._evidence)
        await store.save_scores(self.session, [self._scores[key] for key in sorted(self._changed)])
        self._evidence, self._changed = [], set()

    async def facts(self, code: str) -> Facts:
        known = self._facts.get(code)
        return known if known is not None else await store.facts(self.session, code)

    async def score(self, code: str, year: int) -> ScoreRecord | None:
        if code in self._facts:
            return self._scores.get((code, year))
        return await store.score(self.session, code, year)

    async def add_evidence(self, event_id: str, record: RecordData) -> None:
        code = record.agency_code
        if code not in self._facts:
            await store.add_evidence(self.session, event_id, record, self._now())
            return
        self._evidence.append(store.evidence_row(event_id, record, self._now()))
        facts, seen = self._facts[code], Evidence(event_id, record.element, record.year, record.occurred_on)
        self._facts[code] = replace(facts, evidence=(*facts.evidence, seen))

    async def save_score(self, data: ScoreData, events_applied: int) -> None:
        record = ScoreRecord.of(data, events_applied, self._now())
        if data.agency_code not in self._facts:
            await store.save_scores(self.session, [record])
            return
        key = (data.agency_code, data.year)
        self._scores[key] = record
        self._changed.add(key)

    async def successors_of(self, code: str) -> list[str]:
        """Agencies whose score counts this one's records: none for a preloaded agency (it has no
        lineage, by the preload's rule)."""
        return [] if code in self._facts else await store.successors_of(self.session, code)

    # Never in a preloaded batch (it holds record events only): straight to the database.

    async def add_training(self, event_id: str, data: CompletionData) -> None:
        await store.add_training(self.session, event_id, data)

    async def add_predecessors(self, successor: str, sources: list[str], on: date, kind: Succession) -> None:
        await store.add_predecessors(self.session, successor, sources, on, kind)

    async def scored_years(self, code: str) -> list[int]:
        return await store.scored_years(self.session, code)

    async def all_scored(self) -> list[ScoreKey]:
        return await store.all_scored(self.session)

    def active_facts(self, day: date, year: int) -> AsyncIterator[tuple[Agency, Facts]]:
        """Every agency active on `day` with its facts for `year`, a chunk at a time (reports, the
        evaluation, the plan and the gauges read the whole province)."""
        return store.active_facts(self.session, day, year)

    async def latest_merges(self) -> dict[str, date]:
        return await store.latest_merges(self.session)
