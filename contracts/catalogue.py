"""Which events travel on which topic, and who writes it: the single source for parsing, schema
generation and the AsyncAPI document."""

import json
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter, ValidationError

from contracts.agencies import AGENCY_EVENTS
from contracts.audit import AUDIT_EVENTS
from contracts.compliance import STATUS_EVENTS
from contracts.deliveries import DELIVERY_EVENTS
from contracts.envelope import CloudEvent, EventError
from contracts.identity import CREDENTIAL_EVENTS
from contracts.inspections import INSPECTION_EVENTS
from contracts.records import RECORD_EVENTS
from contracts.topics import AUDIT_TOPICS, Topic, catalogued
from contracts.training import TRAINING_EVENTS


@dataclass(frozen=True)
class TopicSpec:
    topic: Topic
    writer: str
    description: str
    events: tuple[type[CloudEvent], ...] = field(default=())

    @cached_property
    def adapter(self) -> TypeAdapter[Any]:
        if len(self.events) == 1:
            return TypeAdapter(self.events[0])
        union = Union.__getitem__(self.events)
        return TypeAdapter(Annotated[union, Field(discriminator="type")])  # type: ignore[arg-type]


TOPICS: dict[Topic, TopicSpec] = {
    spec.topic: spec
    for spec in (
        TopicSpec(
            Topic.INBOUND_RECORDS,
            "outside systems (e-ISO software, one-stop-shop)",
            "QMS record events published by the provincial systems for the agencies they serve; "
            "the registry validates and republishes them.",
            RECORD_EVENTS,
        ),
        TopicSpec(
            Topic.REGISTRY_AGENCIES,
            "registry",
            "Agencies, their history and contacts. Key: agency code.",
            AGENCY_EVENTS,
        ),
        TopicSpec(
            Topic.REGISTRY_RECORDS,
            "registry",
            "Canonical QMS record events, one type per element. Key: agency code.",
            RECORD_EVENTS,
        ),
        TopicSpec(
            Topic.COMPLIANCE_STATUS,
            "compliance",
            "Scores with their breakdown, deadlines and overdue findings. Key: agency code.",
            STATUS_EVENTS,
        ),
        TopicSpec(
            Topic.COMPLIANCE_INSPECTIONS,
            "compliance",
            "The yearly inspection plan: inspections scheduled, cancelled and completed with findings "
            "and corrective actions. Key: agency code.",
            INSPECTION_EVENTS,
        ),
        TopicSpec(
            Topic.TRAINING_SESSIONS,
            "training",
            "Sessions (key: session id), enrolments, invitations and completions (key: agency code).",
            TRAINING_EVENTS,
        ),
        TopicSpec(
            Topic.NOTIFIER_DELIVERIES,
            "notifier",
            "Outcomes of SMS and e-mail messages (no phone or e-mail address). Key: agency code.",
            DELIVERY_EVENTS,
        ),
        TopicSpec(
            Topic.IDENTITY_CREDENTIALS,
            "identity",
            "API keys issued and revoked, people's accounts, the keys that sign session tokens and "
            "sign-ins ended early: what every service checks a caller against (digests and public "
            "keys, never a key, password or token). Key: the credential, account, signing key or "
            "sign-in id.",
            CREDENTIAL_EVENTS,
        ),
        *(
            TopicSpec(
                topic,
                service,
                f"The {service} service's audit trail: each change made through its API, who made it "
                "(account or key, role), when, from which address and request. Key: entry id.",
                AUDIT_EVENTS,
            )
            for service, topic in AUDIT_TOPICS.items()
        ),
    )
}


@dataclass(frozen=True)
class DeadLetterHeader:
    """A Kafka header a consumer adds to a record it dead-letters (`services.common.dlq` writes them;
    `contracts.generate` documents them on every `<topic>.dlq` channel). Values are UTF-8 text."""

    name: str
    required: bool
    description: str


