"""Calendar feeds (issue 14): the URLs a network follows, and which feed an event came from.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("every_seconds", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=255), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("last_report", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_calendar_feeds_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("network_id", "url", name=op.f("uq_calendar_feeds_network_id")),
    )
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("feed_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_events_feed_id_calendar_feeds"),
            "calendar_feeds",
            ["feed_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_events_feed_id"), ["feed_id"])


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_index(op.f("ix_events_feed_id"))
        batch.drop_constraint(op.f("fk_events_feed_id_calendar_feeds"), type_="foreignkey")
        batch.drop_column("feed_id")
    op.drop_table("calendar_feeds")
