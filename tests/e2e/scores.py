"""Agencies registered through the registry's API with records, and their scores read back from
compliance: what the rebuild tests compare before and after."""

from typing import Any

from contracts import Topic
from tests.e2e.stack import Stack

#: What compliance consumes to score (its own inspections topic restores the plan).
CONSUMED = [Topic.REGISTRY_AGENCIES.value, Topic.REGISTRY_RECORDS.value, Topic.COMPLIANCE_INSPECTIONS.value]

ELEMENTS = (
    "quality_policy",
    "context",
    "quality_objectives",
    "internal_audit",
    "management_review",
    "improvement",
)


def record(on: str, title: str = "Hồ sơ") -> dict[str, Any]:
    return {"year": 2022, "occurred_on": on, "document_ref": "QĐ-1", "title": title, "submitted_by": "Thư ký"}


def register(stack: Stack, code: str, level: str = "commune", **extra: Any) -> None:
    """An agency not on e-ISO software, so the order agency and record events arrive in cannot matter."""
    body = {"code": code, "name": f"UBND xã {code}", "level": level, "valid_from": "2020-01-01", **extra}
    response = stack.client("registry").post("/agencies", json=body)
    assert response.status_code == 201, response.text


def register_with_records(stack: Stack, codes: list[str]) -> dict[str, int]:
    """Register `codes`, the i-th with i + 2 records of 2022; how many record events each has."""
    registry = stack.client("registry")
    applied = {}
    for i, code in enumerate(codes):
        register(stack, code)
        for element in ELEMENTS[: i + 2]:
            response = registry.put(f"/agencies/{code}/records/{element}", json=record(f"2022-05-0{i + 1}"))
            assert response.status_code == 201, response.text
        applied[code] = i + 2
    return applied


def settled(stack: Stack, applied: dict[str, int]) -> dict[str, Any] | None:
    """The scores of `applied`'s agencies once each has applied that many record events."""
    with stack.client("compliance") as api:
        bodies = {c: api.get(f"/agencies/{c}/compliance", params={"year": 2022}).json() for c in applied}
    if any(bodies[c].get("events_applied") != n for c, n in applied.items()):
        return None
    return {c: {k: b[k] for k in ("score", "status", "breakdown")} for c, b in bodies.items()}
