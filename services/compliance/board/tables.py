"""The board's read models, from the training and notifier topics."""

from sqlalchemy import Boolean, Column, Integer, String, Table

from services.common.db import UTCDateTime
from services.compliance.tables import metadata

#: Read models for the operator board, from the training and notifier topics.
training_sessions = Table(
    "training_sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("title_vi", String(300), nullable=False),
    Column("venue", String(300), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("cancelled", Boolean, nullable=False),
)
training_places = Table(
    "training_places",
    metadata,
    Column("enrolment_id", String(36), primary_key=True),
    Column("session_id", String(36), nullable=False, index=True),
    Column("status", String(20), nullable=False),
)
deliveries = Table(
    "deliveries",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("outcome", String(10), nullable=False),
    Column("at", UTCDateTime, nullable=False, index=True),
)

#: Messages the notifier holds for its sending window or throttle, until they go or the hold ends.
held_messages = Table(
    "held_messages",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("until", UTCDateTime, nullable=False, index=True),
)
