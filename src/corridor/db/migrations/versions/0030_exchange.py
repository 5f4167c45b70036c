"""exchange: partners and keys, agreements, groups, outbox, inbox, alerts, hash-chained audit log

Revision ID: 0030
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0030"
down_revision = "0001"
branch_labels = ("exchange",)
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "exchange_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("partner", sa.String(length=64), nullable=True),
        sa.Column("message_id", sa.String(length=100), nullable=True),
        sa.Column("message_type", sa.String(length=40), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_audit")),
        sa.UniqueConstraint("seq", name=op.f("uq_exchange_audit_seq")),
    )
    op.create_table(
        "exchange_audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_audit_head")),
    )
    # The chain starts from a fixed genesis head, so that the first append is no special case.
    op.execute("INSERT INTO exchange_audit_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")
    op.create_table(
        "exchange_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("types", JSON, nullable=False),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("members", JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_exchange_groups_name")),
    )
    op.create_table(
        "exchange_partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("endpoint", sa.String(length=500), nullable=True),
        sa.Column("tls_certificate", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("out_sequence", sa.BigInteger(), nullable=False),
        sa.Column("in_sequence", sa.BigInteger(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_partners")),
        sa.UniqueConstraint("name", name=op.f("uq_exchange_partners_name")),
    )
    op.create_table(
        "exchange_rejections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_sender", sa.String(length=64), nullable=True),
        sa.Column("message_id", sa.String(length=100), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("where", sa.String(length=200), nullable=True),
        sa.Column("remote", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rejections")),
    )
    op.create_index(op.f("ix_exchange_rejections_at"), "exchange_rejections", ["at"], unique=False)
    op.create_table(
        "exchange_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("message_type", sa.String(length=40), nullable=False),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("fields", JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["exchange_partners.id"],
            name=op.f("fk_exchange_agreements_partner_id_exchange_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_agreements")),
        sa.UniqueConstraint("partner_id", "direction", "message_type", name="uq_exchange_agreements_rule"),
    )
    op.create_index(
        op.f("ix_exchange_agreements_partner_id"), "exchange_agreements", ["partner_id"], unique=False
    )
    op.create_table(
        "exchange_inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("message_type", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("group_name", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", JSON, nullable=True),
        sa.Column("payload", JSON, nullable=True),
        sa.Column("result", JSON, nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["exchange_partners.id"],
            name=op.f("fk_exchange_inbox_partner_id_exchange_partners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_inbox")),
        sa.UniqueConstraint("partner_id", "message_id", name="uq_exchange_inbox_sender_message"),
    )
    op.create_index(op.f("ix_exchange_inbox_message_type"), "exchange_inbox", ["message_type"], unique=False)
    op.create_index(op.f("ix_exchange_inbox_partner_id"), "exchange_inbox", ["partner_id"], unique=False)
    op.create_table(
        "exchange_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("message_type", sa.String(length=40), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("group_name", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt", JSON, nullable=True),
        sa.Column("acknowledged", JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["exchange_partners.id"],
            name=op.f("fk_exchange_outbox_partner_id_exchange_partners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_outbox")),
        sa.UniqueConstraint("message_id", "partner_id", name="uq_exchange_outbox_message_partner"),
    )
    op.create_index(
        "ix_exchange_outbox_due", "exchange_outbox", ["status", "partner_id", "sequence"], unique=False
    )
    op.create_index(op.f("ix_exchange_outbox_message_id"), "exchange_outbox", ["message_id"], unique=False)
    op.create_table(
        "exchange_partner_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("signing_key", sa.String(length=64), nullable=False),
        sa.Column("encryption_key", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["exchange_partners.id"],
            name=op.f("fk_exchange_partner_keys_partner_id_exchange_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_partner_keys")),
        sa.UniqueConstraint("partner_id", "kid", name="uq_exchange_partner_keys_partner_kid"),
    )
    op.create_index(
        op.f("ix_exchange_partner_keys_partner_id"), "exchange_partner_keys", ["partner_id"], unique=False
    )
    op.create_table(
        "exchange_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbox_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=False),
        sa.Column("group_name", sa.String(length=64), nullable=True),
        sa.Column("container", sa.String(length=20), nullable=True),
        sa.Column("vessel_imo", sa.String(length=7), nullable=True),
        sa.Column("vessel_mmsi", sa.String(length=9), nullable=True),
        sa.Column("vessel_name", sa.String(length=200), nullable=True),
        sa.Column("party_name", sa.String(length=200), nullable=True),
        sa.Column("party_country", sa.String(length=2), nullable=True),
        sa.Column("party_identifiers", JSON, nullable=True),
        sa.Column("route_origin", sa.String(length=5), nullable=True),
        sa.Column("route_destination", sa.String(length=5), nullable=True),
        sa.Column("route_via", JSON, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("closed_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inbox_id"], ["exchange_inbox.id"], name=op.f("fk_exchange_alerts_inbox_id_exchange_inbox")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_alerts")),
        sa.UniqueConstraint("inbox_id", name="uq_exchange_alerts_inbox_id"),
    )
    op.create_index(op.f("ix_exchange_alerts_container"), "exchange_alerts", ["container"], unique=False)
    op.create_index(op.f("ix_exchange_alerts_received_at"), "exchange_alerts", ["received_at"], unique=False)


def downgrade() -> None:
    # Indexes go with their tables; children before parents.
    op.drop_table("exchange_alerts")
    op.drop_table("exchange_partner_keys")
    op.drop_table("exchange_outbox")
    op.drop_table("exchange_inbox")
    op.drop_table("exchange_agreements")
    op.drop_table("exchange_rejections")
    op.drop_table("exchange_partners")
    op.drop_table("exchange_groups")
    op.drop_table("exchange_audit_head")
    op.drop_table("exchange_audit")
