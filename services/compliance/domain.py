"""Scoring, free of I/O.

For now the score is a placeholder until rules become data (issue 4): the share of the six QMS
elements that have a record for the year, each element one rule of weight 1, with the events that
satisfied it as evidence.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from contracts.compliance import RuleResult, ScoreData
from contracts.vocabulary import UPDATE_ELEMENTS, ComplianceStatus, Element


@dataclass(frozen=True)
class Evidence:
    event_id: str
    element: Element
    year: int


def score(agency_code: str, year: int, evidence: Iterable[Evidence], previous: float | None) -> ScoreData:
    by_element: dict[Element, list[str]] = {}
    for item in evidence:
        if item.year == year:
            by_element.setdefault(item.element, []).append(item.event_id)
    breakdown = [
        RuleResult(
            rule_id=f"element:{e.value}", met=e in by_element, weight=1.0, evidence=by_element.get(e, [])
        )
        for e in UPDATE_ELEMENTS
    ]
    total = sum(r.weight for r in breakdown)
    value = round(sum(r.weight for r in breakdown if r.met) / total, 4)
    return ScoreData(
        agency_code=agency_code,
        year=year,
        score=value,
        previous_score=previous,
        status=status_of(breakdown),
        breakdown=breakdown,
    )


def status_of(breakdown: Iterable[RuleResult]) -> ComplianceStatus:
    met = [r.met for r in breakdown]
    if all(met):
        return ComplianceStatus.UPDATED
    return ComplianceStatus.LAGGING if any(met) else ComplianceStatus.NOT_UPDATED


def changed(new: ScoreData, old: Mapping[str, object] | None) -> bool:
    """Publish only when what a reader sees changes: the value, the status or the evidence."""
    if old is None:
        return True
    return bool(
        old["score"] != new.score
        or old["status"] != new.status.value
        or old["breakdown"] != [r.model_dump(mode="json") for r in new.breakdown]
    )
