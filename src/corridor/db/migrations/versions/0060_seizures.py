"""seizures: CEN-like seizure records, parties involved, attachments, national watch-list entries

Revision ID: 0060
Revises: 0011
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0060"
# The branch starts from the cases revision rather than from 0001 with `depends_on = "0011"`: a record
# links to an inspection and to the workbench's seizure form (0011), and with depends_on Alembic drops
# 0011 from the version table while ScriptDirectory still lists it as a head, so db.ready's
# "current == heads" check would fail on every start.
down_revision = "0011"
branch_labels = ("seizures",)
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "cen_seizures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("seized_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("office", sa.String(length=35), nullable=True),
        sa.Column("locode", sa.String(length=5), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("h3_cell", sa.String(length=16), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("commodity_type", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("quantity_kg", sa.Float(), nullable=True),
        sa.Column("value_usd", sa.Float(), nullable=True),
        sa.Column("concealment", sa.String(length=30), nullable=False),
        sa.Column("detection", sa.String(length=20), nullable=False),
        sa.Column("transport_mode", sa.String(length=12), nullable=False),
        sa.Column("conveyance", sa.String(length=200), nullable=True),
        sa.Column("departure_country", sa.String(length=2), nullable=True),
        sa.Column("destination_country", sa.String(length=2), nullable=True),
        sa.Column("transit_countries", JSON, nullable=False),
        sa.Column("route", sa.String(length=60), nullable=True),
        sa.Column("consignment_id", sa.Integer(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("case_seizure_id", sa.Integer(), nullable=True),
        sa.Column("profile_hits", JSON, nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_seizure_id"],
            ["seizures.id"],
            name=op.f("fk_cen_seizures_case_seizure_id_seizures"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_cen_seizures_consignment_id_consignments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_cen_seizures_inspection_id_inspections"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cen_seizures")),
        sa.UniqueConstraint("case_seizure_id", name=op.f("uq_cen_seizures_case_seizure_id")),
        sa.UniqueConstraint("ref", name=op.f("uq_cen_seizures_ref")),
    )
    with op.batch_alter_table("cen_seizures", schema=None) as batch_op:
        batch_op.create_index("ix_cen_seizures_category_at", ["category", "seized_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cen_seizures_consignment_id"), ["consignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cen_seizures_h3_cell"), ["h3_cell"], unique=False)
        batch_op.create_index(batch_op.f("ix_cen_seizures_office"), ["office"], unique=False)
        batch_op.create_index(batch_op.f("ix_cen_seizures_seized_at"), ["seized_at"], unique=False)

    op.create_table(
        "cen_seizure_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seizure_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("nationality", sa.String(length=2), nullable=True),
        sa.Column("identifier", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["seizure_id"],
            ["cen_seizures.id"],
            name=op.f("fk_cen_seizure_parties_seizure_id_cen_seizures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cen_seizure_parties")),
    )
    with op.batch_alter_table("cen_seizure_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cen_seizure_parties_seizure_id"), ["seizure_id"], unique=False)

    op.create_table(
        "cen_seizure_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seizure_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seizure_id"],
            ["cen_seizures.id"],
            name=op.f("fk_cen_seizure_attachments_seizure_id_cen_seizures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cen_seizure_attachments")),
        sa.UniqueConstraint("seizure_id", "sha256", name="uq_cen_seizure_attachments_seizure_id"),
    )
    with op.batch_alter_table("cen_seizure_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cen_seizure_attachments_seizure_id"), ["seizure_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cen_seizure_attachments_sha256"), ["sha256"], unique=False)

    op.create_table(
        "cen_watch_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("nationality", sa.String(length=2), nullable=True),
        sa.Column("identifier", sa.String(length=100), nullable=True),
        sa.Column("seizure_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("added_by", sa.String(length=64), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seizure_id"],
            ["cen_seizures.id"],
            name=op.f("fk_cen_watch_entries_seizure_id_cen_seizures"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cen_watch_entries")),
        sa.UniqueConstraint("entry", name=op.f("uq_cen_watch_entries_entry")),
    )
    with op.batch_alter_table("cen_watch_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cen_watch_entries_seizure_id"), ["seizure_id"], unique=False)


def downgrade() -> None:
    op.drop_table("cen_watch_entries")
    op.drop_table("cen_seizure_attachments")
    op.drop_table("cen_seizure_parties")
    op.drop_table("cen_seizures")
