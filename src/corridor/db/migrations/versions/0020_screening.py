"""screening: watch lists, versions, entries, prepared names, decisions, hits, consignment state

Revision ID: 0020
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0001"
branch_labels = ("screening",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_lists")),
        sa.UniqueConstraint("code", name=op.f("uq_screening_lists_code")),
    )
    op.create_table(
        "screening_consignment_state",
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("consignment_version", sa.Integer(), nullable=False),
        sa.Column("lists_signature", sa.String(length=500), nullable=False),
        sa.Column("open_hits", sa.Integer(), nullable=False),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_screening_consignment_state_consignment_id_consignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consignment_id", name=op.f("pk_screening_consignment_state")),
    )
    op.create_table(
        "screening_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("schema", sa.String(length=16), nullable=False),
        sa.Column("caption", sa.String(length=500), nullable=False),
        sa.Column(
            "data", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_version", sa.Integer(), nullable=False),
        sa.Column("changed_version", sa.Integer(), nullable=False),
        sa.Column("removed_version", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["screening_lists.id"],
            name=op.f("fk_screening_entries_list_id_screening_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_entries")),
        sa.UniqueConstraint("list_id", "key", name="uq_screening_entries_key"),
    )
    op.create_table(
        "screening_list_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column(
            "problems",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["screening_lists.id"],
            name=op.f("fk_screening_list_versions_list_id_screening_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_list_versions")),
        sa.UniqueConstraint("list_id", "version", name="uq_screening_list_versions_version"),
    )
    op.create_table(
        "screening_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=300), nullable=False),
        sa.Column("subject_name", sa.String(length=300), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["screening_entries.id"],
            name=op.f("fk_screening_decisions_entry_id_screening_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_decisions")),
        sa.UniqueConstraint("subject_key", "entry_id", name="uq_screening_decisions_subject_key"),
    )
    op.create_index(
        op.f("ix_screening_decisions_entry_id"), "screening_decisions", ["entry_id"], unique=False
    )
    op.create_table(
        "screening_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("subject_name", sa.String(length=300), nullable=False),
        sa.Column("subject_key", sa.String(length=300), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "explanation",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consignment_id"],
            ["consignments.id"],
            name=op.f("fk_screening_hits_consignment_id_consignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["screening_entries.id"],
            name=op.f("fk_screening_hits_entry_id_screening_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_hits")),
    )
    op.create_index(
        op.f("ix_screening_hits_consignment_id"), "screening_hits", ["consignment_id"], unique=False
    )
    op.create_index(op.f("ix_screening_hits_entry_id"), "screening_hits", ["entry_id"], unique=False)
    op.create_index("ix_screening_hits_status", "screening_hits", ["status", "consignment_id"], unique=False)
    op.create_table(
        "screening_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("latin", sa.Text(), nullable=False),
        sa.Column("folded", sa.Text(), nullable=False),
        sa.Column("abjad", sa.Integer(), nullable=False),
        sa.Column("legal_forms", sa.Text(), nullable=False),
        sa.Column("keys", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["screening_entries.id"],
            name=op.f("fk_screening_names_entry_id_screening_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_names")),
    )
    op.create_index(op.f("ix_screening_names_entry_id"), "screening_names", ["entry_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_screening_names_entry_id"), table_name="screening_names")
    op.drop_table("screening_names")
    op.drop_index("ix_screening_hits_status", table_name="screening_hits")
    op.drop_index(op.f("ix_screening_hits_entry_id"), table_name="screening_hits")
    op.drop_index(op.f("ix_screening_hits_consignment_id"), table_name="screening_hits")
    op.drop_table("screening_hits")
    op.drop_index(op.f("ix_screening_decisions_entry_id"), table_name="screening_decisions")
    op.drop_table("screening_decisions")
    op.drop_table("screening_list_versions")
    op.drop_table("screening_entries")
    op.drop_table("screening_consignment_state")
    op.drop_table("screening_lists")
