"""The tables every subdomain of compliance shares, and the one `metadata` all of compliance's tables
join (each subdomain's `tables.py` adds its own; `migrations/env.py` imports them all).

- `agencies` and `agency_ends`: its copy of the registry's agencies (`services.common.replica`), what
  scoring, reports and the plan need, never the contacts;
- `meta`: small facts about the service's own state (the rule set the scores were made with, the last
  day evaluated).
"""

from sqlalchemy import Boolean, Column, Date, String, Table

from services.common.db import new_metadata
from services.common.replica import agency_tables

metadata = new_metadata()

#: Its copy of the registry's agencies: what scoring and reports need, never the contacts.
replica = agency_tables(
    metadata,
    Column("obligation", String(20), nullable=False),
    Column("uses_eiso_software", Boolean, nullable=False),
    Column("valid_from", Date, nullable=False),
)
agencies, agency_ends = replica.agencies, replica.ends

#: Small facts about the service's own state, e.g. which rule set the stored scores were made with.
meta = Table(
    "meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", String(200), nullable=False),
)
