"""The inspection plan's table."""

from sqlalchemy import JSON, Column, Date, Float, Integer, String, Table

from services.common.db import UTCDateTime
from services.compliance.tables import metadata

#: The inspection plan: one row per inspection, as its latest `inspection-*` event says (compliance
#: also reads its own topic back, so a rebuild from the topics restores the plan). The API checks that an
#: agency is in a year's plan once and an inspector inspects once a day, under the plan lock
#: (`Inspections.lock_plan`); not unique indexes, because a rebuild applies events of different agencies
#: in no fixed order.
inspections = Table(
    "inspections",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("agency_code", String(64), nullable=False, index=True),
    Column("revision", Integer, nullable=False),
    Column("scheduled_on", Date, nullable=False),
    Column("inspector", String(200), nullable=False),
    Column("mode", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("risk", Float, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("held_on", Date, nullable=True),
    Column("findings", JSON, nullable=False),
    Column("corrective_actions", JSON, nullable=False),
    Column("note", String(500), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)
