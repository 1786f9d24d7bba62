"""The inspection plan: who is chosen by risk, with which reasons, and when they can be inspected."""

from datetime import date

import pytest
from pydantic import ValidationError

from contracts.inspections import (
    CorrectiveAction,
    Finding,
    InspectionData,
    InspectionMode,
    InspectionStatus,
    Severity,
)
from services.common import workdays
from services.compliance.board import report
from services.compliance.inspections import domain as inspections
from services.compliance.inspections.api import PlanIn
from services.compliance.inspections.domain import Candidate, InspectorBusyError, PlanConflictError, SlotError
from services.compliance.scoring.rules import Window

WINDOW = Window(start=date(2022, 6, 1), end=date(2022, 10, 31))
CALENDAR = workdays.load()


def candidate(code: str, **overrides: object) -> Candidate:
    values: dict[str, object] = {
        "code": code,
        "name": f"Cơ quan {code}",
        "score": 1.0,
        "last_inspected_on": date(2021, 9, 1),
        "merged_on": None,
        "reminders": 0,
    }
    return Candidate(**(values | overrides))  # type: ignore[arg-type]


def test_each_risk_factor_raises_the_rank_and_says_why_in_vietnamese() -> None:
    plain = candidate("A")
    low = candidate("LOW", score=0.25)
    never = candidate("NEVER", last_inspected_on=None)
    merged = candidate("MERGED", merged_on=date(2022, 3, 1))
    reminded = candidate("REMINDED", reminders=3)

    picks = {p.code: p for p in inspections.select([plain, low, never, merged, reminded], 5, 2022)}

    assert all(picks[c].risk > picks["A"].risk for c in ("LOW", "NEVER", "MERGED", "REMINDED"))
    assert "Điểm tuân thủ năm 2022 thấp: 25%" in picks["LOW"].reasons
    assert "Chưa có lần kiểm tra nào được ghi nhận" in picks["NEVER"].reasons
    assert "Mới hợp nhất ngày 01/03/2022" in picks["MERGED"].reasons
    assert "Đã bị nhắc nhở 3 lần" in picks["REMINDED"].reasons
    assert picks["A"].reasons == ("Lần kiểm tra gần nhất: 01/09/2021 (1 năm trước)",)


def test_the_target_count_of_riskiest_agencies_is_chosen_and_ties_break_by_code() -> None:
    pool = [candidate(f"C{i:02d}", score=i / 10) for i in range(10)] + [
        candidate("Z1", score=0.0),
        candidate("Z0", score=0.0),
    ]
    chosen = [p.code for p in inspections.select(pool, 4, 2022)]
    assert chosen == ["C00", "Z0", "Z1", "C01"]


def test_longer_since_the_last_inspection_ranks_higher_up_to_three_years() -> None:
    years = {y: candidate(f"Y{y}", last_inspected_on=date(2022 - y, 5, 1)) for y in (1, 2, 3, 5)}
    risk = {p.code: p.risk for p in inspections.select(years.values(), 4, 2022)}
    assert risk["Y1"] < risk["Y2"] < risk["Y3"] == risk["Y5"]


def test_an_agency_already_inspected_this_year_is_not_chosen_again() -> None:
    done = candidate("DONE", score=0.0, last_inspected_on=date(2022, 6, 15))
    assert [p.code for p in inspections.select([done, candidate("OK")], 2, 2022)] == ["OK"]


def test_a_merger_counts_as_new_for_two_years() -> None:
    old = candidate("OLD", merged_on=date(2020, 1, 1))
    assert not any("hợp nhất" in r for r in inspections.assess(old, 2022).reasons)


def test_slots_are_working_days_in_the_window_spread_and_never_double_booked() -> None:
    days = inspections.working_days(WINDOW, CALENDAR)
    assert days[0] == date(2022, 6, 1) and days[-1] == date(2022, 10, 31)
    assert all(d.weekday() < 5 for d in days)
    booked = {("Bà Lan", date(2022, 6, 1))}
    slots = inspections.spread(inspections.free_slots(days, ["Bà Lan", "Ông Minh"], booked), 20)
    assert len(set(slots)) == 20
    assert ("Bà Lan", date(2022, 6, 1)) not in {(who, day) for day, who in slots}
    assert slots[-1][0] > date(2022, 10, 1)  # spread to the end of the window, not bunched in June


