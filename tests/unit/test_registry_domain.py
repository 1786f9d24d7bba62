"""The registry's pure rules: registration, effective-dated changes, reorganisations, record versions."""

from datetime import date

import pytest

from contracts.agencies import AgencyData
from contracts.vocabulary import Element, Level, Obligation
from services.registry import domain

D = date


def agency(code: str = "000.00.31.H59", level: Level = Level.DISTRICT, **fields: object) -> AgencyData:
    values: dict[str, object] = {
        "code": code,
        "name": "UBND huyện Châu Thành",
        "level": level,
        "obligation": domain.default_obligation(level),
        "valid_from": D(2020, 1, 1),
    }
    return AgencyData.model_validate({**values, **fields})


def new(**overrides: object) -> domain.NewAgency:
    fields: dict[str, object] = {
        "code": "000.00.31.H59",
        "name": "UBND  huyện Châu Thành",
        "level": Level.DISTRICT,
        "parent_code": None,
        "obligation": None,
        "uses_eiso_software": True,
        "valid_from": D(2020, 1, 1),
    }
    return domain.NewAgency(**{**fields, **overrides})  # type: ignore[arg-type]


def test_obligation_defaults_by_level_and_names_are_nfc() -> None:
    district = domain.register(
        new(name="UBND huye\u0302\u0323n Cha\u0302u Tha\u0300nh"), exists=False, parent=None
    )
    assert (district.obligation, district.name) == (Obligation.MANDATORY, "UBND huyện Châu Thành")
    commune = new(code="X1", level=Level.COMMUNE, parent_code=district.code)
    assert domain.register(commune, exists=False, parent=district).obligation == Obligation.ENCOURAGED
    designated = new(code="X2", level=Level.COMMUNE, obligation=Obligation.DESIGNATED)
    assert domain.register(designated, exists=False, parent=None).obligation == Obligation.DESIGNATED


@pytest.mark.parametrize(
    ("cmd", "exists", "parent", "field", "conflict"),
    [
        (new(), True, None, "code", True),
        (new(parent_code="NOPE"), False, None, "parent_code", False),
        (new(parent_code="000.00.31.H59"), False, None, "parent_code", False),
        (
            new(code="C", parent_code="P"),
            False,
            agency("P", valid_to=D(2019, 6, 1), valid_from=D(2010, 1, 1)),
            "parent_code",
            False,
        ),
    ],
)
def test_refusals_name_the_field(
    cmd: domain.NewAgency, exists: bool, parent: AgencyData | None, field: str, conflict: bool
) -> None:
    with pytest.raises(domain.DomainError) as refused:
        domain.register(cmd, exists=exists, parent=parent)
    assert (refused.value.field, refused.value.conflict) == (field, conflict)


def test_a_change_closes_the_current_version_and_opens_a_new_one() -> None:
    current = agency(uses_eiso_software=False)
    versions, changed = domain.change(current, D(2022, 3, 1), uses_eiso_software=True)
    assert changed == ["uses_eiso_software"]
    assert [(v.valid_from, v.valid_to, v.uses_eiso_software) for v in versions] == [
        (D(2020, 1, 1), D(2022, 3, 1), False),
        (D(2022, 3, 1), None, True),
    ]
    assert domain.version_on(versions, D(2022, 2, 28)).uses_eiso_software is False  # type: ignore[union-attr]
    assert domain.version_on(versions, D(2022, 3, 1)).uses_eiso_software is True  # type: ignore[union-attr]


def test_a_change_on_the_first_day_replaces_and_no_change_writes_nothing() -> None:
    current = agency()
    [replaced], _ = domain.change(current, D(2020, 1, 1), obligation=Obligation.DESIGNATED)
    assert (replaced.valid_from, replaced.obligation) == (D(2020, 1, 1), Obligation.DESIGNATED)
    assert domain.change(current, D(2022, 1, 1), obligation=current.obligation) == ([], [])


def test_history_is_not_rewritten_and_ended_agencies_do_not_change() -> None:
    with pytest.raises(domain.DomainError, match="không sửa lại lịch sử"):
        domain.change(agency(), D(2019, 1, 1), uses_eiso_software=True)
    with pytest.raises(domain.DomainError, match="đã ngừng hoạt động từ ngày 01/07/2025") as refused:
        domain.change(agency(valid_to=D(2025, 7, 1)), D(2025, 8, 1), uses_eiso_software=True)
    assert refused.value.conflict


def test_merge_ends_the_sources_the_day_the_successor_takes_over() -> None:
    a, b = agency("A", Level.COMMUNE), agency("B", Level.COMMUNE)
    successor = agency("AB", Level.COMMUNE, valid_from=D(2025, 7, 1))
    closed, kept = domain.merge([a, b], successor, D(2025, 7, 1))
    assert [(c.code, c.valid_to) for c in closed] == [("A", D(2025, 7, 1)), ("B", D(2025, 7, 1))]
    assert kept == successor
    with pytest.raises(domain.DomainError, match="vào chính nó"):
        domain.merge([a, successor], successor, D(2025, 7, 1))
    with pytest.raises(domain.DomainError, match="không hoạt động vào ngày"):
        domain.merge([a], agency("L", valid_from=D(2026, 1, 1)), D(2025, 7, 1))


def test_split_needs_two_parts_starting_that_day() -> None:
    source = agency("S")
    parts = [agency("S1", valid_from=D(2025, 7, 1)), agency("S2", valid_from=D(2025, 7, 1))]
    [closed] = domain.split(source, parts, D(2025, 7, 1))
    assert closed.valid_to == D(2025, 7, 1)
    with pytest.raises(domain.DomainError, match="ít nhất hai cơ quan mới"):
        domain.split(source, parts[:1], D(2025, 7, 1))


