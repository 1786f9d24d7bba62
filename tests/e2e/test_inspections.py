"""The inspection plan as DOST uses it: chosen by risk with reasons, swapped, moved without double
booking, results recorded, published on `eiso.compliance.inspections` and counted in the annual
report — services as processes on the real broker."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from contracts import Topic
from contracts.vocabulary import UPDATE_ELEMENTS
from tests.e2e.stack import Stack, running
from tests.factories import unique_code
from tests.kafka_tools import eventually, read_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with running(kafka, database_url, tmp_path_factory.mktemp("logs")) as stack:
        yield stack


def register(stack: Stack, code: str, name: str) -> None:
    body = {"code": code, "name": name, "level": "department", "valid_from": "2020-01-01"}
    assert stack.client("registry").post("/agencies", json=body).status_code == 201


def put_records(stack: Stack, code: str, elements: int) -> None:
    for element in UPDATE_ELEMENTS[:elements]:
        body = {
            "year": 2022,
            "occurred_on": "2022-03-10",
            "document_ref": "QĐ-1",
            "title": "Hồ sơ",
            "submitted_by": "Thư ký",
        }
        response = stack.client("registry").put(f"/agencies/{code}/records/{element.value}", json=body)
        assert response.status_code == 201


def events_of(records: list[Any]) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in records]


@pytest.fixture(scope="module")
async def planned(stack: Stack) -> dict[str, Any]:
    """Three agencies (none, three and six elements recorded), a 2022 plan made as of 20 May, and a
    fourth agency registered after it."""
    compliance = stack.client("compliance")
    codes = {p: unique_code(p.upper()) for p in ("behind", "halfway", "done", "spare")}
    for role in ("behind", "halfway", "done"):
        register(stack, codes[role], f"Sở {role}")
    put_records(stack, codes["halfway"], 3)
    put_records(stack, codes["done"], 6)
    await eventually(
        lambda: (
            compliance.get(f"/agencies/{codes['done']}/compliance", params={"year": 2022})
            .json()
            .get("status")
            == "updated"
        ),
        what="compliance has seen every record",
    )
    await eventually(
        lambda: compliance.get(f"/agencies/{codes['behind']}/compliance").status_code == 200,
        what="agencies known",
    )
    body = {"year": 2022, "inspectors": ["Bà Lan", "Ông Minh"], "as_of": "2022-05-20", "target": 500}
    made = compliance.post("/inspection-plans", json=body)
    assert made.status_code == 201, made.text
    assert compliance.post("/inspection-plans", json=body).status_code == 409, "one plan a year"
    register(stack, codes["spare"], "Sở Dự phòng")
    await eventually(
        lambda: compliance.get(f"/agencies/{codes['spare']}/compliance").status_code == 200,
        what="the spare agency known",
    )
    return codes | {"plan": {i["agency_code"]: i for i in made.json()["inspections"]}}


def test_agencies_are_chosen_by_risk_with_reasons_and_scheduled_in_the_window(
    planned: dict[str, Any],
) -> None:
    plan = planned["plan"]
    behind, halfway, done = (plan[planned[k]] for k in ("behind", "halfway", "done"))
    assert behind["risk"] > halfway["risk"] > done["risk"]
    assert "Điểm tuân thủ năm 2022 thấp: 0%" in behind["reasons"]
    assert "Chưa có lần kiểm tra nào được ghi nhận" in behind["reasons"]
    days = [(i["inspector"], i["scheduled_on"]) for i in plan.values()]
    assert len(days) == len(set(days)), "an inspector is booked once a day"
    assert all("2022-06-01" <= day <= "2022-10-31" for _, day in days)
    assert planned["spare"] not in plan


async def test_an_operator_swaps_an_agency_and_the_removed_one_is_cancelled(
    stack: Stack, planned: dict[str, Any]
) -> None:
    compliance = stack.client("compliance")
    done, halfway, spare = planned["done"], planned["halfway"], planned["spare"]
    clash = compliance.post(
        "/inspection-plans/2022/swaps", json={"remove": done, "add": halfway, "reason": "x"}
    )
    assert clash.status_code == 409 and clash.json()["detail"][0]["loc"] == ["body", "add"]
    unknown = {"remove": done, "add": unique_code("NOPE"), "reason": "x"}
    assert compliance.post("/inspection-plans/2022/swaps", json=unknown).status_code == 422
    why = "Sở đã được kiểm tra đột xuất"
    swapped = compliance.post(
        "/inspection-plans/2022/swaps", json={"remove": done, "add": spare, "reason": why}
    )
    assert swapped.status_code == 200, swapped.text
    now = {i["agency_code"]: i for i in swapped.json()["inspections"] if i["status"] != "cancelled"}
    assert done not in now
    assert now[spare]["reasons"][0] == f"Cán bộ chọn thay cho {done}: {why}"
    freed = planned["plan"][done]
    assert (now[spare]["inspector"], now[spare]["scheduled_on"]) == (
        freed["inspector"],
        freed["scheduled_on"],
    )
    cancelled = events_of(
        await read_until(
            stack.kafka,
            Topic.COMPLIANCE_INSPECTIONS,
            lambda kept: any(b"inspection-cancelled" in r.value for r in kept),
            keep=lambda r: r.key == done.encode(),
        )
    )
    assert cancelled[-1]["data"]["note"] == f"Thay bằng {spare}: {why}"


async def test_an_inspection_is_moved_without_double_booking_then_its_results_recorded(
    stack: Stack, planned: dict[str, Any]
) -> None:
    compliance = stack.client("compliance")
    behind = planned["behind"]
    target = planned["plan"][behind]
    other = next(i for i in planned["plan"].values() if i["inspector"] != target["inspector"])
    path = f"/inspections/{target['inspection_id']}"
    clash = compliance.patch(
        path, json={"inspector": other["inspector"], "scheduled_on": other["scheduled_on"]}
    )
    assert clash.status_code == 409 and clash.json()["detail"][0]["loc"] == ["body", "inspector"]
    outside = compliance.patch(path, json={"scheduled_on": "2022-11-02"})
    assert outside.status_code == 422 and outside.json()["detail"][0]["loc"] == ["body", "scheduled_on"]
    holiday = compliance.patch(path, json={"scheduled_on": "2022-09-02"})
    assert holiday.status_code == 422 and holiday.json()["detail"][0] == {
        "loc": ["body", "scheduled_on"],
        "msg": "ngày 02/09/2022 là ngày nghỉ (Quốc khánh)",
        "type": "value_error",
    }
    moved = compliance.patch(path, json={"mode": "documentary"})
    assert moved.status_code == 200 and moved.json()["revision"] == 2

    result: dict[str, Any] = {
        "held_on": target["scheduled_on"],
        "findings": [{"description": "Chưa đánh giá nội bộ", "severity": "major", "clause": "9.2"}],
        "corrective_actions": [{"description": "Tổ chức đánh giá", "due_on": "2022-01-01", "finding": 0}],
    }
    early = compliance.post(f"{path}/results", json=result)
    assert early.status_code == 422
    assert early.json()["detail"][0]["loc"] == ["body", "corrective_actions", 0, "due_on"]
    result["corrective_actions"][0]["due_on"] = "2022-12-15"
    completed = compliance.post(f"{path}/results", json=result)
    assert completed.status_code == 200 and completed.json()["status"] == "completed"
    assert compliance.post(f"{path}/results", json=result).status_code == 409, "results are recorded once"

    published = events_of(
        await read_until(
            stack.kafka,
            Topic.COMPLIANCE_INSPECTIONS,
            lambda kept: any(b"inspection-completed" in r.value for r in kept),
            keep=lambda r: r.key == behind.encode(),
        )
    )
    assert [(e["type"], e["data"]["revision"]) for e in published] == [
        ("inspection-scheduled", 1),
        ("inspection-scheduled", 2),
        ("inspection-completed", 3),
    ]
    assert published[-1]["data"]["corrective_actions"][0]["due_on"] == "2022-12-15"

    key = stack.issue_key("agency", behind)["key"]
    own = stack.client("compliance", key).get(f"/agencies/{behind}/inspections", params={"year": 2022})
    assert [i["status"] for i in own.json()] == ["completed"]
    other_agency = stack.client("compliance", key).get(
        f"/agencies/{planned['halfway']}/inspections", params={"year": 2022}
    )
    assert other_agency.status_code == 404
    annual = compliance.get("/reports/annual", params={"year": 2022, "as_of": "2022-12-31"}).text
    assert "đã kiểm tra: 1 (tại chỗ: 0, qua hồ sơ: 1)" in annual
    assert "1 điểm không phù hợp nặng" in annual
