"""The identity service's tables: its copy of the registry's agencies (an agency key is issued only
for an agency that exists). The credentials themselves are `services.common.credentials.api_keys`,
the table every service has; here it is the original, elsewhere a replica."""

from sqlalchemy import Column, Date, String, Table

from services.common.db import new_metadata
from services.common.replica import AgencyReplica, agency_ends

metadata = new_metadata()

agencies = Table(
    "agencies",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("level", String(20), nullable=False),
    Column("parent_code", String(64), nullable=True),
    Column("valid_to", Date, nullable=True),
)
replica = AgencyReplica(agencies, agency_ends(metadata))
