"""cases: targeting decisions, inspection results, seizure reports and photos

Revision ID: 0011
Revises: 0010, 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
# A merge point: decisions reference the assessment they were made on (0002) and the user (0010).
down_revision = ("0010", "0002")
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("consignment_version", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=35), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("override", sa.Boolean(), nullable=False),
        sa.Column("lane", sa.String(length=8), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_decisions_assessment_id_assessments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_decisions_consignment_id_consignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_decisions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index("ix_decisions_consignment_at", ["consignment_id", "decided_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_decided_at"), ["decided_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_office"), ["office"], unique=False)

    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=35), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_inspections_consignment_id_consignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_inspections_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_inspections_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspections_consignment_id"), ["consignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspections_decision_id"), ["decision_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspections_inspected_at"), ["inspected_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspections_office"), ["office"], unique=False)

    op.create_table(
        "seizures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=35), nullable=True),
        sa.Column("commodity", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("concealment", sa.String(length=30), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seized_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_seizures_consignment_id_consignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_seizures_inspection_id_inspections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_seizures_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seizures")),
    )
    with op.batch_alter_table("seizures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seizures_consignment_id"), ["consignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_seizures_inspection_id"), ["inspection_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_seizures_office"), ["office"], unique=False)
        batch_op.create_index(batch_op.f("ix_seizures_seized_at"), ["seized_at"], unique=False)

    op.create_table(
        "seizure_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seizure_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seizure_id"],
            ["seizures.id"],
            name=op.f("fk_seizure_photos_seizure_id_seizures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seizure_photos")),
    )
    with op.batch_alter_table("seizure_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seizure_photos_seizure_id"), ["seizure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_seizure_photos_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("seizure_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seizure_photos_sha256"))
        batch_op.drop_index(batch_op.f("ix_seizure_photos_seizure_id"))

    op.drop_table("seizure_photos")
    with op.batch_alter_table("seizures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seizures_seized_at"))
        batch_op.drop_index(batch_op.f("ix_seizures_office"))
        batch_op.drop_index(batch_op.f("ix_seizures_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_seizures_consignment_id"))

    op.drop_table("seizures")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_office"))
        batch_op.drop_index(batch_op.f("ix_inspections_inspected_at"))
        batch_op.drop_index(batch_op.f("ix_inspections_decision_id"))
        batch_op.drop_index(batch_op.f("ix_inspections_consignment_id"))

    op.drop_table("inspections")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_office"))
        batch_op.drop_index(batch_op.f("ix_decisions_decided_at"))
        batch_op.drop_index("ix_decisions_consignment_at")

    op.drop_table("decisions")
