"""Words of the domain that several services and outside publishers share."""

from enum import StrEnum


class Level(StrEnum):
    """Administrative level of an agency (docs/domain.md)."""

    DEPARTMENT = "department"  # sở, ban, ngành
    DISTRICT = "district"  # UBND huyện, thị xã, thành phố
    COMMUNE = "commune"  # UBND xã, phường, thị trấn
    UNIT = "unit"  # chi cục, đơn vị sự nghiệp…


class Obligation(StrEnum):
    MANDATORY = "mandatory"
    ENCOURAGED = "encouraged"
    DESIGNATED = "designated"


class Element(StrEnum):
    """QMS record elements. The first six make an agency "updated" for a year."""

    QUALITY_POLICY = "quality_policy"
    CONTEXT = "context"
    QUALITY_OBJECTIVES = "quality_objectives"
    INTERNAL_AUDIT = "internal_audit"
    MANAGEMENT_REVIEW = "management_review"
    IMPROVEMENT = "improvement"
    SCOPE = "scope"
    ANNOUNCEMENT = "announcement"


#: The six elements that must each have a record for the year (đã cập nhật).
UPDATE_ELEMENTS: tuple[Element, ...] = (
    Element.QUALITY_POLICY,
    Element.CONTEXT,
    Element.QUALITY_OBJECTIVES,
    Element.INTERNAL_AUDIT,
    Element.MANAGEMENT_REVIEW,
    Element.IMPROVEMENT,
)


class ComplianceStatus(StrEnum):
    UPDATED = "updated"
    LAGGING = "lagging"
    NOT_UPDATED = "not_updated"


#: The statuses as the department's reports write them.
COMPLIANCE_STATUS_VI: dict[ComplianceStatus, str] = {
    ComplianceStatus.UPDATED: "đã cập nhật",
    ComplianceStatus.LAGGING: "cập nhật chưa đủ",
    ComplianceStatus.NOT_UPDATED: "chưa cập nhật",
}

#: Whether an agency must apply TCVN ISO 9001:2015, as a person reads it.
OBLIGATION_VI: dict[Obligation, str] = {
    Obligation.MANDATORY: "bắt buộc áp dụng",
    Obligation.ENCOURAGED: "khuyến khích áp dụng",
    Obligation.DESIGNATED: "áp dụng theo chỉ định của UBND tỉnh",
}
#: How people call the levels, in Vietnamese: as the report's rows name the agencies of a level…
LEVEL_VI: dict[Level, str] = {
    Level.DEPARTMENT: "Sở, ban, ngành",
    Level.DISTRICT: "UBND cấp huyện",
    Level.COMMUNE: "UBND cấp xã",
    Level.UNIT: "Đơn vị khác",
}
#: …and as a sentence names the level itself ("dành cho cấp xã").
LEVEL_TIER_VI: dict[Level, str] = {
    Level.DEPARTMENT: "cấp sở, ngành",
    Level.DISTRICT: "cấp huyện",
    Level.COMMUNE: "cấp xã",
    Level.UNIT: "đơn vị khác",
}
#: The elements as the department names them in reminders and reports.
ELEMENT_VI: dict[Element, str] = {
    Element.QUALITY_POLICY: "Chính sách chất lượng",
    Element.CONTEXT: "Bối cảnh tổ chức, rủi ro và cơ hội",
    Element.QUALITY_OBJECTIVES: "Mục tiêu chất lượng",
    Element.INTERNAL_AUDIT: "Đánh giá nội bộ",
    Element.MANAGEMENT_REVIEW: "Xem xét của lãnh đạo",
    Element.IMPROVEMENT: "Cải tiến, hành động khắc phục",
    Element.SCOPE: "Phạm vi áp dụng",
    Element.ANNOUNCEMENT: "Công bố HTQLCL",
}
