"""Scores are a pure function of the events: a compliance rebuilt from the topics (fresh database, fresh
consumer group) gives the same scores and report and publishes no event id consumers have not seen.
And a merge in the middle of a year: the successor counts its predecessors' records, once."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from contracts import Topic
from services.common.db import create_engine
from services.common.outbox_inbox import outbox
from tests.e2e.scores import CONSUMED, ELEMENTS, record, register, register_with_records, settled
from tests.e2e.stack import Stack, running
from tests.factories import unique_code
from tests.kafka_tools import caught_up, eventually, read_until

pytestmark = pytest.mark.e2e


async def drained(stack: Stack) -> bool:
    engine = create_engine(stack.databases["compliance"])
    try:
        async with engine.connect() as db:
            return not await db.scalar(select(func.count()).where(outbox.c.sent_at.is_(None)))
    finally:
        await engine.dispose()


async def sent_for(stack: Stack, codes: list[str], topic: Topic = Topic.COMPLIANCE_STATUS) -> int:
    """How many events this compliance has published on `topic` for `codes` (its outbox, drained)."""
    engine = create_engine(stack.databases["compliance"])
    try:
        async with engine.connect() as db:
            where = (outbox.c.topic == topic, outbox.c.key.in_(codes))
            return int(await db.scalar(select(func.count()).where(*where)) or 0)
    finally:
        await engine.dispose()


def make_plan(stack: Stack) -> list[dict[str, Any]]:
    """A 2023 inspection plan with one inspection moved (revision 2): what a rebuild must restore.
    (2023: every compliance of the run reads the shared inspections topic, and test_inspections plans
    2022; a year has one plan.)"""
    api = stack.client("compliance")
    body = {"year": 2023, "inspectors": ["Bà Lan"], "as_of": "2023-05-20", "target": 3}
    made = api.post("/inspection-plans", json=body)
    assert made.status_code == 201, made.text
    first = made.json()["inspections"][0]
    assert (
        api.patch(f"/inspections/{first['inspection_id']}", json={"mode": "documentary"}).status_code == 200
    )
    return list(api.get("/inspection-plans/2023").json()["inspections"])


def progress(stack: Stack) -> Any:
    params: dict[str, Any] = {"year": 2022, "as_of": "2022-12-31"}
    return stack.client("compliance").get("/reports/progress", params=params).json()


async def test_a_rebuilt_compliance_gives_the_same_scores_and_no_new_event_ids(
    kafka: str, database_url: Callable[[str], str], tmp_path: Path
) -> None:
    codes = [unique_code("RP") for _ in range(4)]
    with running(kafka, database_url, tmp_path / "a") as first:
        registry = first.client("registry")
        applied = register_with_records(first, codes)
        assert (
            registry.put(
                f"/agencies/{codes[0]}/records/context", json=record("2022-06-01", "Sửa")
            ).status_code
            == 201
        )
        applied[codes[0]] += 1
        expected = await eventually(
            lambda: settled(first, applied), what="first compliance scored everything"
        )
        plan = make_plan(first)
        await eventually(lambda: drained(first), what="first outbox drained")
        await eventually(
            lambda: caught_up(kafka, first.group_of("compliance"), CONSUMED),
            what="first compliance caught up",
        )
        report = progress(first)
        count = await sent_for(first, codes)
        published = await read_until(
            kafka,
            Topic.COMPLIANCE_STATUS,
            lambda kept: len(kept) >= count,
            keep=lambda r: r.key.decode() in codes,
        )

    with running(kafka, database_url, tmp_path / "b", names=("compliance",)) as rebuilt:
        await eventually(
            lambda: caught_up(kafka, rebuilt.group_of("compliance"), CONSUMED),
            timeout=120,
            what="replay done",
        )
        assert settled(rebuilt, applied) == expected
        assert progress(rebuilt) == report
        restored = rebuilt.client("compliance").get("/inspection-plans/2023").json()["inspections"]
        by_id = {i["inspection_id"]: i for i in restored}
        assert [by_id.get(i["inspection_id"]) for i in plan] == plan, "the plan restored from its topic"
        inspected = [i["agency_code"] for i in plan]
        assert await sent_for(rebuilt, inspected, Topic.COMPLIANCE_INSPECTIONS) == 0, "nothing re-sent"
        await eventually(lambda: drained(rebuilt), what="rebuilt outbox drained")
        total = count + await sent_for(rebuilt, codes)
        assert total > count, "the rebuild published its events again"
        republished = await read_until(
            kafka,
            Topic.COMPLIANCE_STATUS,
            lambda kept: len(kept) >= total,
            keep=lambda r: r.key.decode() in codes,
        )
    ids = {json.loads(r.value)["id"] for r in published}
    assert {json.loads(r.value)["id"] for r in republished} == ids, "only ids consumers already hold"


async def test_a_merge_mid_year_counts_the_predecessors_records_once_under_the_successor(
    stack: Stack,
) -> None:
    registry = stack.client("registry")
    district, east, west, merged = (unique_code(p) for p in ("D", "E", "W", "M"))
    register(stack, district, "district")
    register(stack, east, parent_code=district)
    register(stack, west, parent_code=district)
    for element in ELEMENTS[:3]:
        assert (
            registry.put(f"/agencies/{east}/records/{element}", json=record("2022-03-01")).status_code == 201
        )
    for element in ELEMENTS[3:5]:
        assert (
            registry.put(f"/agencies/{west}/records/{element}", json=record("2022-04-01")).status_code == 201
        )
    body = {
        "sources": [east, west],
        "new": {"code": merged, "name": f"UBND xã {merged}", "level": "commune", "parent_code": district},
        "effective_on": "2022-07-01",
    }
    assert registry.post("/agencies:merge", json=body).status_code == 200
    assert (
        registry.put(f"/agencies/{merged}/records/improvement", json=record("2022-09-01")).status_code == 201
    )

    async def successor() -> Any:
        with stack.client("compliance") as api:
            body = api.get(f"/agencies/{merged}/compliance", params={"year": 2022}).json()
        return body if body.get("status") == "updated" else None

    scored: Any = await eventually(successor, what="the successor updated with its predecessors' records")
    met = {r["rule_id"] for r in scored["breakdown"] if r["met"]}
    assert {"R02", "R04", "R05", "R06"} <= met
    before = progress_on(stack, "2022-06-30")["levels"]["commune"]
    after = progress_on(stack, "2022-12-31")["levels"]["commune"]
    lagging_before = {n["code"] for n in before["not_updated"]}
    lagging_after = {n["code"] for n in after["not_updated"]}
    assert {east, west} <= lagging_before and merged not in lagging_before
    assert not {east, west, merged} & lagging_after, "the successor counts once, as updated"
    assert after["total"] == before["total"] - 1, "two communes became one"


def progress_on(stack: Stack, day: str) -> Any:
    return stack.client("compliance").get("/reports/progress", params={"year": 2022, "as_of": day}).json()
