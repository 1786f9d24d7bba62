"""The compliance service's Kafka handler table: each event type it consumes → the use case it runs."""

from collections.abc import Awaitable, Callable
from typing import Any

from contracts.deliveries import NotificationFailed, NotificationHeld, NotificationSent
from contracts.inspections import INSPECTION_EVENTS
from contracts.records import RECORD_EVENTS
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
from services.common.credentials import CREDENTIAL_HANDLERS
from services.common.replica import AGENCY_EVENTS
from services.compliance.board import usecases as board
from services.compliance.inspections import usecases as inspections
from services.compliance.scoring import usecases as scoring
from services.compliance.scoring.rules import RuleSet
from services.compliance.unit_of_work import ComplianceUnitOfWork


def table(rules: RuleSet) -> dict[str, Handler]:
    """The handlers, scoring under `rules`."""

    def scored(usecase: Callable[[ComplianceUnitOfWork, RuleSet, Any], Awaitable[None]]) -> Handler:
        async def handle(uow: ComplianceUnitOfWork, event: Any) -> None:
            await usecase(uow, rules, event)

        return handle

    async def training_completed(uow: ComplianceUnitOfWork, event: TrainingCompleted) -> None:
        """Both hear it: scoring (the training rule) and the board (the seat stays taken)."""
        await scoring.training_completed(uow, rules, event)
        await board.place_completed(uow, event)

    return {
        **{event.event_type: scored(scoring.agency_changed) for event in AGENCY_EVENTS},
        **{event.event_type: scored(scoring.record_updated) for event in RECORD_EVENTS},
        **{event.event_type: inspections.inspection_read_back for event in INSPECTION_EVENTS},
        TrainingCompleted.event_type: training_completed,
        **{
            e.event_type: board.session_changed
            for e in (TrainingScheduled, TrainingRescheduled, TrainingCancelled)
        },
        **{
            e.event_type: board.place_changed
            for e in (EnrolmentConfirmed, EnrolmentWaitlisted, EnrolmentCancelled)
        },
        NotificationSent.event_type: board.delivered,
        NotificationFailed.event_type: board.delivered,
        NotificationHeld.event_type: board.held,
        **CREDENTIAL_HANDLERS,
    }
