"""maritime: vessels, AIS positions, radar plots, zones, events, ingest reports

Revision ID: 0040
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0040"
down_revision = "0001"
branch_labels = ("maritime",)
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "maritime_vessels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vessel", sa.String(length=40), nullable=False),
        sa.Column("mmsi", sa.String(length=9), nullable=True),
        sa.Column("imo", sa.String(length=7), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("call_sign", sa.String(length=20), nullable=True),
        sa.Column("ship_type", sa.Integer(), nullable=True),
        sa.Column("flag", sa.String(length=2), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maritime_vessels")),
        sa.UniqueConstraint("vessel", name=op.f("uq_maritime_vessels_vessel")),
    )
    op.create_index(op.f("ix_maritime_vessels_mmsi"), "maritime_vessels", ["mmsi"])
    op.create_index(op.f("ix_maritime_vessels_imo"), "maritime_vessels", ["imo"])
    op.create_index(op.f("ix_maritime_vessels_name"), "maritime_vessels", ["name"])

    op.create_table(
        "maritime_positions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("vessel", sa.String(length=40), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("sog", sa.Float(), nullable=True),
        sa.Column("cog", sa.Float(), nullable=True),
        sa.Column("heading", sa.Float(), nullable=True),
        sa.Column("ingest_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maritime_positions")),
        sa.UniqueConstraint("vessel", "ts", name="uq_maritime_positions_vessel_ts"),
    )
    op.create_index("ix_maritime_positions_ts", "maritime_positions", ["ts"])

    op.create_table(
        "maritime_radar_plots",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("track", sa.String(length=40), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("speed", sa.Float(), nullable=True),
        sa.Column("course", sa.Float(), nullable=True),
        sa.Column("ingest_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maritime_radar_plots")),
        sa.UniqueConstraint("track", "ts", name="uq_maritime_radar_plots_track_ts"),
    )
    op.create_index("ix_maritime_radar_plots_ts", "maritime_radar_plots", ["ts"])

    op.create_table(
        "maritime_zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("geometry", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maritime_zones")),
        sa.UniqueConstraint("code", name=op.f("uq_maritime_zones_code")),
    )

    op.create_table(
        "maritime_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("vessel", sa.String(length=40), nullable=False),
        sa.Column("other", sa.String(length=80), nullable=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("severity", sa.String(length=12), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maritime_events")),
        sa.UniqueConstraint("key", name=op.f("uq_maritime_events_key")),
    )
    op.create_index(op.f("ix_maritime_events_kind"), "maritime_events", ["kind"])
    op.create_index(op.f("ix_maritime_events_vessel"), "maritime_events", ["vessel"])
    op.create_index("ix_maritime_events_status_start", "maritime_events", ["status", "start_at"])

    op.create_table(
        "maritime_ingests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("positions", sa.Integer(), nullable=False),
        sa.Column("new_positions", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("report", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maritime_ingests")),
    )


def downgrade() -> None:
    for table in (
        "maritime_ingests",
        "maritime_events",
        "maritime_zones",
        "maritime_radar_plots",
        "maritime_positions",
        "maritime_vessels",
    ):
        op.drop_table(table)