def test_a_plan_over_quoc_khanh_never_lands_on_it() -> None:
    """29/08–09/09/2022: 1–2/9 are Quốc khánh; two inspectors fill every working day that is left."""
    window = Window(start=date(2022, 8, 29), end=date(2022, 9, 9))
    days = inspections.working_days(window, CALENDAR)
    assert date(2022, 9, 1) not in days and date(2022, 9, 2) not in days and len(days) == 8
    slots = inspections.spread(inspections.free_slots(days, ["Bà Lan", "Ông Minh"], set()), 16)
    assert not {day for day, _ in slots} & {date(2022, 9, 1), date(2022, 9, 2)}


def test_scheduling_starts_from_the_planning_day() -> None:
    assert inspections.working_days(WINDOW, CALENDAR, start=date(2022, 10, 29)) == [date(2022, 10, 31)]


def test_too_few_slots_is_refused_naming_the_inspectors() -> None:
    days = inspections.working_days(Window(start=date(2022, 10, 27), end=date(2022, 10, 31)), CALENDAR)
    with pytest.raises(SlotError) as refused:
        inspections.spread(inspections.free_slots(days, ["Bà Lan"], set()), 5)
    assert refused.value.field == "inspectors" and "chỉ còn 3 lượt trống" in str(refused.value)


@pytest.mark.parametrize(
    ("day", "inspector", "error", "says"),
    [
        (date(2022, 5, 31), "Bà Lan", SlotError, "ngoài đợt kiểm tra (01/06/2022–31/10/2022)"),
        (date(2022, 6, 4), "Bà Lan", SlotError, "ngày 04/06/2022 là ngày nghỉ (Thứ Bảy)"),
        (date(2022, 9, 2), "Bà Lan", SlotError, "ngày 02/09/2022 là ngày nghỉ (Quốc khánh)"),
        (
            date(2022, 6, 1),
            "Ông Minh",
            InspectorBusyError,
            "cán bộ Ông Minh đã có lịch kiểm tra ngày 01/06/2022",
        ),
    ],
)
def test_a_slot_outside_the_window_on_a_day_off_or_double_booked_is_refused(
    day: date, inspector: str, error: type[SlotError], says: str
) -> None:
    with pytest.raises(error) as refused:
        inspections.check_slot(day, inspector, WINDOW, {("Ông Minh", date(2022, 6, 1))}, CALENDAR)
    assert says in str(refused.value)


def test_a_free_slot_is_accepted() -> None:
    inspections.check_slot(date(2022, 6, 1), "Bà Lan", WINDOW, {("Ông Minh", date(2022, 6, 1))}, CALENDAR)


def inspection(code: str, **overrides: object) -> InspectionData:
    values: dict[str, object] = {
        "inspection_id": code,
        "revision": 1,
        "agency_code": code,
        "year": 2022,
        "scheduled_on": date(2022, 6, 1),
        "inspector": "Bà Lan",
        "mode": InspectionMode.ONSITE,
        "status": InspectionStatus.SCHEDULED,
        "risk": 10.0,
        "reasons": [],
    }
    return InspectionData.model_validate(values | overrides)


def test_the_annual_report_counts_inspections_held_by_the_cut_off_their_findings_and_actions() -> None:
    held = inspection(
        "A",
        status=InspectionStatus.COMPLETED,
        held_on=date(2022, 6, 1),
        findings=[
            Finding(description="Chưa đánh giá nội bộ", severity=Severity.MAJOR, clause="9.2"),
            Finding(description="Mục tiêu chưa đo được", severity=Severity.OBSERVATION),
        ],
        corrective_actions=[
            CorrectiveAction(description="Đánh giá nội bộ", due_on=date(2022, 7, 1), finding=0),
            CorrectiveAction(description="Sửa mục tiêu", due_on=date(2022, 12, 1), finding=1),
        ],
    )
    documentary_later = inspection(
        "B", mode=InspectionMode.DOCUMENTARY, status=InspectionStatus.COMPLETED, held_on=date(2022, 10, 1)
    )
    cancelled = inspection("C", status=InspectionStatus.CANCELLED)
    lines = report.inspection_lines(date(2022, 8, 31), [held, documentary_later, cancelled, inspection("D")])
    assert lines == [
        "- Kế hoạch kiểm tra: 3 cơ quan; đã kiểm tra: 1 (tại chỗ: 1, qua hồ sơ: 0).",
        "- Phát hiện: 1 điểm không phù hợp nặng, 0 điểm không phù hợp nhẹ, 1 khuyến nghị.",
        "- Hành động khắc phục: 2, trong đó 1 đã đến hạn.",
    ]


