"""The log keeps what the design rebuilds from. On a broker that deletes, by default, whatever is older
than a few seconds (as every broker does after 7 days), a compliance rebuilt from the topics long
after the agencies were registered still knows every one of them and their records; and a service
starting on topics made with the broker's 7 days brings them to the catalogue's retention."""

import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from contracts.topics import Retention, Topic, all_topic_names, kept_forever, retention_of
from eiso_cli.kafka import lost_events
from eiso_cli.processes import ROOT
from tests.brokers import broker_of_its_own
from tests.conftest import KAFKA_PORT
from tests.e2e.scores import register, register_with_records, settled
from tests.e2e.stack import eiso, free_ports, running
from tests.factories import unique_code
from tests.kafka_tools import eventually, produce

pytestmark = pytest.mark.e2e

SHORT_PORT = int(os.environ.get("EISO_TEST_SHORT_KAFKA_PORT", str(KAFKA_PORT + 100)))
#: The broker's defaults for a topic with no retention of its own: records older than 4 s go, looked
#: for every half second, in segments rolled every second and removed at once.
SHORT_DEFAULTS = {
    "log.retention.ms": "4000",
    "log.retention.check.interval.ms": "500",
    "log.roll.ms": "1000",
    "log.segment.delete.delay.ms": "0",
    "log.initial.task.delay.ms": "0",
}
SEVEN_DAYS_MS = str(7 * 86_400_000)
DAY_MS = 86_400_000


@pytest.fixture(scope="module")
def short_kafka() -> Iterator[str]:
    """A second broker, started by deploy/kafka/kafka.sh with SHORT_DEFAULTS."""
    state = ROOT / ".cache" / f"kafka-test-short-{SHORT_PORT}"
    with broker_of_its_own("short-retention broker", SHORT_PORT, state, properties=SHORT_DEFAULTS) as found:
        yield found


async def first_offset(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        return sum((await consumer.beginning_offsets([TopicPartition(topic, 0)])).values())
    finally:
        await consumer.stop()


async def topic_configs(bootstrap: str, names: list[str]) -> dict[str, dict[str, str]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
        described = [
            r for resp in await admin.describe_configs(resources) for r in resp.to_object()["resources"]
        ]
    finally:
        await admin.close()
    return {
        r["resource_name"]: {e["config_names"]: e["config_value"] for e in r["config_entries"]}
        for r in described
    }


async def test_a_rebuild_after_the_broker_deleted_old_segments_still_knows_every_agency(
    short_kafka: str, database_url: Callable[[str], str], tmp_path: Path
) -> None:
    codes = [unique_code("KEEP") for _ in range(4)]
    lost_before = await lost_events(short_kafka, kept_forever())  # another test of the module makes some
    with running(short_kafka, database_url, tmp_path / "first") as first:
        applied = register_with_records(first, codes)
        scores = await eventually(
            lambda: settled(first, applied), what="the first compliance scored every agency"
        )

    # A topic left at the broker's default, written after every agency event: once its record is
    # gone, anything older at that retention is gone too.
    probe = f"probe-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=short_kafka)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(probe, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    await produce(short_kafka, probe, [("k", b"written after the agencies")])

    async def probe_deleted() -> bool:
        return await first_offset(short_kafka, probe) > 0

    await eventually(
        probe_deleted, timeout=60, what="the broker deleting a default-retention topic's segments"
    )

    with running(short_kafka, database_url, tmp_path / "rebuilt", names=("compliance",)) as rebuilt:
        again = await eventually(
            lambda: settled(rebuilt, applied),
            timeout=90,
            what="the rebuilt compliance knowing every agency, with every record",
        )
        assert again == scores
    assert await lost_events(short_kafka, kept_forever()) == lost_before, (
        "the event-sourced topics lost nothing"
    )


async def test_a_service_brings_topics_made_with_seven_days_to_the_catalogue_retention(
    short_kafka: str, database_url: Callable[[str], str], tmp_path: Path
) -> None:
    """Every deployment made before retention was decided has its topics at the broker's 7 days; an
    operator's own override on a topic (here max.message.bytes) is kept."""
    old = {"retention.ms": SEVEN_DAYS_MS, "max.message.bytes": "2000000"}
    admin = AIOKafkaAdminClient(bootstrap_servers=short_kafka)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in all_topic_names() if n not in existing]
        if missing:
            await admin.create_topics([NewTopic(n, 3, 1, topic_configs=old) for n in missing])
        present = [n for n in all_topic_names() if n in existing]
        if present:
            await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, n, old) for n in present])
    finally:
        await admin.close()
    before = await topic_configs(short_kafka, all_topic_names())
    assert {c["retention.ms"] for c in before.values()} == {SEVEN_DAYS_MS}

    with running(short_kafka, database_url, tmp_path, names=("registry",)):
        after = await topic_configs(short_kafka, all_topic_names())

    expected = {
        Retention.FOREVER: "-1",
        Retention.BUFFER: str(30 * DAY_MS),
        Retention.DEAD_LETTERS: str(90 * DAY_MS),
    }
    for name, configs in after.items():
        assert configs["retention.ms"] == expected[retention_of(name).retention], name
        assert configs["retention.bytes"] == "-1" and configs["cleanup.policy"] == "delete", name
        assert configs["max.message.bytes"] == "2000000", f"{name}: the operator's override is kept"
    assert after[Topic.REGISTRY_AGENCIES]["retention.ms"] == "-1"
    # Whichever service starts first brings a topic to its retention, and says so.
    logs = [(tmp_path / f"{name}.log").read_text().splitlines() for name in ("identity", "registry")]
    logged = [json.loads(line) for lines in logs for line in lines]
    changed = {e["topic"]: e["changes"] for e in logged if e.get("event") == "topic configs changed"}
    assert set(changed) == set(all_topic_names()), "each change is logged"
    agencies: Any = changed[Topic.REGISTRY_AGENCIES]
    assert agencies == {"retention.ms": {"from": SEVEN_DAYS_MS, "to": "-1"}}


