"""The department's progress report (báo cáo tiến độ), free of I/O: per level, how many agencies are
updated for the year and which are not, as JSON and as the Vietnamese sentence the department writes:
"100% sở, ngành đã cập nhật; có 02/09 huyện chưa cập nhật (huyện Duyên Hải, Châu Thành); 86 cấp xã cập nhật".
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from contracts.vocabulary import ComplianceStatus, Level

#: Administrative words that open a district's name, longest first.
DISTRICT_KINDS = ("thành phố", "thị xã", "quận", "huyện")


@dataclass(frozen=True)
class AgencyStatus:
    code: str
    name: str
    level: Level
    uses_eiso_software: bool
    status: ComplianceStatus
    score: float


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
