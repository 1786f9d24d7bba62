"""The training service's tables: its copy of agencies, courses, sessions, enrolments, attendance,
invitations and certificates (the migrations build exactly these; the repositories in `store` read and
write them)."""

from sqlalchemy import JSON, Boolean, Column, Date, Integer, PrimaryKeyConstraint, String, Table

from services.common.db import UTCDateTime, new_metadata
from services.common.replica import agency_tables

metadata = new_metadata()

#: Its copy of the registry's agencies: what quotas and certificates need, never the contacts.
replica = agency_tables(metadata)
agencies, agency_ends = replica.agencies, replica.ends

courses = Table(
    "courses",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("title_vi", String(300), nullable=False),
    #: Days to attend to complete; none means every day of the session.
    Column("required_days", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("course_code", String(40), nullable=False),
    Column("days", JSON, nullable=False),  # [{"on", "starts", "ends"}] giờ Việt Nam
    Column("first_day", Date, nullable=False, index=True),
    Column("last_day", Date, nullable=False),
    Column("venue", String(300), nullable=False),
    Column("trainer", String(200), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("quotas", JSON, nullable=False),
    Column("per_agency_limit", Integer, nullable=True),
    Column("enrol_opens_on", Date, nullable=False),
    Column("enrol_closes_on", Date, nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("note", String(500), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("session_id", String(36), nullable=False, index=True),
    Column("agency_code", String(64), nullable=False, index=True),
    Column("person_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    #: Order of arrival within the session: the waiting list's order.
    Column("seq", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

attendance = Table(
    "attendance",
    metadata,
    Column("enrolment_id", String(36), nullable=False),
    Column("on", Date, nullable=False),
    Column("mark", String(10), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("enrolment_id", "on"),
)

#: One invitation per agency and campaign year, ever.
invitations = Table(
    "invitations",
    metadata,
    Column("agency_code", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("session_id", String(36), nullable=True),
    Column("event_id", String(36), nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("agency_code", "year"),
)

certificates = Table(
    "certificates",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("enrolment_id", String(36), nullable=False, unique=True),
    Column("person_name", String(200), nullable=False),
    Column("agency_code", String(64), nullable=False),
    Column("agency_name", String(300), nullable=False),
    Column("course_title_vi", String(300), nullable=False),
    Column("completed_on", Date, nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
)
