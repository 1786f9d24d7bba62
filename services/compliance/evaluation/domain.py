"""The daily evaluation, free of I/O: given an agency's facts on a day, which notices are due.

Each notice has a key (kind, period); the caller emits a notice only if its key was never emitted for
the agency, so evaluating the same day twice — or replaying — says nothing new.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.compliance import (
    AgencyCompliant,
    AgencyLagging,
    AuditOverdue,
    CompliantData,
    DeadlineApproaching,
    DeadlineData,
    LaggingData,
    OverdueData,
    ReviewOverdue,
)
from contracts.envelope import CloudEvent
from contracts.vocabulary import ComplianceStatus
from services.compliance.scoring import domain
from services.compliance.scoring.rules import Kind, RuleSet


@dataclass(frozen=True)
class SentNotice:
    """A notice as the evaluation remembers it: sent once, ever, per (agency, kind, period)."""

    agency_code: str
    kind: str  # its event type
    period: str
    event_id: str
    sent_on: date


@dataclass(frozen=True)
class Notice:
    kind: type[CloudEvent]
    period: str  # with the agency and the kind, what makes a notice once-only
    data: Any

    @property
    def key(self) -> tuple[str, str]:
        return self.kind.event_type, self.period


def _rule_met(
    facts: domain.Facts, rules: RuleSet, year: int, day: date, kind: Kind, element: str | None
) -> bool:
    """Whether the first rule in force of `kind` (for `element`, if given) is met on `day`."""
    campaign = rules.campaign(year)
    for rule in rules.in_force(day):
        if rule.kind == kind and (element is None or rule.params.get("element") == element):
            return domain.evaluate(rule, facts, campaign, day).met
    return True  # no such rule in force: nothing can be overdue


def due(facts: domain.Facts, rules: RuleSet, day: date, sent: Collection[tuple[str, str]]) -> list[Notice]:
    """The notices due for one agency on `day` (its campaign year), given the keys already `sent`."""
    year = day.year
    campaign = rules.campaign(year)
    deadline = campaign.maintenance_deadline
    missing = domain.missing_elements(facts, year, day)
    status = domain.status_of(facts, year, day)
    code = facts.agency_code
    notices: list[Notice] = []
    days_left = (deadline - day).days
    reached = sorted(t for t in campaign.reminder_days if 0 <= days_left <= t)
    if missing and reached:
        threshold = reached[0]  # the tightest threshold reached; earlier ones, if missed, are skipped
        notices.append(
            Notice(
                DeadlineApproaching,
                f"{year}:{threshold}",
                DeadlineData(
                    agency_code=code, year=year, deadline=deadline, days_left=days_left, missing=missing
                ),
            )
        )
    if day > deadline:
        overdue = OverdueData(agency_code=code, year=year, deadline=deadline)
        if not _rule_met(facts, rules, year, deadline, Kind.ELEMENT_IN_YEAR, "internal_audit"):
            notices.append(Notice(AuditOverdue, str(year), overdue))
        if not _rule_met(facts, rules, year, deadline, Kind.REVIEW_AFTER_AUDIT, None):
            notices.append(Notice(ReviewOverdue, str(year), overdue))
        if status != ComplianceStatus.UPDATED:
            score = domain.score(facts, year, rules, day).score
            notices.append(
                Notice(
                    AgencyLagging,
                    str(year),
                    LaggingData(agency_code=code, year=year, deadline=deadline, missing=missing, score=score),
                )
            )
    if status == ComplianceStatus.UPDATED and (AgencyLagging.event_type, str(year)) in sent:
        score = domain.score(facts, year, rules, day).score
        notices.append(
            Notice(AgencyCompliant, str(year), CompliantData(agency_code=code, year=year, score=score))
        )
    return [n for n in notices if n.key not in sent]
