"""The topic catalogue: one producer per topic, named `eiso.<service>.<stream>`, and how long each
keeps its records (decided here, once, with the reason; `services.common.kafka.ensure_topics` applies
it to the cluster)."""

import re
from dataclasses import dataclass
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
    IDENTITY_CREDENTIALS = "eiso.identity.credentials"
    IDENTITY_AUDIT = "eiso.identity.audit"
    REGISTRY_AUDIT = "eiso.registry.audit"
    COMPLIANCE_AUDIT = "eiso.compliance.audit"
    TRAINING_AUDIT = "eiso.training.audit"
    NOTIFIER_AUDIT = "eiso.notifier.audit"


#: Each service's own audit topic, by service name.
AUDIT_TOPICS = {
    "identity": Topic.IDENTITY_AUDIT,
    "registry": Topic.REGISTRY_AUDIT,
    "compliance": Topic.COMPLIANCE_AUDIT,
    "training": Topic.TRAINING_AUDIT,
    "notifier": Topic.NOTIFIER_AUDIT,
}


#: A system's own inbound topic is `eiso.inbound.records.<system id>`: the secure broker lets the
#: system's SCRAM principal write there and nowhere else, so the topic says who published.
SYSTEM_TOPIC_PREFIX = f"{Topic.INBOUND_RECORDS.value}."
#: Every inbound topic, the shared one and each system's (a Python regex, as aiokafka matches it); not
#: the shared dead-letter topic, whose name would otherwise read as the topic of a system "dlq".
INBOUND_PATTERN = r"^eiso\.inbound\.records(\.(?!dlq$)[a-z0-9][a-z0-9.\-]*)?$"


def system_topic(system_id: str) -> str:
    """The inbound topic only `system_id` may write to on the secure broker."""
    return f"{SYSTEM_TOPIC_PREFIX}{system_id}"


def system_of(topic: str) -> str | None:
    """The system whose own inbound topic `topic` is, or None for any other topic."""
    if topic.startswith(SYSTEM_TOPIC_PREFIX) and re.fullmatch(INBOUND_PATTERN, topic):
        return topic.removeprefix(SYSTEM_TOPIC_PREFIX)
    return None


def catalogued(topic: str) -> Topic:
    """The catalogue topic `topic` is, or is an instance of (a system's inbound topic carries what the
    shared one carries). ValueError for a name outside the catalogue."""
    return Topic.INBOUND_RECORDS if system_of(topic) else Topic(topic)


def dlq(topic: str) -> str:
    """The dead-letter topic of `topic`: where its consumers put what they can never process. Every
    system's inbound topic shares the inbound one's (each dead letter names its original topic)."""
    return f"{catalogued(topic).value if system_of(topic) else topic}{DLQ_SUFFIX}"


def all_topic_names() -> list[str]:
    """Every topic and its dead-letter topic, in catalogue order (what a fresh cluster must have)."""
    return [name for topic in Topic for name in (topic.value, dlq(topic.value))]


class Retention(StrEnum):
    """How long a topic keeps its records. The broker's default (7 days) suits none of them."""

    #: `retention.ms=-1`, `retention.bytes=-1`: every rebuild reads the topic from its first event.
    FOREVER = "forever"
    #: `EISO_TOPIC_INBOUND_RETENTION_DAYS`: needed only until its one reader has stored it.
    BUFFER = "buffer"
    #: `EISO_TOPIC_DEAD_LETTER_RETENTION_DAYS`: kept for operators to inspect and re-publish.
    DEAD_LETTERS = "dead-letters"


@dataclass(frozen=True)
class Kept:
    retention: Retention
    why: str


#: None of the topics is compacted (`cleanup.policy=delete` everywhere). Compaction keeps only the
#: last record of each key, which is right when every record is a full snapshot of its entity; here a
#: record is an *event*, keyed by agency code: an agency's history is the sequence of its events
#: (registered, updated, renamed, merged, split, dissolved — each version effective-dated), its scores
#: count every record event of every year, and a merge makes the successor count its predecessors'
#: records. A compacted topic would leave each agency its last event: the history and the evidence gone.
RETENTION: dict[Topic, Kept] = {
    Topic.INBOUND_RECORDS: Kept(
        Retention.BUFFER,
        "Read only by the registry, which stores every event it accepts (and republishes it on "
        "eiso.registry.records) or dead-letters it. The registry is the source of record and is never "
        "replayed, so an inbound event is needed only until the registry has read it; the margin covers "
        "a registry stopped for a long holiday.",
    ),
    Topic.REGISTRY_AGENCIES: Kept(
        Retention.FOREVER,
        "Every service's copy of the agencies is built from it, and a rebuild (eiso replay, a new "
        "consumer group) reads it from its first event: an agency registered years ago must still be "
        "there, with every version, rename, merge and split that made its history.",
    ),
    Topic.REGISTRY_RECORDS: Kept(
        Retention.FOREVER,
        "Scores are a function of every record event (each version of each element, every year, and "
        "the predecessors' records after a merge); compliance and the notifier rebuild from it.",
    ),
    Topic.COMPLIANCE_STATUS: Kept(
        Retention.FOREVER,
        "Training and the notifier keep from it which agencies lag and which are compliant (who is "
        "invited to training, which ladders run); a rebuilt reader needs every finding, of every year.",
    ),
    Topic.COMPLIANCE_INSPECTIONS: Kept(
        Retention.FOREVER,
        "The inspection plan is entered through compliance's API and this topic is its only copy "
        "outside compliance's database: compliance rebuilds the plan from it, the notifier reads it.",
    ),
    Topic.TRAINING_SESSIONS: Kept(
        Retention.FOREVER,
        "Compliance's training rule counts the completions of past years and its board shows the "
        "sessions; both are rebuilt from it.",
    ),
    Topic.NOTIFIER_DELIVERIES: Kept(
        Retention.FOREVER,
        "The outcome of every message, by request id: what the notifier reads back so that nothing is "
        "sent twice, and what compliance's board rebuilds its reminder figures from.",
    ),
    Topic.IDENTITY_CREDENTIALS: Kept(
        Retention.FOREVER,
        "Every service checks callers against its replica of the credentials, built from this topic: "
        "a rebuilt or new service must read every key ever issued, and every revocation, from the "
        "first event (a key issued years ago is still valid until revoked).",
    ),
    **{
        topic: Kept(
            Retention.FOREVER,
            f"The audit trail of the {service} service: who changed what, when, from where. It is "
            "kept as long as the province keeps its records of the programme (forever here), and the "
            "identity service's trail is rebuilt from it.",
        )
        for service, topic in AUDIT_TOPICS.items()
    },
}

DEAD_LETTERS = Kept(
    Retention.DEAD_LETTERS,
    "Events a consumer could never process, unchanged, with the reason in their headers: operators "
    "inspect them, fix the cause and publish them again. That takes weeks, not days (a quarter by "
    "default); nothing rebuilds from them.",
)


def retention_of(name: str) -> Kept:
    """How long topic `name` (a catalogue topic or its `.dlq`) keeps its records, and why."""
    if name.endswith(DLQ_SUFFIX) and name.removesuffix(DLQ_SUFFIX) in set(Topic):
        return DEAD_LETTERS
    return RETENTION[catalogued(name)]


def kept_forever() -> list[str]:
    """The event-sourced topics: what a rebuild reads from the first event."""
    return [topic.value for topic, kept in RETENTION.items() if kept.retention == Retention.FOREVER]
