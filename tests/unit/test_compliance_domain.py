"""Rules as data, evaluated as pure functions: each kind of check, effective dates, a changed rule file."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from contracts.vocabulary import UPDATE_ELEMENTS, ComplianceStatus, Element, Level
from services.compliance.scoring import domain
from services.compliance.scoring.rules import RULES_DIR, RuleFileError, load

RULES = load()
YEAR_END = date(2022, 12, 31)


def facts(*items: tuple[Element, str], eiso: bool = False, year: int = 2022) -> domain.Facts:
    """Evidence from (element, 'YYYY-MM-DD') pairs; event ids name the element and date."""
    evidence = tuple(domain.Evidence(f"{e.value}@{on}", e, year, date.fromisoformat(on)) for e, on in items)
    return domain.Facts("A1", eiso, evidence)


def result(rule_id: str, f: domain.Facts, as_of: date = YEAR_END) -> tuple[bool, list[str]]:
    rule = next(r for r in RULES.rules if r.id == rule_id)
    out = domain.evaluate(rule, f, RULES.campaign(2022), as_of)
    return out.met, out.evidence


def test_the_audit_counts_only_if_held_by_the_campaign_deadline() -> None:
    assert result("R04", facts((Element.INTERNAL_AUDIT, "2022-10-30"))) == (
        True,
        ["internal_audit@2022-10-30"],
    )
    assert result("R04", facts((Element.INTERNAL_AUDIT, "2022-10-31")))[0] is False


def test_policy_must_be_reviewed_within_twelve_months_of_the_period_end() -> None:
    assert result("R01", facts((Element.QUALITY_POLICY, "2022-01-05")))[0] is True
    assert result("R01", facts((Element.QUALITY_POLICY, "2021-12-30")))[0] is False
    assert result("R01", facts((Element.QUALITY_POLICY, "2021-12-30")), as_of=date(2022, 6, 1))[0] is True


def test_the_review_must_follow_the_audit() -> None:
    before = facts((Element.MANAGEMENT_REVIEW, "2022-03-01"), (Element.INTERNAL_AUDIT, "2022-05-01"))
    after = facts((Element.INTERNAL_AUDIT, "2022-05-01"), (Element.MANAGEMENT_REVIEW, "2022-06-01"))
    assert result("R05", before) == (False, [])
    assert result("R05", after) == (True, ["internal_audit@2022-05-01", "management_review@2022-06-01"])


def test_the_announcement_must_be_later_than_the_last_scope_change() -> None:
    stale = facts((Element.ANNOUNCEMENT, "2021-03-01"), (Element.SCOPE, "2022-02-01"))
    renewed = facts(
        (Element.ANNOUNCEMENT, "2021-03-01"),
        (Element.SCOPE, "2022-02-01"),
        (Element.ANNOUNCEMENT, "2022-04-01"),
    )
    assert result("R07", stale)[0] is False
    assert result("R07", renewed) == (True, ["announcement@2022-04-01"])


def test_records_after_the_as_of_date_do_not_count() -> None:
    f = facts((Element.QUALITY_OBJECTIVES, "2022-08-01"))
    assert result("R02", f, as_of=date(2022, 7, 31))[0] is False
    assert result("R02", f, as_of=date(2022, 8, 1))[0] is True


def test_the_score_is_the_weighted_share_with_unevaluable_rules_shown_but_not_counted() -> None:
    f = facts(*((e, "2022-05-02") for e in UPDATE_ELEMENTS), eiso=True)
    scored = domain.score(f, 2022, RULES, YEAR_END)
    by_id = {r.rule_id: r for r in scored.breakdown}
    assert sorted(by_id) == [f"R{i:02d}" for i in range(1, 12)]
    assert not by_id["R07"].met and not by_id["R09"].met, "no announcement, no training"
    assert by_id["R08"].weight == 0 and by_id["R08"].detail.startswith("chưa đánh giá được")  # type: ignore[union-attr]
    assert scored.score == round(7 / 9, 4)
    assert scored.status == ComplianceStatus.UPDATED


def test_status_counts_the_six_elements_of_the_year() -> None:
    assert domain.status_of(facts(), 2022, YEAR_END) == ComplianceStatus.NOT_UPDATED
    assert (
        domain.status_of(facts((Element.CONTEXT, "2022-01-01")), 2022, YEAR_END) == ComplianceStatus.LAGGING
    )
    last_year = facts(*((e, "2021-05-02") for e in UPDATE_ELEMENTS), year=2021)
    assert domain.status_of(last_year, 2022, YEAR_END) == ComplianceStatus.NOT_UPDATED


def copy_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    return folder


def test_a_changed_rule_file_changes_the_score_and_its_version(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    text = (folder / "rules.yaml").read_text()
    # The e-ISO rule no longer counts, and training only from 2023: both leave the 2022 breakdown.
    text = text.replace("  weight: 1\n  kind: uses_eiso_software", "  weight: 0\n  kind: uses_eiso_software")
    text = text.replace(
        "  effective_from: 2022-01-01\n  weight: 1\n  kind: trained_in_campaign",
        "  effective_from: 2023-01-01\n  weight: 1\n  kind: trained_in_campaign",
    )
    (folder / "rules.yaml").write_text(text)
    changed = load(folder)
    assert changed.version != RULES.version
    f = facts((Element.QUALITY_OBJECTIVES, "2022-03-01"), eiso=True)
    assert domain.score(f, 2022, RULES, YEAR_END).score == round(2 / 9, 4)
    rescored = domain.score(f, 2022, changed, YEAR_END)
    assert rescored.score == round(1 / 7, 4)
    assert "R09" not in {r.rule_id for r in rescored.breakdown}
    assert "R09" in {r.rule_id for r in domain.score(f, 2023, changed, date(2023, 12, 31)).breakdown}


def test_a_broken_rule_file_is_refused_with_the_field_named(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    text = (
        (folder / "rules.yaml").read_text().replace("{element: quality_objectives}", "{element: objectives}")
    )
    (folder / "rules.yaml").write_text(text)
    with pytest.raises(RuleFileError, match="objectives"):
        load(folder)


def test_a_year_without_its_own_plan_takes_the_default_dates() -> None:
    plan = RULES.campaign(2024)
    assert (plan.maintenance_deadline, plan.inspection_target) == (date(2024, 10, 30), 20)
    assert RULES.campaign(2022).training_window.start == date(2022, 4, 1)


@pytest.mark.parametrize(
    ("role", "on", "met"),
    [
        ("iso_officer", "2022-05-10", True),
        ("staff", "2022-05-10", False),  # the rule asks for the ISO focal officer
        ("iso_officer", "2022-11-15", False),  # after the training window (April–October)
        ("iso_officer", "2022-03-31", False),  # before it
    ],
)
def test_the_training_rule_counts_the_iso_officer_trained_in_the_window(
    role: str, on: str, met: bool
) -> None:
    trained = domain.Facts("A1", False, (), (("completed-1", date.fromisoformat(on), role),))
    assert result("R09", trained) == (met, ["completed-1"] if met else [])


def test_a_misspelt_trainee_role_is_refused_rather_than_never_met(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    text = (folder / "rules.yaml").read_text().replace("roles: [iso_officer]", "roles: [iso-officer]")
    (folder / "rules.yaml").write_text(text)
    with pytest.raises(RuleFileError, match=r"params\.roles"):
        load(folder)


def test_a_standings_list_keeps_what_its_filter_says() -> None:
    def standing(level: Level, status: ComplianceStatus, eiso: bool = False) -> domain.AgencyStatus:
        return domain.AgencyStatus("X", "UBND xã X", level, eiso, status, 0.5)

    commune = standing(Level.COMMUNE, ComplianceStatus.LAGGING)
    assert domain.StandingFilter().keeps("D1", commune), "no filter keeps all"
    assert domain.StandingFilter(level=Level.COMMUNE, parent_code="D1").keeps("D1", commune)
    assert not domain.StandingFilter(parent_code="D2").keeps("D1", commune), "another district's"
    assert domain.StandingFilter(updated=False).keeps(None, commune), "lagging counts as not updated"
    assert domain.StandingFilter(updated=False).keeps(
        None, standing(Level.UNIT, ComplianceStatus.NOT_UPDATED)
    )
    assert not domain.StandingFilter(updated=False).keeps(
        None, standing(Level.UNIT, ComplianceStatus.UPDATED)
    )
    assert not domain.StandingFilter(status=ComplianceStatus.NOT_UPDATED).keeps(None, commune)
    assert not domain.StandingFilter(uses_eiso_software=True).keeps(None, commune)
