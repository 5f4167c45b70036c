"""assessments: score, lane and hits per consignment version

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("consignment_version", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("lane", sa.String(length=8), nullable=False),
        sa.Column("selected", sa.Boolean(), nullable=False),
        sa.Column("exploration", sa.Boolean(), nullable=False),
        sa.Column("hits", JSON, nullable=False),
        sa.Column("profile_set", JSON, nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_assessments_consignment_id_consignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index("ix_assessments_consignment_latest", "assessments", ["consignment_id", "assessed_at"])
    op.create_index("ix_assessments_lane_score", "assessments", ["lane", "score"])
    op.create_index(op.f("ix_assessments_run_id"), "assessments", ["run_id"])


def downgrade() -> None:
    op.drop_table("assessments")
