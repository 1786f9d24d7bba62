"""The topic catalogue: one producer per topic, named `eiso.<service>.<stream>`."""

from enum import StrEnum

DLQ_SUFFIX = ".dlq"


class Topic(StrEnum):
    """Every topic eiso reads or writes. Each has exactly one writer (see `contracts.catalogue`)."""

    INBOUND_RECORDS = "eiso.inbound.records"
    REGISTRY_AGENCIES = "eiso.registry.agencies"
    REGISTRY_RECORDS = "eiso.registry.records"
    COMPLIANCE_STATUS = "eiso.compliance.status"
    COMPLIANCE_INSPECTIONS = "eiso.compliance.inspections"
    TRAINING_SESSIONS = "eiso.training.sessions"
    NOTIFIER_DELIVERIES = "eiso.notifier.deliveries"


def dlq(topic: str) -> str:
    """The dead-letter topic of `topic`: where its consumers put what they can never process."""
    return f"{topic}{DLQ_SUFFIX}"


def all_topic_names() -> list[str]:
    """Every topic and its dead-letter topic, in catalogue order (what a fresh cluster must have)."""
    return [name for topic in Topic for name in (topic.value, dlq(topic.value))]
