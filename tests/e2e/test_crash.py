"""`kill -9` of compliance in the middle of a stream of 1,000 events, then a restart: every event's
effect is applied exactly once and none is lost."""

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contracts import Topic
from services.common.db import create_engine
from services.common.outbox_inbox import inbox
from services.compliance.scoring.tables import evidence, scores
from tests.e2e.stack import running
from tests.factories import objective_updated, unique_code
from tests.kafka_tools import eventually, produce

pytestmark = pytest.mark.e2e

EVENTS = 1000
AGENCIES = 10


async def test_kill_9_mid_stream_then_restart_applies_every_event_exactly_once(
    kafka: str, database_url: Callable[[str], str], tmp_path: Path
) -> None:
    codes = [unique_code("CRASH") for _ in range(AGENCIES)]
    stream = [objective_updated(codes[i % AGENCIES], version=i // AGENCIES + 1) for i in range(EVENTS)]
    ids = {str(e.id) for e in stream}
    # Small batches make many commits, so the kill lands between and inside them. The stream goes out
    # once the service is up (and takes the operator key), so that it is read while the test looks.
    with running(kafka, database_url, tmp_path, names=("compliance",), consumer_batch_max="25") as stack:
        await produce(kafka, Topic.REGISTRY_RECORDS, [(e.subject, e) for e in stream])

        def applied() -> int:
            total = 0
            with stack.client("compliance") as api:
                for code in codes:
                    response = api.get(f"/agencies/{code}/compliance", params={"year": 2022})
                    assert response.status_code in (200, 404), response.text
                    total += response.json()["events_applied"] if response.status_code == 200 else 0
            return total

        at_kill = await eventually(lambda: (n := applied()) >= 100 and n, timeout=120, what="a part applied")
        stack.processes["compliance"].kill()
        assert isinstance(at_kill, int) and at_kill < EVENTS, (
            "the stream must still be running when the service is killed"
        )

        stack.restart("compliance")
        await eventually(lambda: applied() == EVENTS, timeout=180, what="all events applied after restart")

        engine = create_engine(stack.databases["compliance"])
        try:
            async with engine.connect() as db:
                effects = await db.scalar(
                    select(func.sum(scores.c.events_applied)).where(scores.c.agency_code.in_(codes))
                )
                evidence_ids = set(
                    (
                        await db.execute(select(evidence.c.event_id).where(evidence.c.agency_code.in_(codes)))
                    ).scalars()
                )
                remembered = await db.scalar(
                    select(func.count()).where(inbox.c.consumer == "compliance", inbox.c.event_id.in_(ids))
                )
        finally:
            await engine.dispose()
        assert effects == EVENTS, "each event's effect counted once: none lost, none doubled"
        assert evidence_ids == ids
        assert remembered == EVENTS