class DeadLetterHeaderName(StrEnum):
    """The headers a dead letter carries, besides the original record's own."""

    REASON = "eiso-dlq-reason"
    TOPIC = "eiso-dlq-topic"
    PARTITION = "eiso-dlq-partition"
    OFFSET = "eiso-dlq-offset"
    CONSUMER = "eiso-dlq-consumer"
    TRUNCATED = "eiso-dlq-truncated"
    VALUE_BYTES = "eiso-dlq-value-bytes"
    VALUE_SHA256 = "eiso-dlq-value-sha256"
    HEADERS_DROPPED = "eiso-dlq-headers-dropped"


_H = DeadLetterHeaderName
DEAD_LETTER_HEADERS: tuple[DeadLetterHeader, ...] = (
    DeadLetterHeader(_H.REASON, True, "Why the record can never be processed (one line)."),
    DeadLetterHeader(_H.TOPIC, True, "The topic the record was read from."),
    DeadLetterHeader(_H.PARTITION, True, "Its partition there (decimal)."),
    DeadLetterHeader(_H.OFFSET, True, "Its offset there (decimal)."),
    DeadLetterHeader(_H.CONSUMER, True, "The consumer that refused it (service name)."),
    DeadLetterHeader(
        _H.TRUNCATED,
        False,
        "Present when the original value was larger than the limit; the value is its first N bytes.",
    ),
    DeadLetterHeader(
        _H.VALUE_BYTES, False, "With eiso-dlq-truncated: the size of the original value (decimal)."
    ),
    DeadLetterHeader(
        _H.VALUE_SHA256,
        False,
        "With eiso-dlq-truncated: the SHA-256 of the original value (hex), to match it with the "
        "publisher's copy.",
    ),
    DeadLetterHeader(
        _H.HEADERS_DROPPED,
        False,
        "Present when the original headers were too large to keep: how many there were (decimal). "
        "Otherwise they are kept, and the key too, as UTF-8 text: bytes that are not UTF-8 and control "
        "characters written as escapes (\\x00).",
    ),
)

EVENT_TYPES: dict[str, type[CloudEvent]] = {
    event.event_type: event for spec in TOPICS.values() for event in spec.events
}


def parse_event(topic: str, value: bytes | None) -> CloudEvent:
    """Validate a record value read from `topic`; raise `EventError` saying exactly what is wrong."""
    try:
        spec = TOPICS[catalogued(topic)]
    except ValueError:
        raise EventError(f"unknown topic {topic!r}") from None
    if not spec.events:
        raise EventError(f"topic {topic} carries no event types yet")
    if not value:
        raise EventError("empty record value: expected a CloudEvents 1.0 JSON object")
    try:
        raw = json.loads(value)
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, an integer of 5,000 digits…
        raise EventError(f"value is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise EventError("value is not a JSON object")
    event_type = raw.get("type")
    if not isinstance(event_type, str) or event_type not in {e.event_type for e in spec.events}:
        allowed = ", ".join(e.event_type for e in spec.events)
        raise EventError(f"type {event_type!r} is not carried on {topic} (allowed: {allowed})")
    try:
        event: CloudEvent = spec.adapter.validate_python(raw)
    except ValidationError as exc:
        raise EventError(_describe(exc)) from None
    except Exception as exc:  # whatever else a hostile value provokes: never a stalled partition
        raise EventError(f"invalid event: {type(exc).__name__}: {exc}"[:1000]) from None
    return event


def _describe(exc: ValidationError) -> str:
    """One line naming each invalid field, e.g. `data.year: Input should be ...`."""
    parts = []
    for error in exc.errors()[:20]:
        # A discriminated union puts the event type in the path; people want only the field.
        location = ".".join(str(p) for p in error["loc"] if p not in EVENT_TYPES)
        parts.append(f"{location or '(event)'}: {error['msg']}")
    more = f" (+{exc.error_count() - 20} more)" if exc.error_count() > 20 else ""
    return "invalid event: " + "; ".join(parts) + more
