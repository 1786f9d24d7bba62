"""The progress report on the sample province reproduces the article's sentence and figures."""

import csv
from datetime import date

from contracts.vocabulary import ComplianceStatus, Level
from eiso_cli.processes import ROOT
from services.compliance import report

ARTICLE = (
    "100% sở, ngành đã cập nhật; có 02/09 huyện chưa cập nhật (huyện Duyên Hải, Châu Thành); "
    "86 cấp xã cập nhật"
)
DUYEN_HAI, CHAU_THANH = "000.00.39.H59", "000.00.36.H59"


def sample_province() -> list[dict[str, str]]:
    with (ROOT / "deploy" / "data" / "agencies.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def campaign_2022() -> list[report.AgencyStatus]:
    """As the 2022 campaign ended: every department and 7 districts updated; the communes on e-ISO
    software updated; Duyên Hải further behind than Châu Thành."""
    statuses = []
    for row in sample_province():
        level = Level(row["level"])
        updated = {
            Level.DEPARTMENT: True,
            Level.DISTRICT: row["code"] not in (DUYEN_HAI, CHAU_THANH),
            Level.COMMUNE: row["uses_eiso_software"] == "có",
            Level.UNIT: True,
        }[level]
        score = 1.0 if updated else (0.2 if row["code"] == DUYEN_HAI else 0.5)
        status = ComplianceStatus.UPDATED if updated else ComplianceStatus.LAGGING
        statuses.append(
            report.AgencyStatus(
                row["code"], row["name"], level, row["uses_eiso_software"] == "có", status, score
            )
        )
    return statuses


def test_the_sample_province_gives_the_article_sentence() -> None:
    progress = report.progress(2022, date(2022, 10, 30), campaign_2022())
    assert progress.text_vi == ARTICLE
    districts = progress.levels[Level.DISTRICT]
    assert (districts.total, districts.updated, districts.percent_updated) == (9, 7, 78)
    assert [n.code for n in districts.not_updated] == [DUYEN_HAI, CHAU_THANH]
    assert [n.name for n in districts.not_updated] == ["huyện Duyên Hải", "huyện Châu Thành"]
    assert (progress.levels[Level.DEPARTMENT].percent_updated, progress.levels[Level.COMMUNE].updated) == (
        100,
        86,
    )
    assert (progress.totals.applying_iso, progress.totals.on_eiso_software) == (165, 134)


def test_the_sentence_names_lagging_departments_and_mixes_district_kinds() -> None:
    statuses = [
        report.AgencyStatus("D1", "Sở Y tế", Level.DEPARTMENT, True, ComplianceStatus.LAGGING, 0.3),
        report.AgencyStatus("D2", "Sở Tư pháp", Level.DEPARTMENT, True, ComplianceStatus.UPDATED, 1.0),
        report.AgencyStatus(
            "H1", "UBND thị xã Duyên Hải", Level.DISTRICT, True, ComplianceStatus.NOT_UPDATED, 0.0
        ),
        report.AgencyStatus("H2", "UBND huyện Trà Cú", Level.DISTRICT, True, ComplianceStatus.LAGGING, 0.1),
        report.AgencyStatus("H3", "UBND huyện Cầu Kè", Level.DISTRICT, True, ComplianceStatus.LAGGING, 0.4),
    ]
    assert report.progress(2022, date(2022, 10, 30), statuses).text_vi == (
        "50% sở, ngành đã cập nhật; có 01/02 sở, ngành chưa cập nhật (Sở Y tế); "
        "có 03/03 huyện chưa cập nhật (thị xã Duyên Hải, huyện Trà Cú, Cầu Kè)"
    )
