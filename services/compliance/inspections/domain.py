"""The inspection plan, free of I/O: who is inspected (by risk, with the reasons written down) and when.

Decision 19/2014/QĐ-TTg and Circular 26/2014/TT-BKHCN have the department inspect a number of agencies
each year; the province's 2022 plan inspected 20 between June and October, "chosen by risk". Risk here
adds up four things a DOST officer looks at, each with its own reason in Vietnamese so the plan can be
defended: a low score, a long time since the last inspection, a recent merger, repeated reminders.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from contracts.inspections import CorrectiveAction, InspectionData, InspectionStatus
from services.common import scopes
from services.common.workdays import WorkingDays, day_off_phrase
from services.compliance.scoring.rules import Window

#: Points per factor; the weights are policy, kept here in one place so a change is one edit.
LOW_SCORE_POINTS = 40.0  # × (1 − score)
LOW_SCORE = 0.5  # below it the reason says "thấp"
NEVER_INSPECTED_POINTS = 30.0
POINTS_PER_YEAR_SINCE_INSPECTION = 10.0  # up to three years
MERGED_POINTS = 20.0  # merged this year or last
POINTS_PER_REMINDER = 5.0  # up to four reminders


@dataclass(frozen=True)
class Candidate:
    """What the plan needs of one agency active when the plan is made."""

    code: str
    name: str
    score: float
    last_inspected_on: date | None
    merged_on: date | None
    reminders: int


@dataclass(frozen=True)
class Pick:
    code: str
    name: str
    risk: float
    reasons: tuple[str, ...]


def assess(candidate: Candidate, year: int) -> Pick:
    """The agency's risk for the plan of `year`, and each reason that added to it."""
    risk, reasons = 0.0, []
    if candidate.score < 1:
        risk += LOW_SCORE_POINTS * (1 - candidate.score)
        percent = math.floor(candidate.score * 100)
        label = "thấp" if candidate.score < LOW_SCORE else "chưa đạt tối đa"
        reasons.append(f"Điểm tuân thủ năm {year} {label}: {percent}%")
    if candidate.last_inspected_on is None:
        risk += NEVER_INSPECTED_POINTS
        reasons.append("Chưa có lần kiểm tra nào được ghi nhận")
    else:
        years = year - candidate.last_inspected_on.year
        if years > 0:
            risk += POINTS_PER_YEAR_SINCE_INSPECTION * min(years, 3)
            reasons.append(
                f"Lần kiểm tra gần nhất: {candidate.last_inspected_on:%d/%m/%Y} ({years} năm trước)"
            )
    if candidate.merged_on is not None and year - 1 <= candidate.merged_on.year <= year:
        risk += MERGED_POINTS
        reasons.append(f"Mới hợp nhất ngày {candidate.merged_on:%d/%m/%Y}")
    if candidate.reminders:
        risk += POINTS_PER_REMINDER * min(candidate.reminders, 4)
        reasons.append(f"Đã bị nhắc nhở {candidate.reminders} lần")
    return Pick(candidate.code, candidate.name, round(risk, 2), tuple(reasons))


def select(candidates: Iterable[Candidate], target: int, year: int) -> list[Pick]:
    """The `target` riskiest agencies not yet inspected in `year`, riskiest first (ties by code, so the
    same facts always give the same plan)."""
    eligible = [c for c in candidates if c.last_inspected_on is None or c.last_inspected_on.year != year]
    picks = sorted((assess(c, year) for c in eligible), key=lambda p: (-p.risk, p.code))
    return picks[:target]


def working_days(window: Window, calendar: WorkingDays, start: date | None = None) -> list[date]:
    """The working days inside the window (no weekend, public holiday or province day off), from
    `start` if that is later."""
    return calendar.working_days_between(max(window.start, start or window.start), window.end)


class PlanRefusedError(ValueError):
    """A change the plan cannot take; the message says why, for the operator, `field` what to change,
    and `location` where the field is (the body or the path)."""

    def __init__(self, message: str, field: str, location: str = "body") -> None:
        super().__init__(message)
        self.field = field
        self.location = location


class PlanConflictError(PlanRefusedError):
    """The change conflicts with the plan as it stands (not a malformed request)."""


class InspectionNotFoundError(PlanRefusedError):
    """No such inspection."""


class SlotError(PlanRefusedError):
    """No inspection can go there."""

    def __init__(self, message: str, field: str = "scheduled_on") -> None:
        super().__init__(message, field)


class InspectorBusyError(SlotError, PlanConflictError):
    """The inspector already has an inspection that day (a conflict, not a malformed request)."""


def free_slots(
    days: Sequence[date], inspectors: Sequence[str], booked: Iterable[tuple[str, date]]
) -> list[tuple[date, str]]:
    taken = set(booked)
    return [(day, who) for day in days for who in inspectors if (who, day) not in taken]