async def test_eiso_replay_refuses_when_a_topic_it_reads_has_lost_its_first_events(
    short_kafka: str, database_url: Callable[[str], str], tmp_path: Path
) -> None:
    """As on a deployment that ran longer than the broker's 7 days before retention was decided: its
    topics are kept forever from now on, but what the broker deleted is gone."""
    with running(short_kafka, database_url, tmp_path / "before", names=("registry",)) as stack:
        register(stack, unique_code("GONE"))
    admin = AIOKafkaAdminClient(bootstrap_servers=short_kafka)
    await admin.start()
    try:
        agencies = ConfigResource(ConfigResourceType.TOPIC, Topic.REGISTRY_AGENCIES, {"retention.ms": "1000"})
        await admin.alter_configs([agencies])
    finally:
        await admin.close()
    lost: Any = await eventually(
        lambda: lost_events(short_kafka, [Topic.REGISTRY_AGENCIES]), what="the broker deleting agency events"
    )

    (port,) = free_ports(1)
    env = {
        **os.environ,
        "EISO_KAFKA_PORT": str(SHORT_PORT),
        "EISO_RUN_DIR": str(tmp_path / "run"),
        "EISO_COMPLIANCE_HTTP_PORT": str(port),
        "EISO_COMPLIANCE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'compliance.db'}",
    }
    refused = eiso(env, "replay", "compliance")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    (line,) = refused.stderr.splitlines()
    assert re.fullmatch(
        r"eiso: error: eiso\.registry\.agencies has lost its first \d+ events \(deleted by the broker "
        r"under an earlier retention\): compliance rebuilt from it would miss them, so it is not replayed",
        line,
    ), line
    assert not (tmp_path / "run" / "compliance.group").exists(), "nothing touched"

    with running(short_kafka, database_url, tmp_path / "after", names=("registry",)):
        pass  # a service starting says so in its log
    logged = [json.loads(line) for line in (tmp_path / "after" / "registry.log").read_text().splitlines()]
    warned = [e for e in logged if e.get("event") == "topic has lost its first events"]
    assert [e["topic"] for e in warned] == [Topic.REGISTRY_AGENCIES]
    assert warned[0]["offsets"] >= lost[Topic.REGISTRY_AGENCIES]
