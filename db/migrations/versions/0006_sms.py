"""SMS residents: verified phones, SMS fallback and STOP; SMS conversations, phone codes,
and per-delivery segments and delivery reports.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("phone_verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("sms_fallback", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("sms_stopped_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("segments", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("report", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_deliveries_channel_sent", "deliveries", ["channel", "sent_at"])
    op.create_table(
        "sms_conversations",
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=True),
        sa.Column("options", sa.Text(), nullable=True),
        sa.Column("data", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_sms_conversations_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resident_id", name=op.f("pk_sms_conversations")),
    )
    op.create_table(
        "phone_codes",
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_phone_codes_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resident_id", name=op.f("pk_phone_codes")),
    )


def downgrade() -> None:
    op.drop_table("phone_codes")
    op.drop_table("sms_conversations")
    op.drop_index("ix_deliveries_channel_sent", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("reported_at")
        batch.drop_column("report")
        batch.drop_column("segments")
    with op.batch_alter_table("residents") as batch:
        batch.drop_column("sms_stopped_at")
        batch.drop_column("sms_fallback")
        batch.drop_column("phone_verified_at")
