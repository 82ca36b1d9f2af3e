"""Insight (issue 16): daily counts of who joined and left each network (members over time,
since a membership row goes when its member leaves), when a help request was matched (time to
match), and a coordinator's opt-in to the monthly report.

The daily counts start from the memberships there are: each counted as joined on its day (in
the configured TIMEZONE). Who left before this revision cannot be known, so the history before
it shows today's members only.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""

import os
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    days = op.create_table(
        "membership_days",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("joined", sa.Integer(), nullable=False),
        sa.Column("left", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_membership_days_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("network_id", "day", name=op.f("pk_membership_days")),
    )
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("matched_at", UTC_TIME, nullable=True))
    with op.batch_alter_table("preferences", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("monthly_report", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    # Today's members, each counted as joined on the local day of their joining.
    zone = ZoneInfo(os.environ.get("TIMEZONE") or "Europe/Oslo")
    counts: Counter[tuple[int, object]] = Counter()
    rows = op.get_bind().execute(sa.text("SELECT network_id, joined_at FROM memberships"))
    for network_id, joined_at in rows:
        if isinstance(joined_at, str):  # SQLite hands back the stored text
            joined_at = datetime.fromisoformat(joined_at)
        if joined_at.tzinfo is None:
            joined_at = joined_at.replace(tzinfo=UTC)
        counts[(network_id, joined_at.astimezone(zone).date())] += 1
    if counts:
        op.bulk_insert(
            days,
            [
                {"network_id": network_id, "day": day, "joined": n, "left": 0}
                for (network_id, day), n in counts.items()
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("preferences", schema=None) as batch_op:
        batch_op.drop_column("monthly_report")
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_column("matched_at")
    op.drop_table("membership_days")