def test_results_without_a_held_date_are_refused_by_the_contract() -> None:
    with pytest.raises(ValueError, match="held_on"):
        inspection("A", status=InspectionStatus.COMPLETED)


def test_a_score_short_of_full_is_not_called_low_and_is_never_rounded_up() -> None:
    assert (
        "Điểm tuân thủ năm 2022 chưa đạt tối đa: 99%"
        in inspections.assess(candidate("A", score=0.999), 2022).reasons
    )


def test_a_window_already_over_is_refused_naming_the_year() -> None:
    with pytest.raises(SlotError) as refused:
        inspections.spread([], 3)
    assert refused.value.field == "year" and "đã kết thúc" in str(refused.value)


def test_an_inspector_named_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="có tên hai lần"):
        PlanIn(year=2022, inspectors=["Bà Lan", " bà lan"])


def test_only_a_scheduled_inspection_changes_and_a_closed_one_is_refused_naming_its_state() -> None:
    """A cancelled or completed inspection is the plan's history: moving it again is a conflict."""
    scheduled = inspection("A")
    assert inspections.revised(scheduled, scheduled_on=date(2022, 6, 8)).revision == 2
    assert (
        inspections.revised(scheduled, status=InspectionStatus.CANCELLED).status == InspectionStatus.CANCELLED
    )
    completed = inspection("B", status=InspectionStatus.COMPLETED, held_on=date(2022, 6, 1))
    for closed, state in (
        (inspection("C", status=InspectionStatus.CANCELLED), "đã hủy"),
        (completed, "đã có kết quả"),
    ):
        with pytest.raises(PlanConflictError) as refused:
            inspections.revised(closed, scheduled_on=date(2022, 6, 8))
        assert str(refused.value) == f"cuộc kiểm tra {closed.inspection_id} {state}"
        assert (refused.value.field, refused.value.location) == ("inspection_id", "path")


def test_a_corrective_action_is_reported_done_once_between_the_inspection_and_today() -> None:
    action = CorrectiveAction(description="Cập nhật danh mục", due_on=date(2022, 9, 30))
    held = inspection(
        "A1",
        status=InspectionStatus.COMPLETED,
        held_on=date(2022, 6, 15),
        corrective_actions=[action],
        revision=2,
    )
    today = date(2022, 9, 1)
    done = inspections.action_done(held, 0, date(2022, 8, 20), "QĐ 25/QĐ-UBND", today)
    assert (done.revision, done.corrective_actions[0].done_on) == (3, date(2022, 8, 20))
    assert (
        done.corrective_actions[0].evidence == "QĐ 25/QĐ-UBND" and done.status == InspectionStatus.COMPLETED
    )
    refusals = [
        (held, 0, date(2022, 6, 1), r"trước ngày kiểm tra \(15/06/2022\)"),
        (held, 0, date(2022, 9, 2), "không được sau ngày hôm nay"),
        (held, 1, date(2022, 8, 20), "không có hành động khắc phục số 2"),
        (done, 0, date(2022, 8, 21), "đã được báo cáo hoàn thành ngày 20/08/2022"),
        (inspection("A2"), 0, date(2022, 8, 20), "chưa được tiến hành"),
    ]
    for current, index, day, said in refusals:
        with pytest.raises(inspections.PlanRefusedError, match=said):
            inspections.action_done(current, index, day, "x", today)
    with pytest.raises(inspections.PlanRefusedError, match="do cơ quan báo cáo sau khi kiểm tra"):
        inspections.check_result(date(2022, 6, 15), today, [done.corrective_actions[0]], 0)
