"""Each topic's retention, decided once in the catalogue, and what `ensure_topics` makes of it for a
new topic and for one that exists with other settings (the broker's 7 days, another layout)."""

import re
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.topics import (
    AUDIT_TOPICS,
    DEAD_LETTERS,
    INBOUND_PATTERN,
    RETENTION,
    Retention,
    Topic,
    all_topic_names,
    dlq,
    kept_forever,
    retention_of,
    system_of,
    system_topic,
)
from services.common.kafka import TopicState, reconcile, topic_configs
from services.registry.settings import RegistrySettings

SEVEN_DAYS = str(7 * 86_400_000)
#: What every rebuild reads (checked against each consumer in services/*/app.py and handlers.py).
EVENT_SOURCED = {
    Topic.REGISTRY_AGENCIES,
    Topic.REGISTRY_RECORDS,
    Topic.COMPLIANCE_STATUS,
    Topic.COMPLIANCE_INSPECTIONS,
    Topic.TRAINING_SESSIONS,
    Topic.NOTIFIER_DELIVERIES,
    Topic.IDENTITY_CREDENTIALS,
    *AUDIT_TOPICS.values(),
}


def settings(**topic: int) -> RegistrySettings:
    """The registry's settings with EISO_TOPIC_<NAME> for each of `topic`."""
    values: dict[str, Any] = {f"EISO_TOPIC_{k.upper()}": v for k, v in topic.items()}
    return RegistrySettings(**values)


def existing(name: str, partitions: int = 3, replication: int = 1, **configs: str) -> TopicState:
    """A topic as a deployment made before retention was decided has it: the broker's defaults,
    but for `configs` (underscores for dots: retention_ms)."""
    current = {"retention.ms": SEVEN_DAYS, "retention.bytes": "-1", "cleanup.policy": "delete"}
    current |= {"min.insync.replicas": "1"} | {k.replace("_", "."): v for k, v in configs.items()}
    return TopicState(name, current, {}, partitions, replication)


def test_every_topic_has_its_retention_with_a_reason_and_the_event_sourced_ones_are_kept_forever() -> None:
    assert set(RETENTION) == set(Topic)
    assert all(len(kept.why) > 80 for kept in RETENTION.values()), "each decision says why"
    assert set(kept_forever()) == EVENT_SOURCED
    assert retention_of(Topic.INBOUND_RECORDS).retention == Retention.BUFFER
    assert {retention_of(dlq(t)) for t in Topic} == {DEAD_LETTERS}
    with pytest.raises(ValueError):
        retention_of("eiso.unknown.topic")


def test_new_topics_are_never_compacted_and_kept_as_the_catalogue_and_the_settings_say() -> None:
    configs = {name: topic_configs(name, settings()) for name in all_topic_names()}
    assert {c["cleanup.policy"] for c in configs.values()} == {"delete"}
    assert {c["retention.bytes"] for c in configs.values()} == {"-1"}
    assert {configs[t]["retention.ms"] for t in EVENT_SOURCED} == {"-1"}
    assert configs[Topic.INBOUND_RECORDS]["retention.ms"] == str(30 * 86_400_000)
    assert {configs[dlq(t)]["retention.ms"] for t in Topic} == {str(90 * 86_400_000)}
    longer = topic_configs(dlq(Topic.REGISTRY_RECORDS), settings(dead_letter_retention_days=180))
    assert longer["retention.ms"] == str(180 * 86_400_000)


def test_a_seven_day_topic_gets_its_retention_and_nothing_else_changes() -> None:
    changes, notes = reconcile(existing(Topic.REGISTRY_AGENCIES), settings())
    assert changes == {"retention.ms": (SEVEN_DAYS, "-1")}
    assert notes == []
    changes, _ = reconcile(existing(dlq(Topic.REGISTRY_AGENCIES)), settings())
    assert changes == {"retention.ms": (SEVEN_DAYS, str(90 * 86_400_000))}
    compacted = existing(Topic.REGISTRY_RECORDS, cleanup_policy="compact", retention_ms="-1")
    assert reconcile(compacted, settings())[0] == {"cleanup.policy": ("compact", "delete")}
    assert reconcile(existing(Topic.REGISTRY_RECORDS, retention_ms="-1"), settings()) == ({}, [])


def test_partitions_and_replicas_that_differ_are_said_not_changed() -> None:
    production = settings(replication_factor=3, min_insync_replicas=2)
    changes, notes = reconcile(existing(Topic.COMPLIANCE_STATUS, partitions=1, retention_ms="-1"), production)
    assert changes == {}, "min.insync.replicas 2 on a topic with one copy would refuse every write"
    assert notes[0].startswith("1 partition, EISO_TOPIC_PARTITIONS=3: left as they are")
    assert "replication factor 1, EISO_TOPIC_REPLICATION_FACTOR=3" in notes[1]
    assert notes[2] == "min.insync.replicas stays 1 until it has 2 replicas"
    reassigned = existing(Topic.COMPLIANCE_STATUS, replication=3, retention_ms="-1")
    assert reconcile(reassigned, production) == ({"min.insync.replicas": ("1", "2")}, [])


def test_more_in_sync_replicas_than_copies_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="EISO_TOPIC_MIN_INSYNC_REPLICAS=2 exceeds"):
        settings(min_insync_replicas=2)


def test_a_cluster_that_asks_more_in_sync_replicas_is_never_lowered_to_the_setting() -> None:
    """An upgraded production cluster (brokers at 2, the setting left at its default of 1) keeps 2:
    lowering it would leave acknowledged writes on one disk, silently."""
    upgraded = existing(Topic.REGISTRY_AGENCIES, replication=3, retention_ms="-1", min_insync_replicas="2")
    changes, notes = reconcile(upgraded, settings())
    assert changes == {}
    assert notes[-1] == (
        "min.insync.replicas stays 2, above EISO_TOPIC_MIN_INSYNC_REPLICAS=1: lowering it would keep "
        "acknowledged writes on fewer disks"
    )


@pytest.mark.parametrize(
    ("topic", "system"),
    [
        ("eiso.inbound.records.vn.travinh.eiso", "vn.travinh.eiso"),
        ("eiso.inbound.records.mot-cua", "mot-cua"),
        ("eiso.inbound.records", None),
        ("eiso.inbound.records.dlq", None),  # the shared dead letters, not a system called dlq
        ("eiso.inbound.records.Upper", None),  # no system id has capitals
        ("eiso.registry.records", None),
    ],
)
def test_a_system_s_own_inbound_topic_names_its_system(topic: str, system: str | None) -> None:
    assert system_of(topic) == system
    assert bool(re.fullmatch(INBOUND_PATTERN, topic)) == (
        system is not None or topic == "eiso.inbound.records"
    )


def test_a_system_s_topic_is_kept_and_dead_lettered_like_the_shared_inbound_topic() -> None:
    topic = system_topic("vn.travinh.eiso")
    assert system_of(topic) == "vn.travinh.eiso"
    assert retention_of(topic) == RETENTION[Topic.INBOUND_RECORDS]
    assert dlq(topic) == dlq(Topic.INBOUND_RECORDS), "one dead-letter topic, each letter naming its topic"
    assert topic_configs(topic, RegistrySettings()) == topic_configs(
        Topic.INBOUND_RECORDS, RegistrySettings()
    )
