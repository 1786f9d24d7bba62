"""Words of the domain that several services and outside publishers share."""

from enum import StrEnum


class Level(StrEnum):
    """Administrative level of an agency (DESIGN.md §1)."""

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
