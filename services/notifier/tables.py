"""The notifier's tables: its copy of agencies with their contacts, the notifications (one row per
idempotency key, ever), the outcomes read back from its own topic, the training sessions it reminds
of, the messages waiting for an agency and the escalation ladders. Queries are in the repositories
(`notifications.py`, `store.py`)."""

from sqlalchemy import JSON, Boolean, Column, Date, Integer, PrimaryKeyConstraint, String, Table

from services.common.db import UTCDateTime, new_metadata
from services.common.replica import agency_tables

metadata = new_metadata()

#: Its copy of the registry's agencies, with the contacts reminders need.
replica = agency_tables(
    metadata,
    #: Contacts (personal data, Decree 13/2023): only what reminders need, never logged or published.
    Column("contacts", JSON, nullable=False),
)
agencies, agency_ends = replica.agencies, replica.ends

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    #: (agency, reason, period, channel, recipient): one message per key, ever.
    Column("key", String(600), nullable=False, unique=True),
    Column("request_id", String(36), nullable=False),
    Column("agency_code", String(64), nullable=False, index=True),
    Column("reason", String(40), nullable=False),
    Column("period", String(80), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("role", String(20), nullable=False),
    Column("recipient_name", String(200), nullable=False),
    Column("address", String(254), nullable=False, index=True),
    Column("context", JSON, nullable=False),
    Column("critical", Boolean, nullable=False),
    #: pending → sending (batch and request id fixed, retried) → sent | failed; cancelled if moot
    #: (`lifecycle.NotificationStatus` and its transitions).
    Column("status", String(10), nullable=False, index=True),
    Column("due_at", UTCDateTime, nullable=False, index=True),
    Column("batch_id", String(36), nullable=True, index=True),
    Column("gateway", String(40), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("segments", Integer, nullable=True),
    Column("provider_id", String(100), nullable=True),
    Column("error", String(500), nullable=True),
    Column("delivery", String(20), nullable=True),
    #: Why it last waited (`HoldCause`: quiet hours, the throttle), for the operator to read; null if never.
    Column("held_for", String(20), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
)

#: Request ids whose outcome the notifier has published, read back from its own topic: a notifier
#: rebuilt from the topics (fresh database) marks those messages done instead of sending them again.
delivered = Table(
    "delivered",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("outcome", String(10), nullable=False),
)

#: Training sessions and who is enrolled, for messages about them (training-* events).
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("course_title_vi", String(300), nullable=False),
    Column("venue", String(300), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
)

enrolled = Table(
    "enrolled",
    metadata,
    Column("session_id", String(36), nullable=False),
    Column("agency_code", String(64), nullable=False),
    Column("person_name", String(200), nullable=False),
    PrimaryKeyConstraint("session_id", "agency_code", "person_name"),
)

#: Messages for an agency the notifier has not read yet (its contacts unknown): made when it arrives.
#: A notifier rebuilt from the topics reads agencies and findings side by side, so a finding may come
#: first; one row per (agency, reason, period), like the messages it will become.
waiting = Table(
    "waiting",
    metadata,
    Column("agency_code", String(64), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("period", String(80), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("context", JSON, nullable=False),
    Column("due_at", UTCDateTime, nullable=True),
    Column("critical", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("agency_code", "reason", "period"),
)

#: One ladder per agency and campaign year: officer, then head, then the supervising agency.
escalations = Table(
    "escalations",
    metadata,
    Column("agency_code", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("started_on", Date, nullable=False),
    Column("step", Integer, nullable=False),  # the last step taken: 0 officer, 1 head, 2 supervisor
    Column("stopped_on", Date, nullable=True),
    Column("stopped_by", String(60), nullable=True),
    PrimaryKeyConstraint("agency_code", "year"),
)
