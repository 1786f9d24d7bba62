"""The registry's tables (what the migrations build: `tests/integration/test_migrations.py` compares them)."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from services.common.db import BigId, UTCDateTime, new_metadata

metadata = new_metadata()

#: Identity only: every code ever registered. What an agency was on a day lives in agency_versions.
agencies = Table(
    "agencies",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
)

agency_versions = Table(
    "agency_versions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("code", String(64), ForeignKey("agencies.code"), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=True),
    Column("name", String(300), nullable=False),
    Column("search_name", Text, nullable=False),
    Column("level", String(20), nullable=False),
    Column("parent_code", String(64), nullable=True),
    Column("obligation", String(20), nullable=False),
    Column("uses_eiso_software", Boolean, nullable=False),
    Column("contacts", JSON, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    UniqueConstraint("code", "valid_from"),
    Index("ix_agency_versions_parent_code", "parent_code"),
)

lineage = Table(
    "lineage",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("from_code", String(64), nullable=False, index=True),
    Column("to_code", String(64), nullable=False, index=True),
    Column("effective_on", Date, nullable=False),
)

systems = Table(
    "systems",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("scope", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

records = Table(
    "records",
    metadata,
    Column("record_id", String(36), primary_key=True),
    Column("agency_code", String(64), ForeignKey("agencies.code"), nullable=False),
    Column("element", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("data", JSON, nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    #: Who sent it (`api` or an outside system) and, from a system, the version number it gave
    #: (its own numbering, not the registry's): how a late, older version is told from a new one.
    Column("channel", String(64), nullable=True),
    Column("source_version", Integer, nullable=True),
    UniqueConstraint("agency_code", "element", "year", "version"),
)

#: What the inbound gateway could not take, as it arrived (a copy of what went to the dead-letter
#: topic, for operators to read by system and re-drive once the cause is fixed).
dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", String(300), primary_key=True),  # topic/partition/offset: one per record, ever
    Column("topic", String(260), nullable=False),
    Column("system", String(64), nullable=True, index=True),
    Column("event_id", String(100), nullable=True),
    Column("key", String(300), nullable=True),
    Column("value", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("handled_at", UTCDateTime, nullable=True),
    Column("handled_by", String(200), nullable=True),
)
