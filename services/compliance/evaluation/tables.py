"""The evaluation's table: the notices it has sent."""

from sqlalchemy import Column, Date, PrimaryKeyConstraint, String, Table

from services.compliance.tables import metadata

#: Notices sent by the daily evaluation: each (agency, kind, period) once, ever.
notices = Table(
    "notices",
    metadata,
    Column("agency_code", String(64), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("period", String(20), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("sent_on", Date, nullable=False),
    PrimaryKeyConstraint("agency_code", "kind", "period"),
)
