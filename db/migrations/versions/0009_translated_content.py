"""Translated content (issue 13): a network's name and description per language, and the
machine-translation cache with its daily usage counts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_texts",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_network_texts_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("network_id", "locale", name=op.f("pk_network_texts")),
    )
    op.create_table(
        "machine_translations",
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source_hash", "target", name=op.f("pk_machine_translations")),
    )
    op.create_index("ix_machine_translations_created_at", "machine_translations", ["created_at"])
    op.create_table(
        "translation_usage",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("translator", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=8), nullable=False),
        sa.Column("texts", sa.Integer(), nullable=False),
        sa.Column("characters", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "translator", "target", name=op.f("pk_translation_usage")),
    )


def downgrade() -> None:
    op.drop_table("translation_usage")
    op.drop_index("ix_machine_translations_created_at", table_name="machine_translations")
    op.drop_table("machine_translations")
    op.drop_table("network_texts")