def test_rename_keeps_the_code_or_hands_over_to_a_new_one() -> None:
    current = agency()
    same = domain.rename(current, "UBND thị xã Châu Thành", None, D(2023, 1, 1), code_taken=False)
    assert same.previous_code is None and same.successor.name == "UBND thị xã Châu Thành"
    moved = domain.rename(current, "UBND xã Châu Thành", "NEW1", D(2025, 7, 1), code_taken=False)
    assert moved.previous_code == current.code
    assert [(v.code, v.valid_from, v.valid_to) for v in moved.versions] == [
        (current.code, D(2020, 1, 1), D(2025, 7, 1)),
        ("NEW1", D(2025, 7, 1), None),
    ]
    with pytest.raises(domain.DomainError) as taken:
        domain.rename(current, "X", "NEW1", D(2025, 7, 1), code_taken=True)
    assert taken.value.field == "new_code" and taken.value.conflict


def test_reparent_checks_the_new_parent() -> None:
    commune = agency("C", Level.COMMUNE, parent_code="OLD")
    province = agency("P", Level.DEPARTMENT)
    versions, changed = domain.reparent(commune, province, "P", D(2025, 7, 1))
    assert changed == ["parent_code"] and versions[-1].parent_code == "P"
    with pytest.raises(domain.DomainError, match="chưa có trong danh mục cơ quan"):
        domain.reparent(commune, None, "GONE", D(2025, 7, 1))


def test_record_versions_count_up_and_must_fit_the_year_and_the_agency() -> None:
    entry = domain.RecordEntry(2022, D(2022, 2, 1), " QĐ 12 ", "Mục tiêu", None, "A")
    data = domain.next_version(
        agency(), "A1", Element.QUALITY_OBJECTIVES, entry, latest_version=2, channel="api"
    )
    assert (data.version, data.document_ref, data.year) == (3, "QĐ 12", 2022)
    late = domain.RecordEntry(2022, D(2024, 1, 5), "QĐ", "Mục tiêu", None, "A")
    with pytest.raises(domain.DomainError) as refused:
        domain.next_version(agency(), "A1", Element.QUALITY_OBJECTIVES, late, latest_version=0, channel="api")
    assert refused.value.field == "occurred_on"
    with pytest.raises(
        domain.DomainError, match="vào ngày 01/02/2022, cơ quan A1 chưa hoạt động hoặc đã ngừng hoạt động"
    ):
        domain.next_version(None, "A1", Element.INTERNAL_AUDIT, entry, latest_version=0, channel="api")


def test_a_system_speaks_for_its_agencies_and_their_children() -> None:
    commune = agency("C1", Level.COMMUNE, parent_code="D1")
    assert domain.may_speak_for(["C1"], commune)
    assert domain.may_speak_for(["D1"], commune, ancestors=["D1"])
    assert not domain.may_speak_for(["D2", "C2"], commune, ancestors=["D1"])


def test_reparenting_below_ones_own_descendant_is_a_cycle() -> None:
    district = agency("D")
    commune = agency("C", Level.COMMUNE, parent_code="D")
    with pytest.raises(domain.DomainError, match="không thể làm cơ quan cấp trên"):
        domain.reparent(district, commune, "C", D(2025, 1, 1), parent_ancestors=["D"])


def test_an_agency_with_children_or_later_records_cannot_end() -> None:
    with pytest.raises(domain.DomainError, match="còn 2 cơ quan trực thuộc") as refused:
        domain.check_can_end("D", D(2025, 7, 1), ["C1", "C2"], None)
    assert refused.value.conflict
    with pytest.raises(domain.DomainError, match="có hồ sơ ISO đến ngày 10/07/2025"):
        domain.check_can_end("D", D(2025, 7, 1), [], D(2025, 7, 10))
    domain.check_can_end("D", D(2025, 7, 1), [], D(2025, 6, 30))


def test_a_scope_covers_every_level_below_and_records_compare_by_content() -> None:
    commune = agency("C1", Level.COMMUNE, parent_code="D1")
    assert domain.may_speak_for(["P1"], commune, ancestors=["D1", "P1"])
    assert not domain.may_speak_for(["P2"], commune, ancestors=["D1", "P1"])
    entry = domain.RecordEntry(2022, D(2022, 2, 1), "QĐ 1", "Mục tiêu", None, "A")
    one = domain.next_version(agency(), "A1", Element.QUALITY_OBJECTIVES, entry, 0, "api")
    assert domain.same_record(one, one.model_copy(update={"version": 4, "channel": "vn.x"}))
    assert not domain.same_record(one, one.model_copy(update={"title": "Khác"}))


def test_a_version_below_one_the_system_already_gave_is_stale_and_the_newer_stays() -> None:
    entry = domain.RecordEntry(2022, D(2022, 3, 1), "QĐ 1", "Chính sách chất lượng", None, "A")
    first = domain.next_version(agency(), "A1", Element.QUALITY_POLICY, entry, 0, "vn.eiso")
    late = first.model_copy(update={"version": 2})
    with pytest.raises(domain.DomainError) as refused:
        domain.check_not_stale(late, "vn.eiso", newest=3)
    assert str(refused.value) == (
        "stale: version 2 of quality_policy 2022 from vn.eiso arrived after its version 3; "
        "the newer stays current"
    )
    assert refused.value.field == "version"
    domain.check_not_stale(late, "vn.eiso", newest=2)  # a system that does not number sends 1, 1, 1…
    domain.check_not_stale(late, "vn.eiso", newest=1)
    domain.check_not_stale(late, "vn.eiso", newest=None)  # nothing numbered from it yet
