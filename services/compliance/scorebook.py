"""Facts and scores as one unit of work sees them (`Scorebook`), and compliance's unit of work.

Scoring an agency's year needs its facts (the records and training behind it) and its stored score;
a replay of the topics brings thousands of record events a batch. So the consumer's fast pass
preloads, for a batch of record events only, the facts and scores of its agencies in a few queries,
and what the batch adds — evidence, changed scores — is written once at the commit. Agencies with a
lineage (merged, renamed) are never preloaded: their facts span their predecessors, and their
successors must be re-scored too, so they read and write the database as they go. Outside a
preload everything reads and writes the database. Use cases call the same methods either way.
"""

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import CloudEvent
from contracts.compliance import ScoreData
from contracts.records import RecordData, RecordEvent
from services.common.uow import Repository, UnitOfWork
from services.compliance import store
from services.compliance.domain import Evidence, Facts

ScoreKey = tuple[str, int]  # (agency, year)


class Scorebook(Repository):
    def __init__(self, session: AsyncSession, now: Callable[[], datetime]) -> None:
        self.session = session
        self._now = now
        #: Preloaded: facts of the batch's agencies without lineage, and their stored scores.
        self._facts: dict[str, Facts] = {}
        self._scores: dict[ScoreKey, dict[str, Any]] = {}
        #: Held for the commit: the batch's evidence rows, and the scores it changed.
        self._evidence: list[dict[str, Any]] = []
        self._changed: set[ScoreKey] = set()

    async def preload(self, events: Sequence[CloudEvent]) -> None:
        if not events or not all(isinstance(e, RecordEvent) for e in events):
            return  # batches mixing other kinds of events read the database as they go
        codes = {e.data.agency_code for e in events if isinstance(e, RecordEvent)}
        plain = codes - await store.with_lineage(self.session, codes)
        self._facts = await store.facts_of(self.session, plain)
        self._scores = await store.score_rows(self.session, plain)

    async def flush(self) -> None:
        await store.add_evidence_rows(self.session, self._evidence)
        await store.save_score_rows(self.session, [self._scores[key] for key in sorted(self._changed)])
        self._evidence, self._changed = [], set()

    async def facts(self, code: str) -> Facts:
        known = self._facts.get(code)
        return known if known is not None else await store.facts(self.session, code)

    async def score(self, code: str, year: int) -> dict[str, Any] | None:
        if code in self._facts:
            return self._scores.get((code, year))
        return await store.score_row(self.session, code, year)

    async def add_evidence(self, event_id: str, record: RecordData) -> None:
        code = record.agency_code
        if code not in self._facts:
            await store.add_evidence(self.session, event_id, record, self._now())
            return
        self._evidence.append(store.evidence_row(event_id, record, self._now()))
        facts, seen = self._facts[code], Evidence(event_id, record.element, record.year, record.occurred_on)
        self._facts[code] = replace(facts, evidence=(*facts.evidence, seen))

    async def save_score(self, data: ScoreData, events_applied: int) -> None:
        key = (data.agency_code, data.year)
        if data.agency_code not in self._facts:
            await store.save_score(self.session, data, events_applied, self._now())
            return
        self._scores[key] = store.score_row_of(data, events_applied, self._now())
        self._changed.add(key)

    async def successors_of(self, code: str) -> list[str]:
        """Agencies whose score counts this one's records: none for a preloaded agency (it has no
        lineage, by the preload's rule)."""
        return [] if code in self._facts else await store.successors_of(self.session, code)


class ComplianceUnitOfWork(UnitOfWork):
    def _open(self) -> None:
        self.scores = Scorebook(self.session, self.clock.now)

    def repositories(self) -> Sequence[Repository]:
        return (self.scores,)
