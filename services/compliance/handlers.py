"""What the compliance service does with each event it consumes."""

from datetime import date

from contracts import CloudEvent, Topic
from contracts.agencies import (
    AgencyMerged,
    AgencyRegistered,
    AgencyRenamed,
    AgencyUpdated,
)
from contracts.compliance import ComplianceScoreChanged
from contracts.deliveries import NotificationFailed, NotificationHeld, NotificationSent
from contracts.envelope import derived_id
from contracts.inspections import (
    INSPECTION_EVENTS,
    InspectionCancelled,
    InspectionCompleted,
    InspectionScheduled,
)
from contracts.records import RECORD_EVENTS, RecordEvent
from contracts.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentWaitlisted,
    TrainingCancelled,
    TrainingCompleted,
    TrainingRescheduled,
    TrainingScheduled,
)
from services.common.consumer import Handler
from services.common.replica import AGENCY_EVENTS
from services.compliance import domain, store
from services.compliance.rules import RuleSet
from services.compliance.scorebook import ComplianceUnitOfWork


class Handlers:
    """What the compliance service does with each event it consumes, under one rule set."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    def table(self) -> dict[str, Handler]:
        return {
            **{event.event_type: self.agency_changed for event in AGENCY_EVENTS},
            **{event.event_type: self.record_updated for event in RECORD_EVENTS},
            **{event.event_type: self.inspection_changed for event in INSPECTION_EVENTS},
            TrainingCompleted.event_type: self.training_completed,
            **{
                e.event_type: self.training_session
                for e in (TrainingScheduled, TrainingRescheduled, TrainingCancelled)
            },
            **{
                e.event_type: self.training_place
                for e in (EnrolmentConfirmed, EnrolmentWaitlisted, EnrolmentCancelled)
            },
            NotificationSent.event_type: self.delivered,
            NotificationFailed.event_type: self.delivered,
            NotificationHeld.event_type: self.held,
        }

    async def agency_changed(self, uow: ComplianceUnitOfWork, event: CloudEvent) -> None:
        """Keep the copy (the replica's one rule), the lineage of renames and mergers (a successor's
        score counts its predecessors' records), and re-score an agency that changed."""
        await store.replica.apply(uow.session, event)
        if isinstance(event, AgencyRenamed) and event.data.previous_code:
            predecessors = [event.data.previous_code]
            await store.add_predecessors(
                uow.session, event.data.code, predecessors, event.data.valid_from, "rename"
            )
        if isinstance(event, AgencyMerged):
            await store.add_predecessors(
                uow.session, event.data.code, event.data.sources, event.data.effective_on
            )
        if isinstance(event, AgencyRegistered | AgencyUpdated | AgencyRenamed | AgencyMerged):
            await self.rescore_agency(uow, event.data.code, event)

    async def inspection_changed(
        self,
        uow: ComplianceUnitOfWork,
        event: InspectionScheduled | InspectionCancelled | InspectionCompleted,
    ) -> None:
        """Compliance's own inspection events read back: the API already saved them; a rebuild from the
        topics restores them. The highest revision of each inspection wins."""
        known = await store.get_inspection(uow.session, event.data.inspection_id)
        if known is None or known.revision < event.data.revision:
            await store.save_inspection(uow.session, event.data, uow.clock.now())

    async def training_session(
        self, uow: ComplianceUnitOfWork, event: TrainingScheduled | TrainingRescheduled | TrainingCancelled
    ) -> None:
        """For the operator board: sessions to come and their seats."""
        await store.save_training_session(uow.session, event.data)

    async def training_place(
        self, uow: ComplianceUnitOfWork, event: EnrolmentConfirmed | EnrolmentWaitlisted | EnrolmentCancelled
    ) -> None:
        await store.save_place(
            uow.session, event.data.enrolment_id, event.data.session_id, event.data.status.value
        )

    async def delivered(
        self, uow: ComplianceUnitOfWork, event: NotificationSent | NotificationFailed
    ) -> None:
        """For the operator board: the notifier's last day, sent and failed."""
        outcome = "sent" if isinstance(event, NotificationSent) else "failed"
        await store.save_delivery(uow.session, event.data.request_id, outcome, event.time)
        await store.release_held(uow.session, event.data.request_ids)

    async def held(self, uow: ComplianceUnitOfWork, event: NotificationHeld) -> None:
        """For the operator board: messages waiting for the sending window or the throttle."""
        await store.save_held(uow.session, event.data.request_ids, event.data.until)

    async def training_completed(self, uow: ComplianceUnitOfWork, event: TrainingCompleted) -> None:
        """A staff member completed a course: the training rule may now be met for that year."""
        await store.add_training(uow.session, str(event.id), event.data)
        await store.save_place(uow.session, event.data.enrolment_id, event.data.session_id, "completed")
        year = event.data.completed_on.year
        await self.rescore(uow, event.data.agency_code, year, event)
        for successor in await store.successors_of(uow.session, event.data.agency_code):
            await self.rescore(uow, successor, year, event)

    async def record_updated(self, uow: ComplianceUnitOfWork, event: RecordEvent) -> None:
        """Keep the record as evidence and re-score the agency's year (and its successors')."""
        record = event.data
        await uow.scores.add_evidence(str(event.id), record)
        await self.rescore(uow, record.agency_code, record.year, event, counted=True)
        for successor in await uow.scores.successors_of(record.agency_code):
            await self.rescore(uow, successor, record.year, event)  # merged agencies count under it

    async def rescore_agency(self, uow: ComplianceUnitOfWork, code: str, cause: CloudEvent | None) -> None:
        for year in await store.scored_years(uow.session, code):
            await self.rescore(uow, code, year, cause)

    async def rescore(
        self, uow: ComplianceUnitOfWork, code: str, year: int, cause: CloudEvent | None, counted: bool = False
    ) -> None:
        """Score (agency, year) from everything known for that year; publish it if a reader would see
        a difference. Stored scores are as of the year's end, so a replay gives the same numbers."""
        old, facts = await uow.scores.score(code, year), await uow.scores.facts(code)
        new = domain.score(
            facts, year, self.rules, date(year, 12, 31), previous=old["score"] if old else None
        )
        applied = (old["events_applied"] if old else 0) + (1 if counted else 0)
        await uow.scores.save_score(new, applied)
        if domain.changed(new, old):
            why = str(cause.id) if cause else f"rules:{self.rules.version}"
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

    async def rescore_all(self, uow: ComplianceUnitOfWork) -> int:
        """Every stored score again (after the rule files changed); how many there were."""
        pairs = await store.all_scores(uow.session)
        for code, year in pairs:
            await self.rescore(uow, code, year, None)
        return len(pairs)
