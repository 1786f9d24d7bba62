"""The board's use cases: its read models kept from the training and notifier events, and what the
department and its operators read — the board, the progress and annual reports, the programme gauges.

Reports and the board read every subdomain (scores, notices, the plan), so they live here, on the
read side, rather than in scoring: scoring stays below evaluation and inspections, which use it.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from prometheus_client import Gauge

from contracts.deliveries import NotificationFailed, NotificationHeld, NotificationSent
from contracts.inspections import InspectionData
from contracts.training import (
    EnrolmentCancelled,
    EnrolmentConfirmed,
    EnrolmentStatus,
    EnrolmentWaitlisted,
    TrainingCancelled,
    TrainingCompleted,
    TrainingRescheduled,
    TrainingScheduled,
)
from contracts.vocabulary import ComplianceStatus, Element, Level
from services.common.clock import local_date
from services.common.metrics import REGISTRY
from services.compliance.board import report
from services.compliance.board.store import Deliveries, Outcome, UpcomingSession
from services.compliance.scoring.rules import RuleSet
from services.compliance.scoring.usecases import cut_off, standings
from services.compliance.unit_of_work import ComplianceUnitOfWork

AGENCIES = Gauge(
    "eiso_compliance_agencies",
    "Agencies active today by level and status for this year (updated, lagging, not_updated).",
    ["level", "status"],
    registry=REGISTRY,
)
DAYS_TO_DEADLINE = Gauge(
    "eiso_compliance_days_to_deadline",
    "Days from today (giờ Việt Nam) to this year's maintenance deadline; negative once it has passed.",
    registry=REGISTRY,
)


async def session_changed(
    uow: ComplianceUnitOfWork, event: TrainingScheduled | TrainingRescheduled | TrainingCancelled
) -> None:
    """For the operator board: sessions to come and their seats."""
    await uow.board.save_session(event.data)


async def place_changed(
    uow: ComplianceUnitOfWork, event: EnrolmentConfirmed | EnrolmentWaitlisted | EnrolmentCancelled
) -> None:
    await uow.board.save_place(event.data.enrolment_id, event.data.session_id, event.data.status)


async def place_completed(uow: ComplianceUnitOfWork, event: TrainingCompleted) -> None:
    """A completed course keeps its seat."""
    await uow.board.save_place(event.data.enrolment_id, event.data.session_id, EnrolmentStatus.COMPLETED)


async def delivered(uow: ComplianceUnitOfWork, event: NotificationSent | NotificationFailed) -> None:
    """For the operator board: the notifier's last day, sent and failed."""
    outcome = Outcome.SENT if isinstance(event, NotificationSent) else Outcome.FAILED
    await uow.board.save_delivery(event.data.request_id, outcome, event.time)
    await uow.board.release(event.data.request_ids)


async def held(uow: ComplianceUnitOfWork, event: NotificationHeld) -> None:
    """For the operator board: messages waiting for the sending window or the throttle."""
    await uow.board.hold(event.data.request_ids, event.data.until)


@dataclass(frozen=True)
class Board:
    """What the board shows of a year, at `now`."""

    year: int
    now: datetime
    today: date
    deadline: date
    progress: report.ProgressReport
    names: dict[str, str]  # each active agency's name, by code
    inspections: list[InspectionData]
    training: list[UpcomingSession]
    deliveries: Deliveries  # over the last 24 hours
    held: int


async def board(uow: ComplianceUnitOfWork, rules: RuleSet, year: int | None) -> Board:
    """The board of `year` (default: this year, giờ Việt Nam) as things stand now: progress as of today
    (or the year's last day, for a past year), the plan, the training to come, the notifier's day."""
    now = uow.clock.now()
    today = local_date(now)
    year = year or today.year
    day = min(today, date(year, 12, 31))
    statuses = [(agency, status) async for agency, _, status in standings(uow, rules, year, day)]
    return Board(
        year=year,
        now=now,
        today=today,
        deadline=rules.campaign(year).maintenance_deadline,
        progress=report.progress(year, day, [s for _, s in statuses]),
        names={agency.code: agency.name for agency, _ in statuses},
        inspections=await uow.inspections.in_year(year),
        training=await uow.board.upcoming(now),
        deliveries=await uow.board.deliveries_since(now - timedelta(hours=24)),
        held=await uow.board.held_at(now),
    )


async def progress_report(
    uow: ComplianceUnitOfWork, rules: RuleSet, year: int, as_of: date | None
) -> report.ProgressReport:
    """Per level: how many agencies are updated for `year` and which are not, as they stood on `as_of`,
    with the Vietnamese sentence."""
    day = cut_off(uow, year, as_of)
    return report.progress(year, day, [status async for _, _, status in standings(uow, rules, year, day)])


async def annual_report(uow: ComplianceUnitOfWork, rules: RuleSet, year: int, as_of: date | None) -> str:
    """The annual report (Markdown, Vietnamese) as of a cut-off date."""
    day = cut_off(uow, year, as_of)
    reminded = await uow.notices.reminded_in(year)
    plan = await uow.inspections.in_year(year)
    lines = [
        report.AnnualLine(
            status=status,
            obligation=agency.obligation,
            audited=bool([e for e in facts.records(Element.INTERNAL_AUDIT, day) if e.year == year]),
            reviewed=bool([e for e in facts.records(Element.MANAGEMENT_REVIEW, day) if e.year == year]),
            reminded=agency.code in reminded,
        )
        async for agency, facts, status in standings(uow, rules, year, day)
    ]
    return report.annual_markdown(year, day, lines, plan)


async def publish_progress(uow: ComplianceUnitOfWork, rules: RuleSet) -> None:
    """The programme's gauges: agencies per level and status this year, days to the deadline."""
    today = local_date(uow.clock.now())
    counts = Counter([(s.level, s.status) async for _, _, s in standings(uow, rules, today.year, today)])
    for level in Level:
        for status in ComplianceStatus:
            AGENCIES.labels(level=level.value, status=status.value).set(counts[(level, status)])
    DAYS_TO_DEADLINE.set((rules.campaign(today.year).maintenance_deadline - today).days)
