"""initial schema: agencies with contacts, notifications, training sessions and enrolments, escalations

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from services.common.migrations import create_api_keys_table, create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    create_api_keys_table()
    op.create_table(
        "agencies",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_agencies"),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=600), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("gateway", sa.String(length=40), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.String(length=100), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("delivery", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.UniqueConstraint("key", name="uq_notifications_key"),
    )
    for column in ("agency_code", "address", "status", "due_at", "batch_id"):
        op.create_index(f"ix_notifications_{column}", "notifications", [column])
    op.create_table(
        "delivered",
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name="pk_delivered"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("course_title_vi", sa.String(length=300), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
    )
    op.create_table(
        "enrolled",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("person_name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "agency_code", "person_name", name="pk_enrolled"),
    )
    op.create_table(
        "escalations",
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.Column("stopped_by", sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint("agency_code", "year", name="pk_escalations"),
    )


def downgrade() -> None:
    for table in (
        "escalations",
        "enrolled",
        "sessions",
        "delivered",
        "notifications",
        "agencies",
        "api_keys",
    ):
        op.drop_table(table)
    drop_messaging_tables()
