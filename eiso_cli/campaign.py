"""The 2022 campaign of the sample province, as the e-ISO software published it over the year.

What the article reports is the script: every department (sở, ngành) and unit updated its six QMS
elements; seven of the nine districts did, while Duyên Hải sent one record and Châu Thành three; the 86
communes on the e-ISO software did, the 20 others sent a few records or none. Records are dated over
the months the province's plan gives them (policy early, internal audit mid-year, management review
after it, improvement before the 30 October deadline).

Record and event ids are derived from (agency, element, year), so playing the campaign twice sends the
same events again, which the registry recognises and ignores.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import cast

from contracts.envelope import derived_id
from contracts.records import RECORD_EVENT_OF, RecordData, RecordEvent
from contracts.vocabulary import UPDATE_ELEMENTS, Element, Level

YEAR = 2022
SYSTEM_ID = "vn.travinh.eiso"
SYSTEM_NAME = "Phần mềm ISO điện tử tỉnh"
#: The districts the article names as not updated, and how many elements each did send.
LATE_DISTRICTS = {"000.00.39.H59": 1, "000.00.36.H59": 3}  # huyện Duyên Hải, huyện Châu Thành

#: When in 2022 each element was recorded: the first day of its span and the span's length in days.
SPANS: dict[Element, tuple[date, int]] = {
    Element.QUALITY_POLICY: (date(YEAR, 1, 10), 45),
    Element.CONTEXT: (date(YEAR, 2, 1), 45),
    Element.QUALITY_OBJECTIVES: (date(YEAR, 2, 15), 45),
    Element.INTERNAL_AUDIT: (date(YEAR, 6, 1), 60),
    Element.MANAGEMENT_REVIEW: (date(YEAR, 8, 5), 40),
    Element.IMPROVEMENT: (date(YEAR, 9, 20), 35),
}
TITLES = {
    Element.QUALITY_POLICY: "Chính sách chất lượng",
    Element.CONTEXT: "Bối cảnh, rủi ro và cơ hội",
    Element.QUALITY_OBJECTIVES: "Mục tiêu chất lượng",
    Element.INTERNAL_AUDIT: "Báo cáo đánh giá nội bộ",
    Element.MANAGEMENT_REVIEW: "Biên bản họp xem xét của lãnh đạo",
    Element.IMPROVEMENT: "Kế hoạch cải tiến",
}


@dataclass(frozen=True)
class ProvinceAgency:
    code: str
    name: str
    level: Level
    parent_code: str | None
    uses_eiso_software: bool


@dataclass(frozen=True)
class Planned:
    agency_code: str
    element: Element
    occurred_on: date


def read_province(path: Path) -> list[ProvinceAgency]:
    """The sample province's CSV (deploy/data/agencies.csv), as the campaign needs it."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            ProvinceAgency(
                code=row["code"],
                name=row["name"],
                level=Level(row["level"]),
                parent_code=row["parent_code"] or None,
                uses_eiso_software=row["uses_eiso_software"].strip().lower() in ("có", "co", "true", "1"),
            )
            for row in csv.DictReader(handle)
        ]


def elements_sent(agency: ProvinceAgency, index: int) -> tuple[Element, ...]:
    """Which of the six elements the agency recorded in 2022 (see the module's docstring)."""
    if agency.code in LATE_DISTRICTS:
        return UPDATE_ELEMENTS[: LATE_DISTRICTS[agency.code]]
    if agency.level == Level.COMMUNE and not agency.uses_eiso_software:
        return UPDATE_ELEMENTS[: index % 3]  # none, one or two
    return UPDATE_ELEMENTS


def plan(agencies: Iterable[ProvinceAgency]) -> list[Planned]:
    """Every record of the campaign, in the order the months bring them."""
    planned = []
    for index, agency in enumerate(agencies):
        for element in elements_sent(agency, index):
            start, span = SPANS[element]
            planned.append(Planned(agency.code, element, start + timedelta(days=(index * 7) % span)))
    return sorted(planned, key=lambda p: (p.occurred_on, p.agency_code, p.element.value))


def event(record: Planned) -> RecordEvent:
    """The inbound event the e-ISO software sends for one record (09:00 giờ Việt Nam that day)."""
    key = (SYSTEM_ID, record.agency_code, record.element.value, YEAR)
    data = RecordData(
        record_id=derived_id("campaign-record", *key),
        agency_code=record.agency_code,
        element=record.element,
        year=YEAR,
        occurred_on=record.occurred_on,
        document_ref=f"{record.element.value.upper()}-{YEAR}/{record.agency_code}",
        title=f"{TITLES[record.element]} năm {YEAR}",
        submitted_by=SYSTEM_NAME,
        channel=SYSTEM_ID,
    )
    at = datetime.combine(record.occurred_on, time(2, 0), tzinfo=UTC)
    kind = RECORD_EVENT_OF[record.element]
    created = kind.create(
        source=SYSTEM_ID,
        subject=record.agency_code,
        data=data,
        time=at,
        event_id=derived_id("campaign", *key),
    )
    return cast(RecordEvent, created)


def scope(agencies: Iterable[ProvinceAgency]) -> list[str]:
    """What the e-ISO software may speak for: the top of the tree (a parent covers its children)."""
    return [a.code for a in agencies if a.parent_code is None]
