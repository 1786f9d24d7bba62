"""The department's progress report (báo cáo tiến độ), free of I/O: per level, how many agencies are
updated for the year and which are not, as JSON and as the Vietnamese sentence the department writes:
"100% sở, ngành đã cập nhật; có 02/09 huyện chưa cập nhật (huyện Duyên Hải, Châu Thành); 86 cấp xã cập nhật".
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from contracts.inspections import MODE_VI, InspectionData, InspectionMode, InspectionStatus, Severity
from contracts.vocabulary import LEVEL_VI, ComplianceStatus, Level, Obligation
from services.compliance.scoring.domain import AgencyStatus

#: Administrative words that open a district's name, longest first.
DISTRICT_KINDS = ("thành phố", "thị xã", "quận", "huyện")


class Named(BaseModel):
    code: str
    name: str


class LevelProgress(BaseModel):
    total: int
    updated: int
    not_updated: list[Named]
    percent_updated: int


class Totals(BaseModel):
    applying_iso: int
    on_eiso_software: int
    updated: int


class ProgressReport(BaseModel):
    year: int
    as_of: date
    levels: dict[Level, LevelProgress]
    totals: Totals
    text_vi: str


def short_name(name: str) -> str:
    """ "UBND huyện Duyên Hải" → "huyện Duyên Hải": how the report names a district or commune."""
    return name.removeprefix("UBND ").removeprefix("Ủy ban nhân dân ").strip()


def list_districts(names: Iterable[str]) -> str:
    """ "huyện Duyên Hải, Châu Thành": the kind word is written once for a run of the same kind."""
    parts, previous = [], None
    for name in names:
        kind = next((k for k in DISTRICT_KINDS if name.lower().startswith(k + " ")), None)
        if kind is not None and kind == previous:
            parts.append(name[len(kind) + 1 :])
        else:
            parts.append(name)
        previous = kind
    return ", ".join(parts)


def progress(year: int, as_of: date, agencies: Iterable[AgencyStatus]) -> ProgressReport:
    everyone = list(agencies)
    levels = {}
    for level in Level:
        members = [a for a in everyone if a.level == level]
        lagging = sorted(
            (a for a in members if a.status != ComplianceStatus.UPDATED), key=lambda a: (a.score, a.name)
        )
        updated = len(members) - len(lagging)
        levels[level] = LevelProgress(
            total=len(members),
            updated=updated,
            not_updated=[Named(code=a.code, name=short_name(a.name)) for a in lagging],
            percent_updated=round(100 * updated / len(members)) if members else 0,
        )
    totals = Totals(
        applying_iso=len(everyone),
        on_eiso_software=sum(a.uses_eiso_software for a in everyone),
        updated=sum(a.status == ComplianceStatus.UPDATED for a in everyone),
    )
    return ProgressReport(year=year, as_of=as_of, levels=levels, totals=totals, text_vi=sentence(levels))


def sentence(levels: dict[Level, LevelProgress]) -> str:
    clauses = []
    departments = levels[Level.DEPARTMENT]
    if departments.total:
        clause = f"{departments.percent_updated}% sở, ngành đã cập nhật"
        if departments.not_updated:
            names = ", ".join(n.name for n in departments.not_updated)
            clause += f"; có {_pair(departments)} sở, ngành chưa cập nhật ({names})"
        clauses.append(clause)
    districts = levels[Level.DISTRICT]
    if districts.total:
        if districts.not_updated:
            names = list_districts(n.name for n in districts.not_updated)
            clauses.append(f"có {_pair(districts)} huyện chưa cập nhật ({names})")
        else:
            clauses.append("100% huyện đã cập nhật")
    communes = levels[Level.COMMUNE]
    if communes.total:
        clauses.append(f"{communes.updated} cấp xã cập nhật")
    return "; ".join(clauses)


def _pair(level: LevelProgress) -> str:
    return f"{len(level.not_updated):02d}/{level.total:02d}"


@dataclass(frozen=True)
class AnnualLine:
    """What the annual report needs of one agency active on the cut-off date."""

    status: AgencyStatus
    obligation: Obligation
    audited: bool
    reviewed: bool
    reminded: bool


def inspection_lines(cut_off: date, plan: Iterable[InspectionData]) -> list[str]:
    """Section 3 of the annual report: the plan, what was held by the cut-off, findings, actions."""
    planned = [i for i in plan if i.status != InspectionStatus.CANCELLED]
    if not planned:
        return ["- Chưa có kế hoạch kiểm tra trong hệ thống."]
    held = [i for i in planned if i.held_on is not None and i.held_on <= cut_off]
    by_mode = ", ".join(f"{MODE_VI[m]}: {sum(i.mode == m for i in held)}" for m in InspectionMode)
    findings = [f for i in held for f in i.findings]
    counts = {s: sum(f.severity == s for f in findings) for s in Severity}
    actions = [a for i in held for a in i.corrective_actions]
    due = sum(a.due_on <= cut_off for a in actions)
    return [
        f"- Kế hoạch kiểm tra: {len(planned)} cơ quan; đã kiểm tra: {len(held)} ({by_mode}).",
        f"- Phát hiện: {counts[Severity.MAJOR]} điểm không phù hợp nặng, {counts[Severity.MINOR]} "
        f"điểm không phù hợp nhẹ, {counts[Severity.OBSERVATION]} khuyến nghị.",
        f"- Hành động khắc phục: {len(actions)}, trong đó {due} đã đến hạn.",
    ]


def annual_markdown(
    year: int, cut_off: date, lines: Iterable[AnnualLine], plan: Iterable[InspectionData] = ()
) -> str:
    """The department's annual report (Vietnamese, Markdown) as of `cut_off`."""
    rows = list(lines)
    statuses = [r.status for r in rows]
    out = [
        f"# Báo cáo tình hình xây dựng, áp dụng, duy trì HTQLCL theo TCVN ISO 9001:2015 năm {year}",
        "",
        f"Số liệu tính đến hết ngày {cut_off:%d/%m/%Y} (giờ Việt Nam).",
        "",
        "## 1. Cơ quan áp dụng",
        "",
        "| Cấp | Bắt buộc | Khuyến khích | Được chỉ định | Tổng | Đã cập nhật |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for level in Level:
        of_level = [r for r in rows if r.status.level == level]
        counts = [sum(r.obligation == o for r in of_level) for o in Obligation]
        updated = sum(r.status.status == ComplianceStatus.UPDATED for r in of_level)
        out.append(f"| {LEVEL_VI[level]} | {' | '.join(map(str, counts))} | {len(of_level)} | {updated} |")
    total = len(rows)
    updated_all = sum(s.status == ComplianceStatus.UPDATED for s in statuses)
    on_software = sum(s.uses_eiso_software for s in statuses)
    out += [
        f"| **Tổng** | | | | **{total}** | **{updated_all}** |",
        "",
        f"Trong đó {on_software}/{total} cơ quan sử dụng phần mềm ISO điện tử.",
        "",
        "## 2. Đánh giá nội bộ và xem xét của lãnh đạo",
        "",
        f"- Đã đánh giá nội bộ trong năm: {sum(r.audited for r in rows)}/{total} cơ quan.",
        f"- Đã xem xét của lãnh đạo trong năm: {sum(r.reviewed for r in rows)}/{total} cơ quan.",
        "",
        "## 3. Kiểm tra",
        "",
        *inspection_lines(cut_off, plan),
        "",
        "## 4. Nhắc nhở và cơ quan còn chậm",
        "",
        f"- Đã nhắc nhở (sắp đến hạn hoặc quá hạn): {sum(r.reminded for r in rows)} cơ quan.",
    ]
    lagging = sorted(
        (s for s in statuses if s.status != ComplianceStatus.UPDATED), key=lambda s: (s.level, s.name)
    )
    out.append(f"- Còn chưa cập nhật: {len(lagging)} cơ quan" + (":" if lagging else "."))
    out += [f"  - {short_name(s.name)} ({s.code})" for s in lagging]
    out += ["", "## 5. Tiến độ", "", progress(year, cut_off, statuses).text_vi + "."]
    return "\n".join(out) + "\n"