def spread(slots: Sequence[tuple[date, str]], count: int) -> list[tuple[date, str]]:
    """`count` of the free slots spread evenly over the window (not all in its first week)."""
    if count and not slots:
        raise SlotError("đợt kiểm tra đã kết thúc: không còn ngày làm việc nào trong đợt", field="year")
    if count > len(slots):
        raise SlotError(
            f"không đủ ngày làm việc: cần {count} lượt kiểm tra, chỉ còn {len(slots)} lượt trống "
            "(ngày × cán bộ kiểm tra); thêm cán bộ kiểm tra hoặc giảm số cơ quan",
            field="inspectors",
        )
    return [slots[i * len(slots) // count] for i in range(count)]


def check_slot(
    day: date, inspector: str, window: Window, booked: Iterable[tuple[str, date]], calendar: WorkingDays
) -> None:
    """Refuse a day outside the campaign's inspection window, a day that is not a working day (a
    weekend, a public holiday, a province day off), or an inspector already busy that day."""
    if not window.start <= day <= window.end:
        raise SlotError(
            f"ngày {day:%d/%m/%Y} nằm ngoài đợt kiểm tra ({window.start:%d/%m/%Y}–{window.end:%d/%m/%Y})"
        )
    if reason := calendar.day_off(day):
        raise SlotError(day_off_phrase(day, reason))
    if (inspector, day) in set(booked):
        raise InspectorBusyError(f"cán bộ {inspector} đã có lịch kiểm tra ngày {day:%d/%m/%Y}", "inspector")


@dataclass(frozen=True)
class Plan:
    """A year's inspection plan: the campaign's target and window, and every inspection in it
    (cancelled ones too: the plan's history), by day and inspector."""

    year: int
    target: int
    window: Window
    inspections: list[InspectionData]


#: What an inspection may become: a scheduled one is moved (still scheduled, a new revision), cancelled
#: or completed; a cancelled or a completed one stays as it is.
TRANSITIONS: dict[InspectionStatus, frozenset[InspectionStatus]] = {
    InspectionStatus.SCHEDULED: frozenset(InspectionStatus),
    InspectionStatus.CANCELLED: frozenset(),
    InspectionStatus.COMPLETED: frozenset(),
}
#: An inspection's state, as a refusal to change it says it ("cuộc kiểm tra … đã hủy").
STATE_VI = {
    InspectionStatus.SCHEDULED: "đã lên lịch",
    InspectionStatus.CANCELLED: "đã hủy",
    InspectionStatus.COMPLETED: "đã có kết quả",
}


def may_become(current: InspectionStatus, new: InspectionStatus) -> bool:
    return new in TRANSITIONS[current]


def revised(current: InspectionData, **changes: object) -> InspectionData:
    """The next revision of an inspection, validated like any event's data; a change its state does not
    allow (a cancelled or completed inspection changed again) is refused."""
    new = InspectionData.model_validate(current.model_dump() | changes | {"revision": current.revision + 1})
    if not may_become(current.status, new.status):
        message = f"cuộc kiểm tra {current.inspection_id} {STATE_VI[current.status]}"
        raise PlanConflictError(message, "inspection_id", "path")
    return new


def assigned(inspections: Iterable[InspectionData], inspector: str | None) -> list[InspectionData]:
    """The inspections of `inspector`, a signed-in inspector's scope (`Principal.scope`: their name as
    `scopes.name_key` matches it); all when None."""
    return [i for i in inspections if scopes.theirs(i.inspector, inspector)]


def active(plan: Iterable[InspectionData]) -> list[InspectionData]:
    """The inspections of a plan not cancelled."""
    return [i for i in plan if i.status != InspectionStatus.CANCELLED]


def check_result(held_on: date, today: date, actions: Sequence[CorrectiveAction], findings: int) -> None:
    """Refuse results held on a day still to come, or with a corrective action due before the
    inspection, pointing at a finding that is not there, or already reported done (the agency says
    that, later)."""
    if held_on > today:
        raise PlanRefusedError("ngày kiểm tra không được sau ngày hôm nay", "held_on")
    for index, action in enumerate(actions):
        if action.done_on is not None or action.evidence is not None:
            message = "việc hoàn thành khắc phục do cơ quan báo cáo sau khi kiểm tra, không nhập tại đây"
            raise PlanRefusedError(message, f"corrective_actions.{index}.done_on")
        if action.due_on < held_on:
            raise PlanRefusedError(
                "hạn khắc phục không được trước ngày kiểm tra", f"corrective_actions.{index}.due_on"
            )
        if action.finding is not None and action.finding >= findings:
            raise PlanRefusedError("không có phát hiện số này", f"corrective_actions.{index}.finding")


def action_done(
    current: InspectionData, index: int, done_on: date, evidence: str, today: date
) -> InspectionData:
    """The inspection's next revision with corrective action `index` reported done on `done_on`:
    only for a held inspection, an action still open, a day between the inspection and today."""
    if current.status != InspectionStatus.COMPLETED or current.held_on is None:
        raise PlanConflictError("cuộc kiểm tra này chưa được tiến hành", "inspection_id", "path")
    if not 0 <= index < len(current.corrective_actions):
        raise InspectionNotFoundError(f"không có hành động khắc phục số {index + 1}", "index", "path")
    action = current.corrective_actions[index]
    if action.done_on is not None:
        raise PlanConflictError(
            f"hành động khắc phục này đã được báo cáo hoàn thành ngày {action.done_on:%d/%m/%Y}",
            "index",
            "path",
        )
    if done_on > today:
        raise PlanRefusedError("ngày hoàn thành không được sau ngày hôm nay", "done_on")
    if done_on < current.held_on:
        raise PlanRefusedError(
            f"ngày hoàn thành không được trước ngày kiểm tra ({current.held_on:%d/%m/%Y})", "done_on"
        )
    actions = [a.model_dump() for a in current.corrective_actions]
    actions[index] |= {"done_on": done_on, "evidence": evidence}
    return InspectionData.model_validate(
        current.model_dump() | {"corrective_actions": actions, "revision": current.revision + 1}
    )
