"""Compliance as the department uses it: explainable scores, the progress report, rules changed by
editing a file and restarting — services as processes on the real broker."""

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts import Topic
from contracts.vocabulary import UPDATE_ELEMENTS
from services.compliance.scoring.rules import RULES_DIR
from tests.e2e.stack import Stack, running
from tests.factories import ONE_RULE, unique_code
from tests.kafka_tools import eventually, read_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(RULES_DIR, folder)
    return folder


@pytest.fixture(scope="module")
def stack(
    kafka: str, database_url: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory, rules_dir: Path
) -> Iterator[Stack]:
    with running(kafka, database_url, tmp_path_factory.mktemp("logs"), rules_dir=str(rules_dir)) as stack:
        yield stack


def record(year: int = 2022, on: str = "2022-03-10") -> dict[str, Any]:
    return {
        "year": year,
        "occurred_on": on,
        "document_ref": "QĐ-1",
        "title": "Hồ sơ",
        "submitted_by": "Thư ký",
    }


def register(stack: Stack, code: str, name: str, level: str = "department") -> None:
    body = {"code": code, "name": name, "level": level, "valid_from": "2020-01-01"}
    assert stack.client("registry").post("/agencies", json=body).status_code == 201


def score(stack: Stack, code: str) -> dict[str, Any] | None:
    response = stack.client("compliance").get(f"/agencies/{code}/compliance", params={"year": 2022})
    return response.json() if response.status_code == 200 else None


async def test_the_progress_report_lists_who_is_not_updated_by_level(stack: Stack) -> None:
    done, behind = unique_code("DONE"), unique_code("BEHIND")
    register(stack, done, "Sở Hoàn Thành")
    register(stack, behind, "Sở Chậm Trễ")
    for element in UPDATE_ELEMENTS:
        assert (
            stack.client("registry")
            .put(f"/agencies/{done}/records/{element.value}", json=record())
            .status_code
            == 201
        )
    await eventually(
        lambda: (s := score(stack, done)) and s["status"] == "updated", what="all six elements seen"
    )
    await eventually(lambda: score(stack, behind), what="compliance knows the agency")

    report = (
        stack.client("compliance")
        .get("/reports/progress", params={"year": 2022, "as_of": "2022-12-31"})
        .json()
    )
    departments = report["levels"]["department"]
    lagging = {n["code"]: n["name"] for n in departments["not_updated"]}
    assert lagging.get(behind) == "Sở Chậm Trễ" and done not in lagging
    assert departments["total"] >= 2 and departments["updated"] >= 1
    assert "sở, ngành đã cập nhật" in report["text_vi"] and "Sở Chậm Trễ" in report["text_vi"]
    early = (
        stack.client("compliance")
        .get("/reports/progress", params={"year": 2022, "as_of": "2022-03-09"})
        .json()
    )
    assert done in {n["code"] for n in early["levels"]["department"]["not_updated"]}, (
        "records after as_of do not count"
    )

    annual = stack.client("compliance").get("/reports/annual", params={"year": 2022, "as_of": "2022-12-14"})
    assert annual.status_code == 200 and annual.headers["content-type"].startswith("text/markdown")
    assert "năm 2022" in annual.text and f"Sở Chậm Trễ ({behind})" in annual.text

    agency_key = stack.issue_key("agency", done)
    denied = stack.client("compliance", agency_key["key"]).get("/reports/progress", params={"year": 2022})
    assert denied.status_code == 403


async def test_editing_a_rule_file_and_restarting_rescores(stack: Stack, rules_dir: Path) -> None:
    code = unique_code("RULE")
    register(stack, code, "Sở Quy Tắc")
    assert (
        stack.client("registry")
        .put(f"/agencies/{code}/records/quality_objectives", json=record())
        .status_code
        == 201
    )
    before = await eventually(
        lambda: (s := score(stack, code)) and s["events_applied"] == 1 and s, what="scored"
    )
    assert before["score"] == ONE_RULE  # type: ignore[index]

    rules = rules_dir / "rules.yaml"
    rules.write_text(
        rules.read_text().replace(
            "  weight: 1\n  kind: element_in_year\n  params: {element: quality_objectives}",
            "  weight: 5\n  kind: element_in_year\n  params: {element: quality_objectives}",
        )
    )
    stack.processes["compliance"].stop()
    stack.restart("compliance")
    after = score(stack, code)
    assert after is not None and after["score"] == round(5 / 13, 4)
    assert next(r for r in after["breakdown"] if r["rule_id"] == "R02")["weight"] == 5
    changes = await read_until(
        stack.kafka,
        Topic.COMPLIANCE_STATUS,
        lambda kept: len(kept) == 2,
        keep=lambda r: r.key == code.encode() and b'"compliance-score-changed"' in r.value,
    )
    rescored = json.loads(changes[-1].value)
    assert (rescored["data"]["score"], rescored["data"]["previous_score"]) == (round(5 / 13, 4), ONE_RULE)
    assert "causationid" not in rescored, "caused by the new rules, not by an event"


async def test_evaluations_send_each_notice_once_and_close_a_caught_up_agency(stack: Stack) -> None:
    code = unique_code("EVAL")
    register(stack, code, "Sở Đánh Giá")
    registry, compliance = stack.client("registry"), stack.client("compliance")
    assert registry.put(f"/agencies/{code}/records/context", json=record()).status_code == 201
    await eventually(lambda: (s := score(stack, code)) and s["events_applied"] == 1, what="record scored")

    first = compliance.post("/evaluations", json={"on": "2022-09-30"})
    assert first.status_code == 200 and first.json()["notices"].get("deadline-approaching", 0) >= 1
    assert compliance.post("/evaluations", json={"on": "2022-09-30"}).json()["notices"] == {}, "nothing new"
    assert compliance.post("/evaluations", json={"on": "2022-10-31"}).status_code == 200

    for element in UPDATE_ELEMENTS:
        assert registry.put(
            f"/agencies/{code}/records/{element.value}", json=record(on="2022-11-05")
        ).status_code in (
            200,
            201,
        )
    await eventually(lambda: (s := score(stack, code)) and s["status"] == "updated", what="caught up")
    assert compliance.post("/evaluations", json={"on": "2022-11-06"}).status_code == 200

    def types(kept: list[Any]) -> list[str]:
        return [json.loads(r.value)["type"] for r in kept if b'"compliance-score-changed"' not in r.value]

    notices = await read_until(
        stack.kafka,
        Topic.COMPLIANCE_STATUS,
        lambda kept: "agency-compliant" in types(kept),
        keep=lambda r: r.key == code.encode(),
    )
    assert types(notices) == [
        "deadline-approaching",
        "audit-overdue",
        "review-overdue",
        "agency-lagging",
        "agency-compliant",
    ]
    reminder = next(json.loads(r.value)["data"] for r in notices if b"deadline-approaching" in r.value)
    assert (reminder["days_left"], len(reminder["missing"])) == (30, 5)
    agency_key = stack.issue_key("agency", code)["key"]
    assert stack.client("compliance", agency_key).post("/evaluations", json={}).status_code == 403
