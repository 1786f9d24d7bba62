"""The progress report on the sample province reproduces the article's sentence and figures."""

from datetime import date

from contracts.vocabulary import ComplianceStatus, Level
from eiso_cli import campaign
from eiso_cli.processes import ROOT
from services.compliance.board import report
from services.compliance.scoring import domain
from services.compliance.scoring.domain import AgencyStatus, Evidence, Facts
from services.compliance.scoring.rules import load

ARTICLE = (
    "100% sở, ngành đã cập nhật; có 02/09 huyện chưa cập nhật (huyện Duyên Hải, Châu Thành); "
    "86 cấp xã cập nhật"
)
DUYEN_HAI, CHAU_THANH = "000.00.39.H59", "000.00.36.H59"
DEADLINE = date(2022, 10, 30)


def campaign_2022() -> list[AgencyStatus]:
    """The scripted 2022 campaign (what `eiso demo` publishes), scored by the shipped rules as of the
    deadline: the same pure path the compliance service takes."""
    province = campaign.read_province(ROOT / "deploy" / "data" / "agencies.csv")
    planned = campaign.plan(province)
    rules = load()
    statuses = []
    for agency in province:
        evidence = tuple(
            Evidence(str(campaign.event(p).id), p.element, 2022, p.occurred_on)
            for p in planned
            if p.agency_code == agency.code
        )
        scored = domain.score(Facts(agency.code, agency.uses_eiso_software, evidence), 2022, rules, DEADLINE)
        statuses.append(
            AgencyStatus(
                agency.code, agency.name, agency.level, agency.uses_eiso_software, scored.status, scored.score
            )
        )
    return statuses


def test_the_sample_province_gives_the_article_sentence() -> None:
    progress = report.progress(2022, DEADLINE, campaign_2022())
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
        AgencyStatus("D1", "Sở Y tế", Level.DEPARTMENT, True, ComplianceStatus.LAGGING, 0.3),
        AgencyStatus("D2", "Sở Tư pháp", Level.DEPARTMENT, True, ComplianceStatus.UPDATED, 1.0),
        AgencyStatus("H1", "UBND thị xã Duyên Hải", Level.DISTRICT, True, ComplianceStatus.NOT_UPDATED, 0.0),
        AgencyStatus("H2", "UBND huyện Trà Cú", Level.DISTRICT, True, ComplianceStatus.LAGGING, 0.1),
        AgencyStatus("H3", "UBND huyện Cầu Kè", Level.DISTRICT, True, ComplianceStatus.LAGGING, 0.4),
    ]
    assert report.progress(2022, date(2022, 10, 30), statuses).text_vi == (
        "50% sở, ngành đã cập nhật; có 01/02 sở, ngành chưa cập nhật (Sở Y tế); "
        "có 03/03 huyện chưa cập nhật (thị xã Duyên Hải, huyện Trà Cú, Cầu Kè)"
    )


def test_the_annual_report_counts_levels_obligations_audits_and_lists_who_lags() -> None:
    from contracts.vocabulary import Obligation

    lines = [
        report.AnnualLine(
            status,
            Obligation.ENCOURAGED if status.level == Level.COMMUNE else Obligation.MANDATORY,
            audited=status.status == ComplianceStatus.UPDATED,
            reviewed=False,
            reminded=status.status != ComplianceStatus.UPDATED,
        )
        for status in campaign_2022()
    ]
    text = report.annual_markdown(2022, date(2022, 12, 14), lines)
    assert text.startswith(
        "# Báo cáo tình hình xây dựng, áp dụng, duy trì HTQLCL theo TCVN ISO 9001:2015 năm 2022\n"
    )
    assert "Số liệu tính đến hết ngày 14/12/2022 (giờ Việt Nam)." in text
    assert "| UBND cấp huyện | 9 | 0 | 0 | 9 | 7 |" in text
    assert "| UBND cấp xã | 0 | 106 | 0 | 106 | 86 |" in text
    assert "| **Tổng** | | | | **165** | **143** |" in text
    assert "- Đã đánh giá nội bộ trong năm: 143/165 cơ quan." in text
    assert "- Còn chưa cập nhật: 22 cơ quan:" in text and "  - huyện Duyên Hải (000.00.39.H59)" in text
    assert text.rstrip().endswith(ARTICLE + ".")
