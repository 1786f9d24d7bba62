"""The (placeholder) compliance score, a pure function."""

import pytest

from contracts.vocabulary import UPDATE_ELEMENTS, ComplianceStatus, Element
from services.compliance import domain as compliance


def evidence(*elements: Element, year: int = 2022) -> list[compliance.Evidence]:
    return [compliance.Evidence(f"ev-{e.value}", e, year) for e in elements]


def test_score_is_the_share_of_elements_with_evidence_for_the_year() -> None:
    score = compliance.score("A1", 2022, evidence(Element.QUALITY_OBJECTIVES, Element.CONTEXT), previous=None)
    assert score.score == pytest.approx(2 / 6, abs=1e-4)
    assert score.status == ComplianceStatus.LAGGING
    met = {r.rule_id: r.evidence for r in score.breakdown if r.met}
    assert met == {"element:context": ["ev-context"], "element:quality_objectives": ["ev-quality_objectives"]}


def test_other_years_do_not_count_and_all_six_make_updated() -> None:
    assert compliance.score("A1", 2022, evidence(*UPDATE_ELEMENTS, year=2021), None).status == (
        ComplianceStatus.NOT_UPDATED
    )
    full = compliance.score("A1", 2022, evidence(*UPDATE_ELEMENTS), previous=0.5)
    assert (full.score, full.status, full.previous_score) == (1.0, ComplianceStatus.UPDATED, 0.5)


def test_a_score_is_published_only_when_what_readers_see_changes() -> None:
    first = compliance.score("A1", 2022, evidence(Element.CONTEXT), None)
    stored = {
        "score": first.score,
        "status": first.status.value,
        "breakdown": [r.model_dump(mode="json") for r in first.breakdown],
    }
    assert compliance.changed(first, None)
    assert not compliance.changed(first, stored)
    second_record = compliance.score(
        "A1", 2022, [*evidence(Element.CONTEXT), compliance.Evidence("ev-2", Element.CONTEXT, 2022)], None
    )
    assert compliance.changed(second_record, stored), "new evidence for a met rule is news too"
