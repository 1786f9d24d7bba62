"""Scoring's tables: the evidence it has seen, the training completed, the lineage of mergers and
renames, the scores."""

from sqlalchemy import JSON, Column, Date, Float, Integer, PrimaryKeyConstraint, String, Table

from services.common.db import UTCDateTime
from services.compliance.tables import metadata

evidence = Table(
    "evidence",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("agency_code", String(64), nullable=False, index=True),
    Column("element", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
)

#: Courses completed by an agency's staff (training-completed), for the training rule.
trainings = Table(
    "trainings",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("agency_code", String(64), nullable=False, index=True),
    Column("completed_on", Date, nullable=False),
    Column("role", String(20), nullable=False),
    Column("course_code", String(40), nullable=False),
)

#: Merges: the successor's score counts its predecessors' records (merged agencies count once).
lineage = Table(
    "lineage",
    metadata,
    Column("predecessor_code", String(64), nullable=False),
    Column("successor_code", String(64), nullable=False, index=True),
    Column("effective_on", Date, nullable=False),
    #: `merge` or `rename`: only a merger makes an agency "newly merged" for the inspection plan.
    Column("kind", String(10), nullable=False, server_default="merge"),
    PrimaryKeyConstraint("predecessor_code", "successor_code"),
)

scores = Table(
    "scores",
    metadata,
    Column("agency_code", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("status", String(20), nullable=False),
    Column("breakdown", JSON, nullable=False),
    #: Record events applied to this score: one per event, ever (the inbox's promise, counted).
    Column("events_applied", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("agency_code", "year"),
)
