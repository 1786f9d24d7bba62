"""The outbox and inbox tables that every service keeps in its own database (docs/architecture.md,
"Delivery guarantees").

They live in their own MetaData; each service's migrations create them next to its own tables.
"""

from dataclasses import dataclass, field

from sqlalchemy import JSON, Column, Index, LargeBinary, PrimaryKeyConstraint, String, Table, Text, text

from contracts import CloudEvent, to_json
from contracts.envelope import CONTENT_TYPE, TYPE_HEADER
from services.common.db import BigId, UTCDateTime, new_metadata

metadata = new_metadata()

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("key", Text, nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Index(
        "ix_outbox_unsent",
        "id",
        sqlite_where=text("sent_at IS NULL"),
        postgresql_where=text("sent_at IS NULL"),
    ),
)

inbox = Table(
    "inbox",
    metadata,
    Column("consumer", String(100), nullable=False),
    Column("event_id", String(100), nullable=False),
    Column("processed_at", UTCDateTime, nullable=False),
    #: SHA-256 of the event as applied, for consumers that refuse an id reused for other content.
    Column("digest", String(64), nullable=True),
    PrimaryKeyConstraint("consumer", "event_id"),
)


#: Kafka's default message.max.bytes is 1 MiB; keep well under it with headers and batching.
MAX_RECORD_BYTES = 900_000


@dataclass(frozen=True)
class OutgoingRecord:
    """A Kafka record waiting in the outbox: the relay publishes these in insertion order."""

    event_id: str
    topic: str
    key: str
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Its bytes on the wire, near enough: key, value and headers."""
        return (
            len(self.key.encode())
            + len(self.value)
            + sum(len(k) + len(v.encode()) for k, v in self.headers.items())
        )

    @classmethod
    def of(cls, topic: str, event: CloudEvent) -> "OutgoingRecord":
        return cls(
            event_id=str(event.id),
            topic=topic,
            key=event.kafka_key(),
            value=to_json(event),
            headers={"content-type": CONTENT_TYPE, TYPE_HEADER: event.type},
        )
