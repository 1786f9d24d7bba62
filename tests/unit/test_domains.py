"""The pure rules of the registry and the (placeholder) compliance score."""

from datetime import date

import pytest

from contracts.vocabulary import UPDATE_ELEMENTS, ComplianceStatus, Element, Level, Obligation
from services.compliance import domain as compliance
from services.registry import domain as registry


def new_agency(**overrides: object) -> registry.NewAgency:
    fields: dict[str, object] = {
        "code": "000.00.31.H59",
        "name": "UBND  huyện Châu Thành",
        "level": Level.DISTRICT,
        "parent_code": None,
        "obligation": None,
        "uses_eiso_software": True,
        "valid_from": date(2020, 1, 1),
    }
    return registry.NewAgency(**{**fields, **overrides})  # type: ignore[arg-type]


def test_obligation_defaults_by_level() -> None:
    assert (
        registry.register(new_agency(), exists=False, parent_exists=False).obligation == Obligation.MANDATORY
    )
    commune = new_agency(level=Level.COMMUNE, parent_code="P", code="C")
    assert registry.register(commune, exists=False, parent_exists=True).obligation == Obligation.ENCOURAGED
    designated = new_agency(level=Level.COMMUNE, obligation=Obligation.DESIGNATED)
    assert (
        registry.register(designated, exists=False, parent_exists=False).obligation == Obligation.DESIGNATED
    )


def test_names_are_nfc_with_single_spaces() -> None:
    decomposed = "UBND huye\u0302\u0323n Cha\u0302u Tha\u0300nh"
    data = registry.register(new_agency(name=decomposed), exists=False, parent_exists=False)
    assert data.name == "UBND huyện Châu Thành"


@pytest.mark.parametrize(
    ("agency", "exists", "parent_exists", "field"),
    [
        (new_agency(), True, False, "code"),
        (new_agency(parent_code="NOPE"), False, False, "parent_code"),
        (new_agency(parent_code="000.00.31.H59"), False, True, "parent_code"),
    ],
)
def test_refusals_name_the_field(
    agency: registry.NewAgency, exists: bool, parent_exists: bool, field: str
) -> None:
    with pytest.raises(registry.DomainError) as refused:
        registry.register(agency, exists=exists, parent_exists=parent_exists)
    assert refused.value.field == field


def test_record_versions_count_up_and_dates_must_fit_the_year() -> None:
    entry = registry.RecordEntry(2022, date(2022, 2, 1), " QĐ 12 ", "Mục tiêu", None, "A")
    data = registry.next_version("A1", Element.QUALITY_OBJECTIVES, entry, latest_version=2, channel="api")
    assert (data.version, data.document_ref, data.year) == (3, "QĐ 12", 2022)
    late = registry.RecordEntry(2022, date(2024, 1, 5), "QĐ", "Mục tiêu", None, "A")
    with pytest.raises(registry.DomainError) as refused:
        registry.next_version("A1", Element.QUALITY_OBJECTIVES, late, latest_version=0, channel="api")
    assert refused.value.field == "occurred_on"


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
