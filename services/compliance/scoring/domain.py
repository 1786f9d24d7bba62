"""Scoring, free of I/O: rules (data, see rules.py) evaluated against the facts the service has seen.

A score is a pure function of (facts, year, rule set, as-of date): replaying the same events gives the
same scores. Only records that happened on or before the as-of date count.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from contracts.compliance import RuleResult, ScoreData
from contracts.vocabulary import UPDATE_ELEMENTS, ComplianceStatus, Element, Level
from services.compliance.scoring.rules import Campaign, Kind, Rule, RuleSet


@dataclass(frozen=True)
class Evidence:
    event_id: str
    element: Element
    year: int
    occurred_on: date


@dataclass(frozen=True)
class Facts:
    """What compliance knows of one agency: its records (and its predecessors'), and its flags."""

    agency_code: str
    uses_eiso_software: bool
    evidence: tuple[Evidence, ...]
    trainings: tuple[tuple[str, date, str], ...] = ()  # (event id, completed on, trainee's role)

    def records(self, element: Element, as_of: date) -> list[Evidence]:
        found = [e for e in self.evidence if e.element == element and e.occurred_on <= as_of]
        return sorted(found, key=lambda e: (e.occurred_on, e.event_id))


class Succession(StrEnum):
    """How one agency follows another in the lineage: both count the predecessor's records under the
    successor; only a merger makes an agency "newly merged" for the inspection plan."""

    MERGE = "merge"
    RENAME = "rename"


@dataclass(frozen=True)
class ScoreRecord:
    """A stored score of (agency, year), as of the year's end, with the record events it counts.

    The breakdown is kept as it is stored (JSON): the next score is compared with it as it is, and a
    replay compares thousands a batch; `rule_results` reads it for the API."""

    agency_code: str
    year: int
    score: float
    status: ComplianceStatus
    breakdown: list[dict[str, Any]]
    #: Record events applied to this score: one per event, ever (the inbox's promise, counted).
    events_applied: int
    updated_at: datetime

    @classmethod
    def of(cls, data: ScoreData, events_applied: int, now: datetime) -> "ScoreRecord":
        return cls(
            agency_code=data.agency_code,
            year=data.year,
            score=data.score,
            status=data.status,
            breakdown=[r.model_dump(mode="json") for r in data.breakdown],
            events_applied=events_applied,
            updated_at=now,
        )

    def rule_results(self) -> list[RuleResult]:
        return [RuleResult.model_validate(r) for r in self.breakdown]


@dataclass(frozen=True)
class AgencyStatus:
    """An agency's standing for a year as of a day: what the reports, the board and the gauges count."""

    code: str
    name: str
    level: Level
    uses_eiso_software: bool
    status: ComplianceStatus
    score: float


@dataclass(frozen=True)
class StandingFilter:
    """Which standings a list shows: by level, status, e-ISO software, parent (a district's communes);
    None means any."""

    level: Level | None = None
    status: ComplianceStatus | None = None
    uses_eiso_software: bool | None = None
    parent_code: str | None = None
    #: Updated (đã cập nhật) or not (the report's "chưa cập nhật": lagging and not updated alike).
    updated: bool | None = None

    def keeps(self, parent_code: str | None, standing: AgencyStatus) -> bool:
        return (
            (self.level is None or standing.level == self.level)
            and (self.status is None or standing.status == self.status)
            and (self.updated is None or (standing.status == ComplianceStatus.UPDATED) == self.updated)
            and (self.uses_eiso_software is None or standing.uses_eiso_software == self.uses_eiso_software)
            and (self.parent_code is None or parent_code == self.parent_code)
        )


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def evaluate(rule: Rule, facts: Facts, campaign: Campaign, as_of: date) -> RuleResult:
    """One rule for one agency and year, with the events that satisfied it and why, in Vietnamese."""
    year = campaign.year
    period_end = min(as_of, date(year, 12, 31))
    met, evidence, detail = False, [], ""
    if rule.kind == Kind.ELEMENT_IN_YEAR:
        element = Element(rule.params["element"])
        by = campaign.maintenance_deadline if rule.params.get("by_deadline") else date(year + 1, 12, 31)
        found = [e for e in facts.records(element, as_of) if e.year == year and e.occurred_on <= by]
        met, evidence = bool(found), [e.event_id for e in found]
        detail = f"{len(found)} hồ sơ năm {year}" + (
            f" trước {by:%d/%m/%Y}" if rule.params.get("by_deadline") else ""
        )
    elif rule.kind == Kind.ELEMENT_WITHIN:
        element, months = Element(rule.params["element"]), int(rule.params["months"])
        since = months_before(period_end, months)
        found = [e for e in facts.records(element, period_end) if e.occurred_on > since]
        met, evidence = bool(found), [e.event_id for e in found]
        detail = f"{len(found)} hồ sơ từ {since:%d/%m/%Y} đến {period_end:%d/%m/%Y}"
    elif rule.kind == Kind.REVIEW_AFTER_AUDIT:
        audits = [e for e in facts.records(Element.INTERNAL_AUDIT, as_of) if e.year == year]
        reviews = [e for e in facts.records(Element.MANAGEMENT_REVIEW, as_of) if e.year == year]
        after = [r for r in reviews if audits and r.occurred_on >= audits[-1].occurred_on]
        met = bool(after)
        evidence = [audits[-1].event_id, after[-1].event_id] if met else []
        detail = (
            "xem xét sau đánh giá nội bộ"
            if met
            else ("chưa đánh giá nội bộ" if not audits else "chưa xem xét sau đánh giá")
        )
    elif rule.kind == Kind.ANNOUNCED_AFTER_SCOPE:
        announcements = facts.records(Element.ANNOUNCEMENT, as_of)
        scopes = facts.records(Element.SCOPE, as_of)
        latest_scope = scopes[-1].occurred_on if scopes else date.min
        valid = [a for a in announcements if a.occurred_on >= latest_scope]
        met, evidence = bool(valid), [valid[-1].event_id] if valid else []
        detail = (
            "đã công bố" if met else ("chưa công bố" if not announcements else "phạm vi đổi sau lần công bố")
        )
    elif rule.kind == Kind.TRAINED_IN_CAMPAIGN:
        window = campaign.training_window
        roles = rule.params.get("roles")
        done = [
            (i, d)
            for i, d, role in facts.trainings
            if window.start <= d <= min(window.end, as_of) and (not roles or role in roles)
        ]
        met, evidence = bool(done), [i for i, _ in done]
        detail = f"{len(done)} lượt hoàn thành khóa đào tạo"
    elif rule.kind == Kind.USES_EISO_SOFTWARE:
        met = facts.uses_eiso_software
        detail = "dùng phần mềm ISO điện tử" if met else "chưa dùng phần mềm ISO điện tử"
    else:
        detail = f"chưa đánh giá được: {rule.params.get('why', 'không có dữ liệu')}"
    return RuleResult(
        rule_id=rule.id, met=met, weight=rule.weight, evidence=evidence, title_vi=rule.title_vi, detail=detail
    )


def status_of(facts: Facts, year: int, as_of: date) -> ComplianceStatus:
    """Updated (đã cập nhật) = each of the six elements has a record for the year."""
    present = {e.element for e in facts.evidence if e.year == year and e.occurred_on <= as_of}
    have = [element in present for element in UPDATE_ELEMENTS]
    if all(have):
        return ComplianceStatus.UPDATED
    return ComplianceStatus.LAGGING if any(have) else ComplianceStatus.NOT_UPDATED


def score(facts: Facts, year: int, rules: RuleSet, as_of: date, previous: float | None = None) -> ScoreData:
    """The weighted share of the rules in force that are met, with the breakdown and its evidence."""
    campaign = rules.campaign(year)
    in_force = rules.in_force(min(as_of, date(year, 12, 31)))
    breakdown = [evaluate(rule, facts, campaign, as_of) for rule in in_force]
    total = sum(r.weight for r in breakdown)
    value = round(sum(r.weight for r in breakdown if r.met) / total, 4) if total else 0.0
    return ScoreData(
        agency_code=facts.agency_code,
        year=year,
        score=value,
        previous_score=previous,
        status=status_of(facts, year, as_of),
        breakdown=breakdown,
    )


def changed(new: ScoreData, old: ScoreRecord | None) -> bool:
    """Publish only when what a reader sees changes: the value, the status or the breakdown."""
    if old is None:
        return True
    return bool(
        old.score != new.score
        or old.status != new.status
        or old.breakdown != [r.model_dump(mode="json") for r in new.breakdown]
    )


def missing_elements(facts: Facts, year: int, as_of: date) -> list[Element]:
    present = {e.element for e in facts.evidence if e.year == year and e.occurred_on <= as_of}
    return [e for e in UPDATE_ELEMENTS if e not in present]


def evidence_of(rows: Iterable[tuple[str, str, int, date]]) -> tuple[Evidence, ...]:
    return tuple(Evidence(event_id, Element(element), year, on) for event_id, element, year, on in rows)
